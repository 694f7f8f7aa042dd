//! Hourly usage: what the device was used for is counted per UTC hour in
//! the transaction of the use itself (a Wi-Fi join, a printout), and each
//! finished hour becomes one `usage` event. Counting rather than sending an
//! event per use keeps the outbox small: a busy hour is one event.

use chrono::{DateTime, TimeZone, Timelike, Utc};
use rusqlite::{Connection, params};
use serde_json::{Map, Value, json};

use super::{Kind, add};
use crate::store::Store;
use crate::{Result, timestamp};

/// Counts one use of `what` (`"wifi-join:free"`, `"print:receipt"`) in the
/// hour of `unix_seconds`, in the caller's transaction.
pub(crate) fn count_use(conn: &Connection, what: &str, unix_seconds: i64) -> rusqlite::Result<()> {
    let hour = hour_of(unix_seconds);
    conn.prepare_cached(
        "INSERT INTO usage_hour (hour, what, n) VALUES (?1, ?2, 1)
         ON CONFLICT DO UPDATE SET n = n + 1",
    )?
    .execute(params![hour, what])?;
    Ok(())
}

/// Turns every hour that ended by `now` into one `usage` event (`period`
/// "hour", `from` its start, `counts` per use) and forgets its counts, in
/// one transaction; returns how many events were written.
pub fn summarise_usage<Tz: TimeZone>(store: &Store, now: &DateTime<Tz>) -> Result<usize> {
    let this_hour = hour_of(now.timestamp());
    store.transaction_shared(|tx| {
        let rows: Vec<(String, String, i64)> = tx
            .prepare_cached(
                "SELECT hour, what, n FROM usage_hour WHERE hour < ?1 ORDER BY hour, what",
            )?
            .query_map([&this_hour], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut hours: Vec<(String, Map<String, Value>)> = Vec::new();
        for (hour, what, n) in rows {
            match hours.last_mut() {
                Some((h, counts)) if *h == hour => {
                    counts.insert(what, n.into());
                }
                _ => hours.push((hour, Map::from_iter([(what, n.into())]))),
            }
        }
        for (hour, counts) in &hours {
            add(
                tx,
                Kind::Usage,
                hour,
                json!({"period": "hour", "from": hour, "counts": counts}),
            )?;
        }
        tx.execute("DELETE FROM usage_hour WHERE hour < ?1", [&this_hour])?;
        Ok(hours.len())
    })
}

/// The start of the UTC hour of `unix_seconds`, as stored.
fn hour_of(unix_seconds: i64) -> String {
    let at = Utc
        .timestamp_opt(unix_seconds, 0)
        .single()
        .unwrap_or_default();
    timestamp::format(
        &at.with_minute(0)
            .and_then(|t| t.with_second(0))
            .unwrap_or(at),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::pending;
    use crate::outbox::tests::store;

    #[test]
    fn a_finished_hour_becomes_one_event_and_the_running_hour_waits() {
        let (_dir, store) = store();
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().timestamp();
        for at in ["2026-12-01T01:05:00Z", "2026-12-01T01:59:59Z"] {
            store
                .run(|c| count_use(c, "wifi-join:free", t(at)))
                .unwrap();
        }
        store
            .run(|c| count_use(c, "print:receipt", t("2026-12-01T01:30:00Z")))
            .unwrap();
        store
            .run(|c| count_use(c, "print:receipt", t("2026-12-01T02:00:00Z")))
            .unwrap();
        let now = DateTime::parse_from_rfc3339("2026-12-01T02:10:00Z").unwrap();
        assert_eq!(summarise_usage(&store, &now).unwrap(), 1);
        assert_eq!(summarise_usage(&store, &now).unwrap(), 0);
        let events = pending(&store, 10).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].kind, "usage");
        assert_eq!(events[0].at, "2026-12-01T01:00:00Z");
        assert_eq!(
            Value::Object(events[0].body.clone()),
            json!({"period": "hour", "from": "2026-12-01T01:00:00Z",
                   "counts": {"print:receipt": 1, "wifi-join:free": 2}})
        );
        let later = DateTime::parse_from_rfc3339("2026-12-01T03:00:00Z").unwrap();
        assert_eq!(summarise_usage(&store, &later).unwrap(), 1);
    }
}
