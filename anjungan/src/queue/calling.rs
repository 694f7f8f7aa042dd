//! The counters' side of the queue: call the next waiting number of a
//! prefix to a counter, call the same number again, skip a citizen who did
//! not come. The command line and the technician's dashboard both call
//! these; each is one IMMEDIATE transaction, so two counters calling at the
//! same moment never get the same number.
//!
//! A counter serves one citizen at a time: when it calls the next number,
//! the one it was serving is served. Only today's tickets (the office's
//! local day, as numbers are taken) are called.

use chrono::{DateTime, FixedOffset};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use crate::store::Store;
use crate::{Error, Result, timestamp};

/// A number called (or called again) to a counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Called {
    pub prefix: String,
    pub seq: u32,
    /// The service it was taken for (its catalog id).
    pub service: String,
    /// The counter it was called to; `None` when staff named none.
    pub counter: Option<u8>,
    /// The last call or recall, RFC 3339, UTC.
    pub at: String,
}

impl Called {
    pub fn number(&self) -> String {
        super::number(&self.prefix, self.seq)
    }
}

/// A skip: the number nobody answered, and the next one called instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub skipped: Called,
    pub next: Option<Called>,
}

/// Calls the next waiting number of `prefix` today to `counter`; the number
/// that counter was serving is then served. `None` when nobody waits.
pub fn call_next(
    store: &mut Store,
    prefix: &str,
    counter: Option<u8>,
    now: DateTime<FixedOffset>,
) -> Result<Option<Called>> {
    check_counter(counter)?;
    store.transaction(|tx| call_next_in(tx, prefix, counter, now))
}

/// Calls again the number now served for `prefix` (at `counter`, when
/// given): the screens show it anew. `None` when no number of the prefix
/// is being served.
pub fn recall(
    store: &mut Store,
    prefix: &str,
    counter: Option<u8>,
    now: DateTime<FixedOffset>,
) -> Result<Option<Called>> {
    check_counter(counter)?;
    store.transaction(|tx| {
        let Some(id) = current(tx, prefix, counter, now)? else {
            return Ok(None);
        };
        tx.query_row(
            &format!("UPDATE queue_ticket SET announced_at = ?2 WHERE id = ?1 RETURNING {CALLED}"),
            params![id, timestamp::format(&now)],
            called,
        )
        .map(Some)
    })
}

/// Marks the number now served for `prefix` (at `counter`, when given) as
/// not served (the citizen did not come) and calls the next to the same
/// counter. `None` when no number of the prefix is being served.
pub fn skip(
    store: &mut Store,
    prefix: &str,
    counter: Option<u8>,
    now: DateTime<FixedOffset>,
) -> Result<Option<Skipped>> {
    check_counter(counter)?;
    store.transaction(|tx| {
        let Some(id) = current(tx, prefix, counter, now)? else {
            return Ok(None);
        };
        let skipped = tx.query_row(
            &format!("UPDATE queue_ticket SET skipped_at = ?2 WHERE id = ?1 RETURNING {CALLED}"),
            params![id, timestamp::format(&now)],
            called,
        )?;
        let next = call_next_in(tx, prefix, skipped.counter, now)?;
        Ok(Some(Skipped { skipped, next }))
    })
}

fn check_counter(counter: Option<u8>) -> Result<()> {
    match counter {
        Some(n) if !(1..=super::MAX_COUNTER).contains(&n) => {
            Err(Error::QueueCounter { counter: n })
        }
        _ => Ok(()),
    }
}

/// The columns a [`Called`] is read from, in [`called`]'s order.
const CALLED: &str = "prefix, seq, service, counter, announced_at";

fn called(r: &rusqlite::Row) -> rusqlite::Result<Called> {
    Ok(Called {
        prefix: r.get(0)?,
        seq: r.get(1)?,
        service: r.get(2)?,
        counter: r.get(3)?,
        at: r.get(4)?,
    })
}

