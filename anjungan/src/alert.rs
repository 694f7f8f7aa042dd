//! Alerts for the technician: moments when a citizen at the device needed
//! a person. The kiosk raises them; `anjungan alerts` reads them.

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
    /// RFC 3339, UTC (`timestamp`).
    pub at: String,
    pub kind: String,
    pub detail: String,
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
        conn.prepare("SELECT at, kind, detail FROM alert ORDER BY id DESC LIMIT ?1")?
            .query_map([limit as i64], |r| {
                Ok(Alert {
                    at: r.get(0)?,
                    kind: r.get(1)?,
                    detail: r.get(2)?,
                })
            })?
            .collect()
    })
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
        let events = outbox::pending(&store, 10).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[1].kind, "alert");
        assert_eq!(events[1].at, "2026-11-30T02:02:00Z");
        assert_eq!(events[1].body["detail"], "screen");
    }
}
