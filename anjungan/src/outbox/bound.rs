//! The outbox's size on the device, when the hub is away for long: usage
//! is summarised (hours merged into days), alerts and printer faults beyond
//! a cap lose their oldest, and survey answers and complaints are never
//! touched: they are what the region asked citizens for.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{Kind, add};
use crate::Result;
use crate::store::Store;

/// How much the outbox keeps of what may be summarised or dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Hourly usage events kept as they are; older ones are merged per UTC day.
    pub usage_events: u64,
    /// Alerts, and printer faults, kept each; older ones are dropped.
    pub alerts_and_faults: u64,
    /// The oldest events a push may have in flight. They are never merged:
    /// a hub that stored them before a power cut would count a merged day
    /// again under its new id.
    pub in_flight: u64,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            // Two weeks of hours, and then days: a month away is ~350 rows.
            usage_events: 14 * 24,
            alerts_and_faults: 10_000,
            in_flight: 500,
        }
    }
}

/// What [`bound`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Trimmed {
    /// Hourly usage events merged into daily ones.
    pub usage_merged: u64,
    /// Alerts and printer faults dropped.
    pub dropped: u64,
}

/// Brings the outbox within `policy`, in one transaction.
pub fn bound(store: &Store, policy: Policy) -> Result<Trimmed> {
    store.transaction_shared(|tx| {
        let mut trimmed = Trimmed::default();
        let first_free: i64 = tx.query_row(
            "SELECT coalesce(max(seq), 0) FROM (SELECT seq FROM outbox ORDER BY seq LIMIT ?1)",
            [policy.in_flight as i64],
            |r| r.get(0),
        )?;
        let usage: i64 = tx.query_row(
            "SELECT count(*) FROM outbox WHERE kind = 'usage' AND body ->> '$.period' = 'hour'",
            [],
            |r| r.get(0),
        )?;
        let usage = usage as u64;
        if usage > policy.usage_events {
            let surplus = usage - policy.usage_events;
            let old: Vec<(i64, String, String)> = tx
                .prepare(
                    "SELECT seq, at, body FROM outbox
                     WHERE kind = 'usage' AND seq > ?1 AND body ->> '$.period' = 'hour'
                     ORDER BY seq LIMIT ?2",
                )?
                .query_map(params(first_free, surplus), |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let mut days: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
            for (seq, at, body) in &old {
                let day = format!("{}T00:00:00Z", &at[..10.min(at.len())]);
                let counts = days.entry(day).or_default();
                let body: Value = serde_json::from_str(body).unwrap_or_default();
                if let Some(Value::Object(hour)) = body.get("counts") {
                    for (what, n) in hour {
                        let sum = counts.get(what).and_then(Value::as_i64).unwrap_or(0)
                            + n.as_i64().unwrap_or(0);
                        counts.insert(what.clone(), sum.into());
                    }
                }
                tx.execute("DELETE FROM outbox WHERE seq = ?1", [seq])?;
            }
            for (day, counts) in &days {
                add(
                    tx,
                    Kind::Usage,
                    day,
                    json!({"period": "day", "from": day, "counts": counts}),
                )?;
            }
            trimmed.usage_merged = old.len() as u64;
        }
        for kind in [Kind::Alert, Kind::PrinterFault] {
            trimmed.dropped += tx.execute(
                "DELETE FROM outbox WHERE seq IN (
                     SELECT seq FROM outbox WHERE kind = ?1 ORDER BY seq DESC LIMIT -1 OFFSET ?2)",
                rusqlite::params![kind.code(), policy.alerts_and_faults as i64],
            )? as u64;
        }
        Ok(trimmed)
    })
}

fn params(first_free: i64, surplus: u64) -> [i64; 2] {
    [first_free, surplus as i64]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::tests::store;
    use crate::outbox::{pending, waiting};

    #[test]
    fn usage_is_merged_and_alerts_capped_but_surveys_and_complaints_stay() {
        let (_dir, store) = store();
        store
            .transaction_shared(|tx| {
                for i in 0..1000 {
                    add(tx, Kind::Survey, "2026-11-01T00:00:00Z", json!({"n": i}))?;
                    add(tx, Kind::Complaint, "2026-11-01T00:00:00Z", json!({"n": i}))?;
                }
                for h in 0..48 {
                    let at = format!("2026-11-{:02}T{:02}:00:00Z", 2 + h / 24, h % 24);
                    add(
                        tx,
                        Kind::Usage,
                        &at,
                        json!({"period": "hour", "from": at, "counts": {"print:receipt": 2}}),
                    )?;
                    add(tx, Kind::Alert, &at, json!({"alert": h}))?;
                }
                Ok(())
            })
            .unwrap();
        let policy = Policy {
            usage_events: 10,
            alerts_and_faults: 5,
            in_flight: 3,
        };
        let trimmed = bound(&store, policy).unwrap();
        assert_eq!(trimmed.usage_merged, 38);
        assert_eq!(trimmed.dropped, 43);
        let waiting = waiting(&store).unwrap();
        assert_eq!(waiting[0], (Kind::Survey, 1000));
        assert_eq!(waiting[1], (Kind::Complaint, 1000));
        assert_eq!(waiting[2], (Kind::Alert, 5));
        // 10 hours kept, 38 merged into the two days they were in.
        assert_eq!(waiting[4], (Kind::Usage, 12));
        let usage: i64 = pending(&store, 10_000)
            .unwrap()
            .iter()
            .filter(|e| e.kind == "usage")
            .map(|e| e.body["counts"]["print:receipt"].as_i64().unwrap())
            .sum();
        assert_eq!(usage, 96, "merging keeps every count");
        assert_eq!(bound(&store, policy).unwrap(), Trimmed::default());
    }
}