fn call_next_in(
    tx: &Transaction,
    prefix: &str,
    counter: Option<u8>,
    now: DateTime<FixedOffset>,
) -> rusqlite::Result<Option<Called>> {
    let day = timestamp::local_day(&now);
    let at = timestamp::format(&now);
    let next = tx
        .query_row(
            &format!(
                "UPDATE queue_ticket SET called_at = ?3, announced_at = ?3, counter = ?4
                 WHERE id = (SELECT id FROM queue_ticket
                             WHERE day = ?1 AND prefix = ?2 AND called_at IS NULL
                             ORDER BY seq LIMIT 1)
                 RETURNING id, {CALLED}"
            ),
            params![day, prefix, at, counter],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    Called {
                        prefix: r.get(1)?,
                        seq: r.get(2)?,
                        service: r.get(3)?,
                        counter: r.get(4)?,
                        at: r.get(5)?,
                    },
                ))
            },
        )
        .optional()?;
    let Some((id, next)) = next else {
        // Nobody waits: the counter keeps serving whom it serves.
        return Ok(None);
    };
    // The counter's previous citizen (of any prefix: one counter may call
    // several) is served now. Without a counter, the prefix's own.
    tx.execute(
        "UPDATE queue_ticket SET served_at = ?3
         WHERE day = ?1 AND id != ?2 AND called_at IS NOT NULL
           AND served_at IS NULL AND skipped_at IS NULL
           AND CASE WHEN ?4 IS NULL THEN counter IS NULL AND prefix = ?5 ELSE counter = ?4 END",
        params![day, id, at, counter, prefix],
    )?;
    Ok(Some(next))
}

