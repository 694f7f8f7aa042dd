//! Opening hours: parsing the bundle's `{"days", "open", "close"}` lines and
//! answering "open now, until when?" for the kiosk's "Buka sampai 15.00".

use chrono::{Datelike, NaiveDateTime, NaiveTime, Weekday};

use super::model::Hours;

/// The days as the catalog and `[kiosk] screen_hours` write them.
pub(crate) const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

/// One validated line of opening hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpeningHours {
    /// Bit `n` set: open on the weekday `n` days from Monday.
    days: u8,
    pub open: NaiveTime,
    pub close: NaiveTime,
}

/// Whether an office is open at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfficeStatus {
    OpenUntil(NaiveTime),
    /// Closed; opens next on that day at that time, if it ever does.
    Closed {
        next: Option<(Weekday, NaiveTime)>,
    },
    /// The catalog gives no hours for this office.
    Unknown,
}

fn day(name: &str) -> Result<Weekday, String> {
    DAYS.iter()
        .find(|(n, _)| *n == name)
        .map(|(_, d)| *d)
        .ok_or_else(|| format!("\"{name}\" is not a day; use mon, tue, wed, thu, fri, sat or sun"))
}

fn time(s: &str) -> Result<NaiveTime, String> {
    if s == "24:00" {
        return Ok(NaiveTime::from_hms_opt(23, 59, 59).expect("valid"));
    }
    match NaiveTime::parse_from_str(s, "%H:%M") {
        Ok(t) if s.len() == 5 => Ok(t),
        _ => Err(format!(
            "\"{s}\" is not a time; write 24-hour HH:MM such as \"07:30\""
        )),
    }
}

impl OpeningHours {
    /// Accepts `mon-fri`, `sat`, `mon,wed,fri`, `fri-mon` (wrapping) and `daily`.
    pub fn parse(h: &Hours) -> Result<OpeningHours, String> {
        let mut days = 0u8;
        for part in h.days.split(',').map(str::trim) {
            if part == "daily" {
                days = 0x7f;
                continue;
            }
            let (first, last) = match part.split_once('-') {
                Some((a, b)) => (day(a)?, day(b)?),
                None => (day(part)?, day(part)?),
            };
            let mut d = first;
            loop {
                days |= 1 << d.num_days_from_monday();
                if d == last {
                    break;
                }
                d = d.succ();
            }
        }
        let open = time(&h.open)?;
        let close = time(&h.close)?;
        if close <= open {
            return Err(format!("closes ({}) before it opens ({})", h.close, h.open));
        }
        Ok(OpeningHours { days, open, close })
    }

    pub fn on(&self, day: Weekday) -> bool {
        self.days & (1 << day.num_days_from_monday()) != 0
    }
}

/// The status of an office with these hours at local time `now`. Lines that
/// do not parse are skipped: import refuses them, so only an old database
/// could hold one.
pub fn status(hours: &[Hours], now: NaiveDateTime) -> OfficeStatus {
    let lines: Vec<OpeningHours> = hours
        .iter()
        .filter_map(|h| OpeningHours::parse(h).ok())
        .collect();
    if lines.is_empty() {
        return OfficeStatus::Unknown;
    }
    let today = now.weekday();
    let t = now.time();
    if let Some(close) = lines
        .iter()
        .filter(|l| l.on(today) && l.open <= t && t < l.close)
        .map(|l| l.close)
        .max()
    {
        return OfficeStatus::OpenUntil(close);
    }
    let later_today = lines
        .iter()
        .filter(|l| l.on(today) && l.open > t)
        .map(|l| l.open)
        .min();
    if let Some(open) = later_today {
        return OfficeStatus::Closed {
            next: Some((today, open)),
        };
    }
    let mut d = today.succ();
    for _ in 0..7 {
        if let Some(open) = lines.iter().filter(|l| l.on(d)).map(|l| l.open).min() {
            return OfficeStatus::Closed {
                next: Some((d, open)),
            };
        }
        d = d.succ();
    }
    OfficeStatus::Closed { next: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn h(days: &str, open: &str, close: &str) -> Hours {
        Hours {
            days: days.into(),
            open: open.into(),
            close: close.into(),
        }
    }

    fn at(y: i32, m: u32, d: u32, hh: u32, mm: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(hh, mm, 0)
            .unwrap()
    }

    fn t(hh: u32, mm: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(hh, mm, 0).unwrap()
    }

    #[test]
    fn parses_the_forms_offices_use() {
        let l = OpeningHours::parse(&h("mon-fri", "08:00", "15:30")).unwrap();
        assert!(l.on(Weekday::Mon) && l.on(Weekday::Fri) && !l.on(Weekday::Sat));
        let l = OpeningHours::parse(&h("fri-mon", "08:00", "12:00")).unwrap();
        assert!(l.on(Weekday::Sun) && !l.on(Weekday::Wed));
        let l = OpeningHours::parse(&h("mon,wed", "08:00", "12:00")).unwrap();
        assert!(l.on(Weekday::Wed) && !l.on(Weekday::Tue));
        assert!(OpeningHours::parse(&h("daily", "00:00", "24:00")).is_ok());
        assert!(OpeningHours::parse(&h("senin", "08:00", "12:00")).is_err());
        assert!(OpeningHours::parse(&h("mon", "8:00", "12:00")).is_err());
        assert!(OpeningHours::parse(&h("mon", "12:00", "08:00")).is_err());
    }

    #[test]
    fn status_through_a_week() {
        let hours = [h("mon-thu", "07:30", "15:30"), h("fri", "07:30", "11:00")];
        // 2026-11-30 is a Monday.
        assert_eq!(
            status(&hours, at(2026, 11, 30, 9, 0)),
            OfficeStatus::OpenUntil(t(15, 30))
        );
        assert_eq!(
            status(&hours, at(2026, 11, 30, 6, 0)),
            OfficeStatus::Closed {
                next: Some((Weekday::Mon, t(7, 30)))
            }
        );
        assert_eq!(
            status(&hours, at(2026, 12, 4, 10, 59)),
            OfficeStatus::OpenUntil(t(11, 0))
        );
        assert_eq!(
            status(&hours, at(2026, 12, 4, 11, 0)),
            OfficeStatus::Closed {
                next: Some((Weekday::Mon, t(7, 30)))
            }
        );
        assert_eq!(status(&[], at(2026, 12, 4, 11, 0)), OfficeStatus::Unknown);
    }
}
