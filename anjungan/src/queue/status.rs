//! What the queue looks like today, per prefix: the number last called and
//! its counter, how many wait. The kiosk's screens, `anjungan queue
//! status`, the dashboard and `/metrics` read it here.

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset};
use rusqlite::params;
use serde::Serialize;

use crate::catalog::Catalog;
use crate::store::Store;
use crate::{Error, Result, timestamp};

/// One prefix today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrefixStatus {
    pub prefix: String,
    /// The number last called (or recalled) and not skipped: the one the
    /// screens show as now served. `None` before the first call.
    pub last_called: Option<String>,
    /// Its counter, when staff named one.
    pub counter: Option<u8>,
    /// When it was last called, RFC 3339, UTC.
    pub called_at: Option<String>,
    /// Numbers taken and not yet called (nor skipped).
    pub waiting: u32,
    /// Numbers taken today.
    pub taken: u32,
    /// When the first number still waiting was taken, RFC 3339, UTC.
    pub waiting_since: Option<String>,
}

/// The queue prefixes of the catalog's services, each once.
pub fn prefixes(catalog: &Catalog) -> BTreeSet<String> {
    catalog
        .services()
        .iter()
        .filter_map(|s| s.queue_prefix.clone())
        .collect()
}

/// `typed` as one of the catalog's prefixes (`a` is `A`), or the refusal
/// that lists them.
pub fn prefix(catalog: &Catalog, typed: &str) -> Result<String> {
    let known = prefixes(catalog);
    let wanted = typed.trim().to_ascii_uppercase();
    if known.contains(&wanted) {
        return Ok(wanted);
    }
    Err(Error::NoSuchQueuePrefix {
        prefix: typed.chars().take(10).collect(),
        known: known.into_iter().collect::<Vec<_>>().join(", "),
    })
}

/// Every prefix of `listed` (with or without tickets) and every prefix with
/// tickets today, in order.
pub fn status(
    store: &Store,
    listed: &BTreeSet<String>,
    now: DateTime<FixedOffset>,
) -> Result<Vec<PrefixStatus>> {
    let day = timestamp::local_day(&now);
    let mut found: Vec<PrefixStatus> = store.run(|conn| {
        conn.prepare(
            "SELECT prefix,
                    COUNT(*) FILTER (WHERE called_at IS NULL),
                    COUNT(*),
                    MIN(taken_at) FILTER (WHERE called_at IS NULL),
                    (SELECT printf('%s%03d', l.prefix, l.seq) || char(9) || COALESCE(l.counter, '')
                            || char(9) || l.announced_at
                     FROM queue_ticket l
                     WHERE l.day = t.day AND l.prefix = t.prefix
                       AND l.announced_at IS NOT NULL AND l.skipped_at IS NULL
                     ORDER BY l.announced_at DESC, l.seq DESC LIMIT 1)
             FROM queue_ticket t WHERE day = ?1 GROUP BY prefix",
        )?
        .query_map(params![day], |r| {
            let last: Option<String> = r.get(4)?;
            let mut last = last.as_deref().map(|l| l.split('\t'));
            let mut part = || last.as_mut().and_then(|p| p.next()).map(str::to_owned);
            Ok(PrefixStatus {
                prefix: r.get(0)?,
                waiting: r.get(1)?,
                taken: r.get(2)?,
                waiting_since: r.get(3)?,
                last_called: part(),
                counter: part().and_then(|c| c.parse().ok()),
                called_at: part(),
            })
        })?
        .collect()
    })?;
    for prefix in listed {
        if !found.iter().any(|s| &s.prefix == prefix) {
            found.push(PrefixStatus {
                prefix: prefix.clone(),
                last_called: None,
                counter: None,
                called_at: None,
                waiting: 0,
                taken: 0,
                waiting_since: None,
            });
        }
    }
    found.sort_by(|a, b| a.prefix.cmp(&b.prefix));
    Ok(found)
}