/// The ticket now served for `prefix` today (at `counter`, when given): the
/// last one called and neither served nor skipped.
fn current(
    tx: &Transaction,
    prefix: &str,
    counter: Option<u8>,
    now: DateTime<FixedOffset>,
) -> rusqlite::Result<Option<i64>> {
    tx.query_row(
        "SELECT id FROM queue_ticket
         WHERE day = ?1 AND prefix = ?2 AND called_at IS NOT NULL
           AND served_at IS NULL AND skipped_at IS NULL
           AND (?3 IS NULL OR counter = ?3)
         ORDER BY called_at DESC, seq DESC LIMIT 1",
        params![timestamp::local_day(&now), prefix, counter],
        |r| r.get(0),
    )
    .optional()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::{take, waiting_ahead};

    /// 2026-11-30 at `h`:`m` WIB.
    fn at(h: u32, m: u32) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(&format!("2026-11-30T{h:02}:{m:02}:00+07:00")).unwrap()
    }

    fn store_with(tickets: &[(&str, u32)]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("q.db")).unwrap();
        for &(prefix, n) in tickets {
            for _ in 0..n {
                take(&mut store, prefix, "svc", at(8, 0)).unwrap();
            }
        }
        (dir, store)
    }

    fn number(c: Option<Called>) -> Option<String> {
        c.map(|c| c.number())
    }

    #[test]
    fn calls_in_order_per_prefix_and_says_when_nobody_waits() {
        let (_dir, mut s) = store_with(&[("A", 2), ("B", 1)]);
        let call = |s: &mut Store, p, c| number(call_next(s, p, c, at(9, 0)).unwrap());
        assert_eq!(call(&mut s, "A", Some(1)).as_deref(), Some("A001"));
        assert_eq!(call(&mut s, "B", Some(2)).as_deref(), Some("B001"));
        assert_eq!(call(&mut s, "A", Some(3)).as_deref(), Some("A002"));
        assert_eq!(call(&mut s, "A", Some(1)), None);
        assert_eq!(call(&mut s, "C", None), None);
    }

    #[test]
    fn a_counter_calling_the_next_has_served_its_last() {
        let (_dir, mut s) = store_with(&[("A", 3)]);
        call_next(&mut s, "A", Some(1), at(9, 0)).unwrap();
        call_next(&mut s, "A", Some(2), at(9, 1)).unwrap();
        // Counter 1 calls A003: A001 is served, A002 (counter 2) is not.
        call_next(&mut s, "A", Some(1), at(9, 2)).unwrap();
        let recalled = recall(&mut s, "A", Some(2), at(9, 3)).unwrap().unwrap();
        assert_eq!(
            (recalled.number(), recalled.counter),
            ("A002".into(), Some(2))
        );
        assert_eq!(recalled.at, "2026-11-30T02:03:00Z");
        let recalled = recall(&mut s, "A", Some(1), at(9, 4)).unwrap().unwrap();
        assert_eq!(recalled.number(), "A003");
        assert_eq!(recall(&mut s, "A", Some(4), at(9, 4)).unwrap(), None);
        // Without a counter: the prefix's last called.
        assert_eq!(
            number(recall(&mut s, "A", None, at(9, 5)).unwrap()).as_deref(),
            Some("A003")
        );
    }

    #[test]
    fn skip_leaves_the_absent_and_calls_the_next_to_the_same_counter() {
        let (_dir, mut s) = store_with(&[("A", 3)]);
        assert_eq!(skip(&mut s, "A", None, at(9, 0)).unwrap(), None);
        call_next(&mut s, "A", Some(5), at(9, 0)).unwrap();
        let skipped = skip(&mut s, "A", None, at(9, 1)).unwrap().unwrap();
        assert_eq!(skipped.skipped.number(), "A001");
        let next = skipped.next.unwrap();
        assert_eq!((next.number(), next.counter), ("A002".into(), Some(5)));
        // The skipped one is not called again, nor counted as waiting.
        assert_eq!(
            number(recall(&mut s, "A", Some(5), at(9, 2)).unwrap()).as_deref(),
            Some("A002")
        );
        let last = take(&mut s, "A", "svc", at(9, 3)).unwrap();
        assert_eq!(last.waiting_ahead, 1);
        assert_eq!(waiting_ahead(&s, last.id).unwrap(), 1);
    }

    #[test]
    fn only_today_s_numbers_are_called() {
        let (_dir, mut s) = store_with(&[("A", 1)]);
        let tomorrow = DateTime::parse_from_rfc3339("2026-12-01T08:00:00+07:00").unwrap();
        assert_eq!(call_next(&mut s, "A", None, tomorrow).unwrap(), None);
        // Just before the office's midnight is still the 30th.
        let late = DateTime::parse_from_rfc3339("2026-11-30T23:59:00+07:00").unwrap();
        assert_eq!(
            number(call_next(&mut s, "A", None, late).unwrap()).as_deref(),
            Some("A001")
        );
    }

    #[test]
    fn a_counter_out_of_range_is_refused() {
        let (_dir, mut s) = store_with(&[("A", 1)]);
        let refused = call_next(&mut s, "A", Some(0), at(9, 0)).unwrap_err();
        assert!(refused.to_string().contains("1 to 99"), "{refused}");
        assert!(call_next(&mut s, "A", Some(100), at(9, 0)).is_err());
    }

    #[test]
    fn two_counters_calling_at_once_never_get_the_same_number() {
        let (dir, s) = store_with(&[("A", 60)]);
        drop(s);
        let path = dir.path().join("q.db");
        let counters: Vec<_> = [1u8, 2]
            .into_iter()
            .map(|counter| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut store = Store::open(&path).unwrap();
                    let mut got = Vec::new();
                    while let Some(c) = call_next(&mut store, "A", Some(counter), at(9, 0)).unwrap()
                    {
                        assert_eq!(c.counter, Some(counter));
                        got.push(c.seq);
                    }
                    got
                })
            })
            .collect();
        let per_counter: Vec<Vec<u32>> = counters.into_iter().map(|t| t.join().unwrap()).collect();
        let mut all: Vec<u32> = per_counter.concat();
        all.sort_unstable();
        assert_eq!(all, (1..=60).collect::<Vec<_>>());
        // Each counter's own calls come in order.
        for got in per_counter {
            assert!(got.is_sorted(), "{got:?}");
        }
    }
}
