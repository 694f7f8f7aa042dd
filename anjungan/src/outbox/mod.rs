//! The outbox: events for the region's hub, kept on the device until the
//! hub has them (interfaces.md, "Events pushed to the hub").
//!
//! Every event is written by the module that records the thing itself, in
//! the same transaction ([`add`]): a survey form and its event, a complaint
//! and its event, are both there after a power cut or neither is. Its id is
//! drawn once (UUID v7) and stored, so every retry of a batch carries the
//! same ids and the hub can tell what it already has. A batch the hub
//! answered 2xx for is deleted ([`mark_sent`]); nothing else removes
//! events, except the size policy of [`bound`], which never touches survey
//! answers or complaints.

mod bound;
mod usage;

pub use bound::{Policy, Trimmed, bound};
pub(crate) use usage::count_use;
pub use usage::summarise_usage;

use rusqlite::{Connection, params};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::Result;
use crate::store::Store;

/// What an event tells of; its code is the event's `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Survey,
    Complaint,
    Alert,
    PrinterFault,
    Usage,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Survey,
        Kind::Complaint,
        Kind::Alert,
        Kind::PrinterFault,
        Kind::Usage,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Survey => "survey",
            Kind::Complaint => "complaint",
            Kind::Alert => "alert",
            Kind::PrinterFault => "printer-fault",
            Kind::Usage => "usage",
        }
    }
}

/// One event as the hub receives it: `id`, `kind`, `at` and the event's
/// own fields beside them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// Order of writing on this device; not sent.
    #[serde(skip)]
    pub seq: i64,
    pub id: String,
    pub kind: String,
    pub at: String,
    #[serde(flatten)]
    pub body: Map<String, Value>,
}

/// Writes one event in the caller's transaction. `at` is a stored moment
/// (`timestamp::format`); `body` the event's own fields.
pub(crate) fn add(conn: &Connection, kind: Kind, at: &str, body: Value) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO outbox (id, kind, at, body) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![
            uuid::Uuid::now_v7().to_string(),
            kind.code(),
            at,
            body.to_string()
        ])?;
    Ok(())
}

/// The oldest `limit` events not yet taken by the hub.
pub fn pending(store: &Store, limit: usize) -> Result<Vec<Event>> {
    store.run(|conn| {
        conn.prepare_cached("SELECT seq, id, kind, at, body FROM outbox ORDER BY seq LIMIT ?1")?
            .query_map([limit as i64], |r| {
                let body: String = r.get(4)?;
                let body = serde_json::from_str(&body).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        4,
                        rusqlite::types::Type::Text,
                        e.into(),
                    )
                })?;
                Ok(Event {
                    seq: r.get(0)?,
                    id: r.get(1)?,
                    kind: r.get(2)?,
                    at: r.get(3)?,
                    body,
                })
            })?
            .collect()
    })
}

/// Forgets the events the hub has stored (it answered 2xx for their
/// batch); returns how many were still there.
pub fn mark_sent(store: &mut Store, sent: &[Event]) -> Result<usize> {
    store.transaction(|tx| {
        let mut delete = tx.prepare_cached("DELETE FROM outbox WHERE seq = ?1")?;
        let mut n = 0;
        for event in sent {
            n += delete.execute([event.seq])?;
        }
        Ok(n)
    })
}

/// How many events of each kind wait, in the order of [`Kind::ALL`].
pub fn waiting(store: &Store) -> Result<Vec<(Kind, i64)>> {
    store.run(|conn| {
        let mut count = conn.prepare_cached("SELECT count(*) FROM outbox WHERE kind = ?1")?;
        Kind::ALL
            .iter()
            .map(|&k| Ok((k, count.query_row([k.code()], |r| r.get(0))?)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub(super) fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.db")).unwrap();
        (dir, store)
    }

    #[test]
    fn events_wait_in_order_with_stable_ids_until_sent() {
        let (_dir, mut store) = store();
        store
            .transaction(|tx| {
                add(
                    tx,
                    Kind::Alert,
                    "2026-12-01T01:00:00Z",
                    json!({"alert": "a"}),
                )?;
                add(
                    tx,
                    Kind::Alert,
                    "2026-12-01T01:00:01Z",
                    json!({"alert": "b"}),
                )?;
                add(
                    tx,
                    Kind::Alert,
                    "2026-12-01T01:00:02Z",
                    json!({"alert": "c"}),
                )
            })
            .unwrap();
        let first = pending(&store, 2).unwrap();
        assert_eq!(first.len(), 2);
        assert_eq!(first[0].body["alert"], "a");
        assert_ne!(first[0].id, first[1].id);
        // A retry reads the very same ids.
        assert_eq!(pending(&store, 2).unwrap(), first);
        let sent = serde_json::to_value(&first[0]).unwrap();
        assert_eq!(
            sent,
            json!({"id": first[0].id, "kind": "alert", "at": "2026-12-01T01:00:00Z", "alert": "a"})
        );
        assert_eq!(mark_sent(&mut store, &first).unwrap(), 2);
        assert_eq!(mark_sent(&mut store, &first).unwrap(), 0);
        let rest = pending(&store, 10).unwrap();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].body["alert"], "c");
        assert_eq!(waiting(&store).unwrap()[2], (Kind::Alert, 1));
    }
}
