//! `[kiosk] screen_hours`: the hours of the week the kiosk's screen is on,
//! in the device's local time. Outside them the kiosk darkens its screen
//! (`kiosk::screen`); an empty list means always on.
//!
//! An entry is `DAYS START-END`: `DAYS` a day (`mon`), a range of days
//! (`mon-fri`, or `fri-mon` across the weekend) or a comma list of these
//! (`mon,wed,fri-sat`); `START` and `END` 24-hour times `HH:MM` (`24:00`
//! allowed as an end). An `END` before `START` runs overnight: `fri
//! 20:00-02:00` is on from Friday 20:00 to Saturday 02:00. Pure: the caller
//! says what time it is, so tests need no clock.

use chrono::{Datelike, NaiveDateTime, Timelike, Weekday};
use serde::{Deserialize, Serialize};

use crate::catalog::hours::DAYS as DAY_NAMES;

/// At most this many entries, each at most [`MAX_ENTRY`] bytes: enough for
/// any office's week, and a bound on what a configuration file can ask for.
pub const MAX_ENTRIES: usize = 32;
pub const MAX_ENTRY: usize = 64;

/// What to write instead, ending every refusal.
const HOW: &str = "write entries like \"mon-fri 07:00-16:00\" or \"sat 07:00-12:00\" \
(days mon tue wed thu fri sat sun, 24-hour times), or [] for always on";

/// The screen's hours; `Default` is the empty list, always on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub struct ScreenHours {
    /// The entries as written, for `Serialize` and messages.
    text: Vec<String>,
    spans: Vec<Span>,
}

/// One entry for one day: on from `start` (minutes after midnight) of
/// `day` until `end`, which is on the next day when `end <= start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    day: Weekday,
    start: u32,
    end: u32,
}

impl ScreenHours {
    /// No hours at all: the screen is always on.
    pub fn always_on(&self) -> bool {
        self.spans.is_empty()
    }

    /// Whether the screen is on at this local time.
    pub fn is_on(&self, local: NaiveDateTime) -> bool {
        if self.always_on() {
            return true;
        }
        let day = local.weekday();
        let minute = local.hour() * 60 + local.minute();
        self.spans.iter().any(|s| {
            if s.start < s.end {
                s.day == day && (s.start..s.end).contains(&minute)
            } else {
                // Overnight: the evening of its day, the early hours of the next.
                (s.day == day && minute >= s.start) || (s.day.succ() == day && minute < s.end)
            }
        })
    }
}

impl TryFrom<Vec<String>> for ScreenHours {
    type Error = String;

    fn try_from(text: Vec<String>) -> Result<ScreenHours, String> {
        if text.len() > MAX_ENTRIES {
            return Err(format!(
                "{} entries are too many; use at most {MAX_ENTRIES} (a day range such as \"mon-fri\" counts once)",
                text.len()
            ));
        }
        let mut spans = Vec::new();
        for entry in &text {
            let refuse = |why: String| format!("\"{}\" is refused: {why}; {HOW}", bounded(entry));
            if entry.len() > MAX_ENTRY {
                return Err(refuse(format!("longer than {MAX_ENTRY} characters")));
            }
            let (days, times) = entry
                .trim()
                .split_once(char::is_whitespace)
                .ok_or_else(|| refuse("it needs days, a space, then START-END".into()))?;
            let (start, end) = times
                .trim()
                .split_once('-')
                .ok_or_else(|| refuse("the times need a '-' between START and END".into()))?;
            let start = minutes(start, false).map_err(&refuse)?;
            let end = minutes(end, true).map_err(&refuse)?;
            if start == end {
                return Err(refuse("it starts and ends at the same time".into()));
            }
            for day in weekdays(days).map_err(&refuse)? {
                spans.push(Span { day, start, end });
            }
        }
        Ok(ScreenHours { text, spans })
    }
}

impl From<ScreenHours> for Vec<String> {
    fn from(hours: ScreenHours) -> Vec<String> {
        hours.text
    }
}

