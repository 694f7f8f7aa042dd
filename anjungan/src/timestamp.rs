//! The one way a moment is written down: RFC 3339 in UTC, to the second,
//! with `Z` (`2026-11-30T02:05:00Z`), in the database and in what programs
//! report (`interfaces.md`: `"at": "<RFC 3339>"`).
//!
//! One zone and one width for every stored moment, so that SQL compares and
//! orders them as text (`created_at >= ?`) and gets time order, whatever the
//! device's time zone was when each was written.

use chrono::{DateTime, FixedOffset, SecondsFormat, TimeZone, Utc};

/// `at` as stored: RFC 3339, UTC, whole seconds, `Z`.
pub fn format<Tz: TimeZone>(at: &DateTime<Tz>) -> String {
    at.with_timezone(&Utc)
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The device's local date of `now`, `YYYY-MM-DD`: queue numbers restart
/// when the office's day does, not UTC's.
pub fn local_day(now: &DateTime<FixedOffset>) -> String {
    now.date_naive().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wib(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn moments_are_utc_with_z_to_the_second() {
        assert_eq!(
            format(&wib("2026-11-30T09:05:07.9+07:00")),
            "2026-11-30T02:05:07Z"
        );
        // Just after local midnight is still yesterday in UTC.
        assert_eq!(
            format(&wib("2026-12-01T00:30:00+07:00")),
            "2026-11-30T17:30:00Z"
        );
        let written = format(&wib("2026-11-30T09:05:07+07:00"));
        assert_eq!(
            DateTime::parse_from_rfc3339(&written).unwrap(),
            wib("2026-11-30T09:05:07+07:00")
        );
    }

    #[test]
    fn text_order_is_time_order_across_zones() {
        // Written by a device at +08:00 and later by one at +07:00: the
        // later moment is the larger text.
        let earlier = format(&wib("2026-11-30T09:30:00+08:00"));
        let later = format(&wib("2026-11-30T09:00:00+07:00"));
        assert!(earlier < later, "{earlier} {later}");
    }

    #[test]
    fn the_day_is_the_device_s_local_day() {
        assert_eq!(local_day(&wib("2026-12-01T00:30:00+07:00")), "2026-12-01");
        assert_eq!(local_day(&wib("2026-11-30T23:59:59+07:00")), "2026-11-30");
    }
}
