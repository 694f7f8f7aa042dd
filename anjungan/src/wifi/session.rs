//! Visitors' sessions: who joined, from which address, until when; and the
//! limits on joining (session length, daily time per visitor).
//!
//! The database is the record the portal rebuilds the firewall from after a
//! crash or a reboot, so a session is written here before the firewall lets
//! the visitor out.

use std::net::Ipv4Addr;

use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use super::Mac;
use crate::Result;
use crate::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum JoinMethod {
    ClickThrough,
    Voucher,
    /// A name and password the region's RADIUS server accepted.
    Radius,
}

impl JoinMethod {
    fn as_str(self) -> &'static str {
        match self {
            JoinMethod::ClickThrough => "click-through",
            JoinMethod::Voucher => "voucher",
            JoinMethod::Radius => "radius",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    pub id: i64,
    #[serde(serialize_with = "serialize_display")]
    pub mac: Mac,
    pub ip: Ipv4Addr,
    /// Unix seconds.
    pub started_at: i64,
    /// Unix seconds; the firewall lets the visitor out until then.
    pub expires_at: i64,
    pub method: JoinMethod,
}

impl Session {
    pub fn seconds_left(&self, now: i64) -> i64 {
        (self.expires_at - now).max(0)
    }
}

fn serialize_display<S: serde::Serializer>(m: &Mac, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(m)
}

/// The limits a joining must keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest session, seconds.
    pub session_seconds: i64,
    /// Most internet time one visitor (MAC) gets per day, seconds.
    pub daily_seconds: i64,
}

/// How long a new session may last, given what the visitor already used
/// today; `None` when today's time is used up.
pub fn grant(limits: Limits, used_today: i64) -> Option<i64> {
    let left = limits.daily_seconds - used_today;
    // Less than a minute left is not worth a sign-in.
    (left >= 60).then(|| left.min(limits.session_seconds))
}

/// Records a new session, counted in the hour's usage
/// (`wifi-join:METHOD`); returns it with its id.
pub fn record(
    store: &Store,
    mac: Mac,
    ip: Ipv4Addr,
    now: i64,
    expires_at: i64,
    method: JoinMethod,
    voucher: Option<&str>,
) -> Result<Session> {
    let id = store.transaction_shared(|conn| {
        crate::outbox::count_use(conn, &format!("wifi-join:{}", method.as_str()), now)?;
        conn.execute(
            "INSERT INTO wifi_session (mac, ip, started_at, expires_at, method, voucher)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                mac.to_string(),
                ip.to_string(),
                now,
                expires_at,
                method.as_str(),
                voucher.and_then(super::voucher::normalize)
            ],
        )?;
        Ok(conn.last_insert_rowid())
    })?;
    Ok(Session {
        id,
        mac,
        ip,
        started_at: now,
        expires_at,
        method,
    })
}

/// The sessions still running at `now`, oldest first.
pub fn live(store: &Store, now: i64) -> Result<Vec<Session>> {
    store.run(|conn| {
        let mut stmt = conn.prepare_cached(
            "SELECT id, mac, ip, started_at, expires_at, method FROM wifi_session
             WHERE ended_at IS NULL AND expires_at > ?1 ORDER BY id",
        )?;
        let mut sessions = Vec::new();
        for row in stmt.query_map([now], from_row)? {
            // A row a person edited into nonsense is skipped, not fatal: the
            // portal must come up.
            if let Some(s) = row? {
                sessions.push(s);
            }
        }
        Ok(sessions)
    })
}

/// The latest time any session records, its start or its end; `None` with
/// no session at all. A clock that reads earlier than this is wrong (a
/// device without a real-time clock that has not found the time yet).
pub fn newest_record(store: &Store) -> Result<Option<i64>> {
    store.run(|conn| {
        conn.query_row(
            "SELECT MAX(MAX(started_at, COALESCE(ended_at, started_at))) FROM wifi_session",
            [],
            |r| r.get(0),
        )
    })
}

