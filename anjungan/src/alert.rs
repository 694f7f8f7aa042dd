//! Alerts for the technician: moments when a citizen at the device needed
//! a person. The kiosk raises them; `anjungan alerts` reads them; the
//! technician's dashboard shows them until someone acknowledges each.

use chrono::{DateTime, FixedOffset};
use rusqlite::params;

use crate::store::Store;
use crate::{Result, outbox, timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The "call staff" button, on the panel or on the screen.
    CallStaff,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::CallStaff => "call-staff",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub id: i64,
    /// RFC 3339, UTC (`timestamp`).
    pub at: String,
    pub kind: String,
    pub detail: String,
    /// When a technician acknowledged it on the dashboard (RFC 3339, UTC);
    /// `None` while it is open.
    pub acknowledged_at: Option<String>,
}

/// Records an alert, and its event for the hub; `detail` says where it
/// came from ("panel button").
pub fn raise(store: &Store, kind: Kind, detail: &str, now: DateTime<FixedOffset>) -> Result<()> {
    let at = timestamp::format(&now);
    store.transaction_shared(|tx| {
        tx.execute(
            "INSERT INTO alert (at, kind, detail) VALUES (?1, ?2, ?3)",
            params![at, kind.code(), detail],
        )?;
        outbox::add(
            tx,
            outbox::Kind::Alert,
            &at,
            serde_json::json!({"alert": kind.code(), "detail": detail}),
        )
    })
}

/// The last `limit` alerts, newest first.
pub fn recent(store: &Store, limit: usize) -> Result<Vec<Alert>> {
    store.run(|conn| {
        conn.prepare(
            "SELECT id, at, kind, detail, acknowledged_at FROM alert ORDER BY id DESC LIMIT ?1",
        )?
        .query_map([limit as i64], |r| {
            Ok(Alert {
                id: r.get(0)?,
                at: r.get(1)?,
                kind: r.get(2)?,
                detail: r.get(3)?,
                acknowledged_at: r.get(4)?,
            })
        })?
        .collect()
    })
}

/// How many alerts are open (not acknowledged), and when the newest of
/// them was raised (RFC 3339, UTC).
pub fn open(store: &Store) -> Result<(u64, Option<String>)> {
    store.run(|conn| {
        conn.query_row(
            "SELECT COUNT(*), MAX(at) FROM alert WHERE acknowledged_at IS NULL",
            [],
            |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)),
        )
    })
}

/// Marks alert `id` as seen; false when there is no open alert with that id.
pub fn acknowledge<Tz: chrono::TimeZone>(
    store: &Store,
    id: i64,
    now: DateTime<Tz>,
) -> Result<bool> {
    let changed = store.run(|conn| {
        conn.execute(
            "UPDATE alert SET acknowledged_at = ?2 WHERE id = ?1 AND acknowledged_at IS NULL",
            params![id, timestamp::format(&now)],
        )
    })?;
    Ok(changed == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_are_kept_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.db")).unwrap();
        let at =
            |m| DateTime::parse_from_rfc3339(&format!("2026-11-30T09:{m:02}:00+07:00")).unwrap();
        raise(&store, Kind::CallStaff, "panel button", at(1)).unwrap();
        raise(&store, Kind::CallStaff, "screen", at(2)).unwrap();
        let alerts = recent(&store, 10).unwrap();
        assert_eq!(alerts.len(), 2);
        assert_eq!(alerts[0].detail, "screen");
        assert_eq!(alerts[0].at, "2026-11-30T02:02:00Z");
        assert_eq!(alerts[1].kind, "call-staff");
        assert_eq!(recent(&store, 1).unwrap().len(), 1);

        assert_eq!(alerts[0].acknowledged_at, None);
        assert!(acknowledge(&store, alerts[0].id, at(5)).unwrap());
        assert!(!acknowledge(&store, alerts[0].id, at(6)).unwrap(), "once");
        assert!(!acknowledge(&store, 999, at(6)).unwrap());
        let alerts = recent(&store, 10).unwrap();
        assert_eq!(
            alerts[0].acknowledged_at.as_deref(),
            Some("2026-11-30T02:05:00Z")
        );
        assert_eq!(alerts[1].acknowledged_at, None);
        let events = outbox::pending(&store, 10).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[1].kind, "alert");
        assert_eq!(events[1].at, "2026-11-30T02:02:00Z");
        assert_eq!(events[1].body["detail"], "screen");
    }
}