/// An entry quoted in a message, cut short if it is long.
fn bounded(s: &str) -> &str {
    match s.char_indices().nth(MAX_ENTRY) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// `HH:MM` in minutes after midnight; `24:00` only as an end.
fn minutes(s: &str, end: bool) -> Result<u32, String> {
    let bad = || format!("\"{s}\" is not a time HH:MM");
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: u32 = h.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    match (h, m) {
        (24, 0) if end => Ok(24 * 60),
        (0..=23, 0..=59) => Ok(h * 60 + m),
        _ => Err(format!(
            "\"{s}\" is not a time of day (00:00 to 23:59, or 24:00 as an end)"
        )),
    }
}

fn weekday(s: &str) -> Result<Weekday, String> {
    let s = s.trim().to_ascii_lowercase();
    DAY_NAMES
        .iter()
        .find(|(name, _)| *name == s)
        .map(|(_, day)| *day)
        .ok_or_else(|| format!("\"{s}\" is not a day"))
}

/// `mon`, `mon-fri`, `fri-mon`, `mon,wed,fri-sat`: the days, in order.
fn weekdays(s: &str) -> Result<Vec<Weekday>, String> {
    let mut days = Vec::new();
    for part in s.split(',') {
        match part.split_once('-') {
            None => days.push(weekday(part)?),
            Some((from, to)) => {
                let (mut day, to) = (weekday(from)?, weekday(to)?);
                days.push(day);
                while day != to {
                    day = day.succ();
                    days.push(day);
                }
            }
        }
    }
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(entries: &[&str]) -> ScreenHours {
        ScreenHours::try_from(entries.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .unwrap_or_else(|e| panic!("{entries:?}: {e}"))
    }

    fn refused(entries: &[&str]) -> String {
        ScreenHours::try_from(entries.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .expect_err("refused")
    }

    /// 30 November 2026 is a Monday; `day` 0 is Monday.
    fn at(day: u32, time: &str) -> NaiveDateTime {
        let monday = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let date = monday + chrono::Days::new(day.into());
        date.and_time(chrono::NaiveTime::parse_from_str(time, "%H:%M").unwrap())
    }

    #[test]
    fn the_days_used_in_tests_are_the_right_ones() {
        assert_eq!(at(0, "10:00").weekday(), Weekday::Mon);
        assert_eq!(at(4, "10:00").weekday(), Weekday::Fri);
        assert_eq!(at(6, "10:00").weekday(), Weekday::Sun);
    }

    #[test]
    fn office_week_from_the_interface() {
        let h = hours(&["mon-fri 07:00-16:00", "sat 07:00-12:00"]);
        assert!(!h.always_on());
        assert!(!h.is_on(at(0, "06:59")));
        assert!(h.is_on(at(0, "07:00")));
        assert!(h.is_on(at(2, "12:30")));
        assert!(h.is_on(at(4, "15:59")));
        assert!(!h.is_on(at(4, "16:00")));
        assert!(h.is_on(at(5, "11:59")));
        assert!(!h.is_on(at(5, "12:00")));
        assert!(!h.is_on(at(6, "10:00")), "Sunday is off");
    }

    #[test]
    fn empty_is_always_on() {
        let h = hours(&[]);
        assert!(h.always_on());
        assert!(h.is_on(at(6, "03:00")));
        assert_eq!(h, ScreenHours::default());
    }

    #[test]
    fn overnight_runs_into_the_next_day() {
        let h = hours(&["fri 20:00-02:00"]);
        assert!(!h.is_on(at(4, "19:59")));
        assert!(h.is_on(at(4, "23:30")));
        assert!(h.is_on(at(5, "01:59")));
        assert!(!h.is_on(at(5, "02:00")));
        assert!(!h.is_on(at(5, "23:30")), "only Friday's night");
        // Sunday night runs into Monday.
        let h = hours(&["sun 22:00-06:00"]);
        assert!(h.is_on(at(0, "05:00")));
    }

    #[test]
    fn lists_wrapping_ranges_and_midnight() {
        let h = hours(&["sat-sun 00:00-24:00", "mon,wed 08:00-09:00"]);
        assert!(h.is_on(at(5, "00:00")) && h.is_on(at(6, "23:59")));
        assert!(h.is_on(at(0, "08:30")) && h.is_on(at(2, "08:30")));
        assert!(!h.is_on(at(1, "08:30")));
        let h = hours(&["FRI-MON 10:00-11:00"]);
        for day in [4, 5, 6, 0] {
            assert!(h.is_on(at(day, "10:00")), "day {day}");
        }
        assert!(!h.is_on(at(1, "10:00")));
    }

    #[test]
    fn bad_entries_say_what_to_write() {
        for (entry, why) in [
            ("mon-fry 07:00-16:00", "\"fry\" is not a day"),
            ("mon-fri 7-16", "not a time HH:MM"),
            ("mon-fri 07:00 16:00", "'-'"),
            ("07:00-16:00", "needs days"),
            ("mon 25:00-26:00", "not a time of day"),
            ("mon 24:00-06:00", "not a time of day"),
            ("mon 07:60-08:00", "not a time of day"),
            ("mon 08:00-08:00", "same time"),
            ("", "needs days"),
        ] {
            let m = refused(&[entry]);
            assert!(m.contains(why), "{entry}: {m}");
            assert!(m.contains("\"mon-fri 07:00-16:00\""), "{entry}: {m}");
        }
        let long = format!("mon {}", "1".repeat(200));
        let m = refused(&[&long]);
        assert!(m.contains("longer than 64") && m.len() < 400, "{m}");
        let many = vec!["mon 07:00-08:00"; MAX_ENTRIES + 1];
        assert!(refused(&many).contains("too many"));
    }
}