/// When each session begun since `since` started (Unix seconds, oldest
/// first): the dashboard's joins per hour and per day.
pub fn started_since(store: &Store, since: i64) -> Result<Vec<i64>> {
    store.run(|conn| {
        conn.prepare_cached(
            "SELECT started_at FROM wifi_session WHERE started_at >= ?1 ORDER BY started_at",
        )?
        .query_map([since], |r| r.get(0))?
        .collect()
    })
}

/// Gives live session `id` `seconds` more; false when it is not live. The
/// firewall is the caller's to tell.
pub fn extend(store: &Store, id: i64, seconds: i64, now: i64) -> Result<Option<i64>> {
    store.run(|conn| {
        conn.query_row(
            "UPDATE wifi_session SET expires_at = expires_at + ?2
             WHERE id = ?1 AND ended_at IS NULL AND expires_at > ?3 RETURNING expires_at",
            params![id, seconds, now],
            |r| r.get(0),
        )
        .optional()
    })
}

/// The visitor came back with a new IP address (same MAC): the session
/// follows it. Only a session not ended moves (an ended one must never be
/// let out again); false when nothing moved.
pub fn move_to(store: &Store, id: i64, ip: Ipv4Addr) -> Result<bool> {
    let moved = store.run(|conn| {
        conn.execute(
            "UPDATE wifi_session SET ip = ?2 WHERE id = ?1 AND ended_at IS NULL",
            params![id, ip.to_string()],
        )
    })?;
    Ok(moved == 1)
}

/// Ends a session now (a join the firewall could not carry out).
pub fn end(store: &Store, id: i64, now: i64) -> Result<()> {
    end_as(store, id, now, false)
}

/// Ends a session now because a technician said so: its visitor waits
/// before joining again (`last_kicked`).
pub fn kick(store: &Store, id: i64, now: i64) -> Result<()> {
    end_as(store, id, now, true)
}

fn end_as(store: &Store, id: i64, now: i64, kicked: bool) -> Result<()> {
    store.run(|conn| {
        conn.execute(
            "UPDATE wifi_session SET ended_at = ?2, expires_at = MIN(expires_at, MAX(?2, started_at + 1)), kicked = ?3
             WHERE id = ?1 AND ended_at IS NULL",
            params![id, now, kicked],
        )
    })?;
    Ok(())
}

/// When a technician last ended a session of `mac` (Unix seconds), if
/// ever.
pub fn last_kicked(store: &Store, mac: Mac) -> Result<Option<i64>> {
    store.run(|conn| {
        conn.query_row(
            "SELECT MAX(ended_at) FROM wifi_session WHERE mac = ?1 AND kicked = 1",
            [mac.to_string()],
            |r| r.get(0),
        )
    })
}