/// How many numbers of ticket `id`'s prefix, taken before it on its day,
/// are not yet called or skipped: what its holder still waits for.
pub fn waiting_ahead(store: &Store, id: i64) -> Result<u32> {
    store.run(|conn| {
        conn.query_row(
            "SELECT COUNT(*) FROM queue_ticket a JOIN queue_ticket t
               ON a.day = t.day AND a.prefix = t.prefix AND a.seq < t.seq
             WHERE t.id = ?1 AND a.called_at IS NULL",
            [id],
            |r| r.get(0),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::{call_next, skip, take};

    fn at(h: u32) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(&format!("2026-11-30T{h:02}:00:00+07:00")).unwrap()
    }

    #[test]
    fn status_shows_the_last_called_its_counter_and_the_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("q.db")).unwrap();
        let listed: BTreeSet<String> = ["A".into(), "K".into()].into();
        let first = take(&mut s, "A", "svc", at(8)).unwrap();
        for _ in 0..3 {
            take(&mut s, "A", "svc", at(8)).unwrap();
        }
        take(&mut s, "B", "other", at(8)).unwrap();
        call_next(&mut s, "A", Some(2), at(9)).unwrap();
        call_next(&mut s, "A", None, at(10)).unwrap();
        let all = status(&s, &listed, at(10)).unwrap();
        let a = &all[0];
        assert_eq!(
            (
                a.prefix.as_str(),
                a.last_called.as_deref(),
                a.counter,
                a.waiting,
                a.taken
            ),
            ("A", Some("A002"), None, 2, 4)
        );
        assert_eq!(a.called_at.as_deref(), Some("2026-11-30T03:00:00Z"));
        assert_eq!(a.waiting_since.as_deref(), Some("2026-11-30T01:00:00Z"));
        assert_eq!(
            (
                all[1].prefix.as_str(),
                all[1].last_called.as_deref(),
                all[1].waiting
            ),
            ("B", None, 1)
        );
        assert_eq!((all[2].prefix.as_str(), all[2].taken), ("K", 0));
        // A skipped number is no longer shown as served.
        skip(&mut s, "A", None, at(11)).unwrap();
        let a = &status(&s, &listed, at(11)).unwrap()[0];
        assert_eq!((a.last_called.as_deref(), a.waiting), (Some("A003"), 1));
        assert_eq!(waiting_ahead(&s, first.id).unwrap(), 0);
        // Tomorrow starts empty.
        let tomorrow = DateTime::parse_from_rfc3339("2026-12-01T08:00:00+07:00").unwrap();
        assert!(status(&s, &BTreeSet::new(), tomorrow).unwrap().is_empty());
    }

    #[test]
    fn waiting_ahead_falls_as_numbers_are_called() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("q.db")).unwrap();
        let mut last = None;
        for _ in 0..4 {
            last = Some(take(&mut s, "A", "svc", at(8)).unwrap());
        }
        let last = last.unwrap();
        assert_eq!(
            (last.waiting_ahead, waiting_ahead(&s, last.id).unwrap()),
            (3, 3)
        );
        call_next(&mut s, "A", Some(1), at(9)).unwrap();
        call_next(&mut s, "A", Some(2), at(9)).unwrap();
        assert_eq!(waiting_ahead(&s, last.id).unwrap(), 1);
    }

    #[test]
    fn a_prefix_is_one_of_the_catalog_s() {
        let catalog = Catalog::new(crate::catalog::demo::bundle(), None);
        let known = prefixes(&catalog);
        let one = known
            .iter()
            .next()
            .expect("the demo catalog takes queue numbers")
            .clone();
        assert_eq!(prefix(&catalog, &one.to_ascii_lowercase()).unwrap(), one);
        let refused = prefix(&catalog, "ZZ9").unwrap_err().to_string();
        assert!(
            refused.contains(&one) && refused.contains("ZZ9"),
            "{refused}"
        );
    }
}
