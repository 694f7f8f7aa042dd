//! Queue numbers: `A001`, `A002`, ... per prefix, restarting each day,
//! never repeated or skipped, also when two kiosks' prints race or the power
//! goes between taking a number and printing it (the number is committed
//! before anything is printed; a ticket that did not print is printed again,
//! with the same number).
//!
//! This module takes numbers; `calling` is the counters' side (call the
//! next, recall, skip), `status` what the screens and the technician see.

mod calling;
mod status;

pub use calling::{Called, Skipped, call_next, recall, skip};
pub use status::{PrefixStatus, prefix, prefixes, status, waiting_ahead};

use chrono::{DateTime, FixedOffset};
use rusqlite::params;

use crate::store::Store;
use crate::{Result, timestamp};

/// A taken queue number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub id: i64,
    pub day: String,
    pub prefix: String,
    pub seq: u32,
    pub service: String,
    /// Tickets of the same prefix taken earlier today and not yet called
    /// (nor skipped), when this one was taken.
    pub waiting_ahead: u32,
}

impl Ticket {
    /// `A001`; more digits past 999.
    pub fn number(&self) -> String {
        number(&self.prefix, self.seq)
    }
}

/// The number as printed and called: `A001`; more digits past 999.
pub fn number(prefix: &str, seq: u32) -> String {
    format!("{prefix}{seq:03}")
}

/// The highest counter number staff may call to (`anjungan queue call --counter N`).
pub const MAX_COUNTER: u8 = 99;

/// Takes the next number of `prefix` for `service` at `now`, the device's
/// local time (the day is the office's).
pub fn take(
    store: &mut Store,
    prefix: &str,
    service: &str,
    now: DateTime<FixedOffset>,
) -> Result<Ticket> {
    // The store's transactions are IMMEDIATE: the read of the last number
    // and the insert of the next happen under one write lock, so two kiosks
    // never get the same number.
    store.transaction(|tx| take_in(tx, prefix, service, now))
}

/// The next number, inside a write transaction the caller commits (with
/// the print job of the ticket, so neither exists without the other).
pub(crate) fn take_in(
    tx: &rusqlite::Transaction,
    prefix: &str,
    service: &str,
    now: DateTime<FixedOffset>,
) -> rusqlite::Result<Ticket> {
    let day = timestamp::local_day(&now);
    let (seq, ahead): (u32, u32) = tx.query_row(
        "SELECT COALESCE(MAX(seq), 0) + 1, COUNT(*) FILTER (WHERE called_at IS NULL)
         FROM queue_ticket WHERE day = ?1 AND prefix = ?2",
        params![day, prefix],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    tx.execute(
        "INSERT INTO queue_ticket (day, prefix, seq, service, taken_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![day, prefix, seq, service, timestamp::format(&now)],
    )?;
    Ok(Ticket {
        id: tx.last_insert_rowid(),
        day,
        prefix: prefix.to_owned(),
        seq,
        service: service.to_owned(),
        waiting_ahead: ahead,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-`day` at `h`:00 WIB.
    fn at(day: u32, h: u32) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(&format!("2026-11-{day:02}T{h:02}:00:00+07:00")).unwrap()
    }

    #[test]
    fn numbers_per_prefix_restart_each_day() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("q.db")).unwrap();
        let n =
            |store: &mut Store, p: &str, d: u32| take(store, p, "svc", at(d, 9)).unwrap().number();
        assert_eq!(n(&mut store, "A", 30), "A001");
        assert_eq!(n(&mut store, "A", 30), "A002");
        assert_eq!(n(&mut store, "B", 30), "B001");
        assert_eq!(n(&mut store, "A", 29), "A001");
        let t = take(&mut store, "A", "svc", at(30, 10)).unwrap();
        assert_eq!((t.number(), t.waiting_ahead), ("A003".into(), 2));
        let called = call_next(&mut store, "A", None, at(30, 11)).unwrap();
        assert_eq!(called.map(|c| c.number()).as_deref(), Some("A001"));
        let t = take(&mut store, "A", "svc", at(30, 12)).unwrap();
        assert_eq!(t.waiting_ahead, 2);
    }

    #[test]
    fn the_day_turns_at_local_midnight() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("q.db")).unwrap();
        let t = |store: &mut Store, at: &str| {
            let now = DateTime::parse_from_rfc3339(at).unwrap();
            take(store, "A", "svc", now).unwrap()
        };
        assert_eq!(t(&mut store, "2026-11-30T23:50:00+07:00").number(), "A001");
        // 00:10 WIB is still 30 November in UTC, but a new office day.
        let next = t(&mut store, "2026-12-01T00:10:00+07:00");
        assert_eq!(
            (next.number(), next.day.as_str()),
            ("A001".into(), "2026-12-01")
        );
    }

    #[test]
    fn concurrent_takes_never_repeat_or_skip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.db");
        drop(Store::open(&path).unwrap());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut store = Store::open(&path).unwrap();
                    (0..25)
                        .map(|_| take(&mut store, "C", "svc", at(30, 9)).unwrap().seq)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<u32> = threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect();
        all.sort_unstable();
        assert_eq!(all, (1..=100).collect::<Vec<_>>());
    }
}