/// Seconds of internet `mac` had (or has booked) since `since`.
pub fn used_since(store: &Store, mac: Mac, since: i64) -> Result<i64> {
    store.run(|conn| {
        conn.query_row(
            "SELECT COALESCE(SUM(MIN(COALESCE(ended_at, expires_at), expires_at) - MAX(started_at, ?2)), 0)
             FROM wifi_session
             WHERE mac = ?1 AND MIN(COALESCE(ended_at, expires_at), expires_at) > ?2",
            params![mac.to_string(), since],
            |r| r.get(0),
        )
    })
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Option<Session>> {
    let mac: String = r.get(1)?;
    let ip: String = r.get(2)?;
    let method: String = r.get(5)?;
    let method = match method.as_str() {
        "voucher" => JoinMethod::Voucher,
        "radius" => JoinMethod::Radius,
        _ => JoinMethod::ClickThrough,
    };
    let (Ok(mac), Ok(ip)) = (mac.parse(), ip.parse()) else {
        return Ok(None);
    };
    Ok(Some(Session {
        id: r.get(0)?,
        mac,
        ip,
        started_at: r.get(3)?,
        expires_at: r.get(4)?,
        method,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHONE: Mac = Mac([0, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e]);
    const IP: Ipv4Addr = Ipv4Addr::new(10, 42, 0, 100);

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.db")).unwrap();
        (dir, store)
    }

    #[test]
    fn live_sessions_are_those_not_ended_nor_expired() {
        let (_d, s) = store();
        let a = record(&s, PHONE, IP, 100, 200, JoinMethod::ClickThrough, None).unwrap();
        let b = record(
            &s,
            Mac([2; 6]),
            Ipv4Addr::new(10, 42, 0, 101),
            100,
            400,
            JoinMethod::Voucher,
            None,
        )
        .unwrap();
        assert_eq!(live(&s, 150).unwrap(), vec![a.clone(), b.clone()]);
        assert_eq!(live(&s, 200).unwrap(), vec![b.clone()]);
        end(&s, b.id, 250).unwrap();
        assert!(live(&s, 250).unwrap().is_empty());
        assert!(move_to(&s, a.id, Ipv4Addr::new(10, 42, 0, 7)).unwrap());
        assert_eq!(live(&s, 150).unwrap()[0].ip, Ipv4Addr::new(10, 42, 0, 7));
        assert!(
            !move_to(&s, b.id, Ipv4Addr::new(10, 42, 0, 8)).unwrap(),
            "an ended session does not move"
        );
    }

    #[test]
    fn daily_use_counts_only_today_and_only_until_the_end() {
        let (_d, s) = store();
        // Yesterday 23:30 to today 00:30: half an hour counts.
        record(
            &s,
            PHONE,
            IP,
            1_000 - 1_800,
            1_000 + 1_800,
            JoinMethod::ClickThrough,
            None,
        )
        .unwrap();
        let c = record(&s, PHONE, IP, 5_000, 8_600, JoinMethod::ClickThrough, None).unwrap();
        end(&s, c.id, 5_600).unwrap();
        assert_eq!(used_since(&s, PHONE, 1_000).unwrap(), 1_800 + 600);
        assert_eq!(used_since(&s, Mac([9; 6]), 1_000).unwrap(), 0);
    }

    #[test]
    fn only_a_technician_s_end_is_remembered_as_a_kick() {
        let (_d, s) = store();
        let a = record(&s, PHONE, IP, 100, 900, JoinMethod::ClickThrough, None).unwrap();
        end(&s, a.id, 200).unwrap();
        assert_eq!(last_kicked(&s, PHONE).unwrap(), None);
        let b = record(&s, PHONE, IP, 300, 900, JoinMethod::ClickThrough, None).unwrap();
        kick(&s, b.id, 400).unwrap();
        assert_eq!(last_kicked(&s, PHONE).unwrap(), Some(400));
        assert!(live(&s, 400).unwrap().is_empty());
        assert_eq!(last_kicked(&s, Mac([9; 6])).unwrap(), None);
    }

    #[test]
    fn only_a_live_session_is_extended_and_starts_are_read_for_charts() {
        let (_d, s) = store();
        let a = record(&s, PHONE, IP, 100, 900, JoinMethod::ClickThrough, None).unwrap();
        assert_eq!(
            extend(&s, a.id, 1_800, 200).unwrap(),
            Some(a.expires_at + 1_800)
        );
        assert_eq!(live(&s, 200).unwrap()[0].expires_at, a.expires_at + 1_800);
        assert_eq!(
            extend(&s, a.id, 60, a.expires_at + 1_800).unwrap(),
            None,
            "expired"
        );
        let b = record(&s, Mac([9; 6]), IP, 300, 900, JoinMethod::Voucher, None).unwrap();
        kick(&s, b.id, 400).unwrap();
        assert_eq!(extend(&s, b.id, 60, 400).unwrap(), None, "ended");
        assert_eq!(extend(&s, 999, 60, 400).unwrap(), None);
        assert_eq!(started_since(&s, 0).unwrap(), [100, 300]);
        assert_eq!(started_since(&s, 101).unwrap(), [300]);
    }

    #[test]
    fn grant_is_the_shorter_of_session_and_what_is_left_today() {
        let l = Limits {
            session_seconds: 3_600,
            daily_seconds: 7_200,
        };
        assert_eq!(grant(l, 0), Some(3_600));
        assert_eq!(grant(l, 5_000), Some(2_200));
        assert_eq!(grant(l, 7_170), None);
    }
}
