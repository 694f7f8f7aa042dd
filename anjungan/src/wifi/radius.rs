//! Sessions granted by a RADIUS server: what the server said of each (the
//! attributes the portal honours), its usage so far, why it ended, and the
//! accounting records not yet acknowledged. The packets themselves are the
//! portal's business; records are kept here as opaque bytes, so they
//! survive a restart and are sent again until a server answers.

use std::net::Ipv4Addr;

use rusqlite::{OptionalExtension, params};

use super::Mac;
use super::session::{JoinMethod, Session};
use crate::Result;
use crate::store::Store;

/// What the server granted with an Access-Accept, beyond the session's end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grant {
    pub username: String,
    /// Sent back in every accounting record (RFC 2865 5.25).
    pub class: Option<Vec<u8>>,
    /// Seconds without traffic after which the session ends.
    pub idle_timeout: Option<i64>,
    /// Seconds between Interim-Update records.
    pub interim_interval: Option<i64>,
    /// WISPr-Bandwidth-Max-Up/Down, bit/s.
    pub max_up_bps: Option<i64>,
    pub max_down_bps: Option<i64>,
    /// ChilliSpot-Max-Total-Octets.
    pub max_total_octets: Option<i64>,
}

/// Bytes and packets of a session; `input` is what the visitor sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub input_octets: u64,
    pub output_octets: u64,
    pub input_packets: u64,
    pub output_packets: u64,
}

impl Usage {
    pub fn total_octets(&self) -> u64 {
        self.input_octets.saturating_add(self.output_octets)
    }
}

/// A RADIUS session whose accounting is not finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub session: Session,
    /// When the session ended, if it did (else it ends at `expires_at`).
    pub ended_at: Option<i64>,
    /// A technician ended it.
    pub kicked: bool,
    pub acct_session_id: String,
    pub grant: Grant,
    pub last_interim_at: i64,
    pub active_at: i64,
    pub usage: Usage,
    /// Why the portal ended it (an Acct-Terminate-Cause value), if it did.
    pub terminate_cause: Option<u32>,
}

/// Records a session granted by RADIUS with what the server said, in one
/// transaction with the session itself.
pub fn record(
    store: &mut Store,
    mac: Mac,
    ip: Ipv4Addr,
    now: i64,
    expires_at: i64,
    grant: &Grant,
) -> Result<(Session, String)> {
    store.transaction(|tx| {
        tx.execute(
            "INSERT INTO wifi_session (mac, ip, started_at, expires_at, method)
             VALUES (?1, ?2, ?3, ?4, 'radius')",
            params![mac.to_string(), ip.to_string(), now, expires_at],
        )?;
        let id = tx.last_insert_rowid();
        // Unique on this device whatever its clock does (the row id), and
        // not repeated by a database made anew (the start); servers tell
        // devices apart by NAS-Identifier.
        let acct_session_id = format!("{id:08X}-{now:08X}");
        tx.execute(
            "INSERT INTO radius_session (session_id, username, acct_session_id, class,
                 idle_timeout, interim_interval, max_up_bps, max_down_bps, max_total_octets,
                 last_interim_at, active_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
            params![
                id,
                grant.username,
                acct_session_id,
                grant.class,
                grant.idle_timeout,
                grant.interim_interval,
                grant.max_up_bps,
                grant.max_down_bps,
                grant.max_total_octets,
                now
            ],
        )?;
        Ok((
            Session {
                id,
                mac,
                ip,
                started_at: now,
                expires_at,
                method: JoinMethod::Radius,
            },
            acct_session_id,
        ))
    })
}

/// The RADIUS sessions whose Stop record is not queued yet.
pub fn open(store: &Store) -> Result<Vec<Account>> {
    store.run(|conn| {
        let mut stmt = conn.prepare_cached(
            "SELECT s.id, s.mac, s.ip, s.started_at, s.expires_at, s.ended_at, s.kicked,
                    r.acct_session_id, r.username, r.class, r.idle_timeout, r.interim_interval,
                    r.max_up_bps, r.max_down_bps, r.max_total_octets, r.last_interim_at,
                    r.active_at, r.input_octets, r.output_octets, r.input_packets,
                    r.output_packets, r.terminate_cause
             FROM radius_session r JOIN wifi_session s ON s.id = r.session_id
             WHERE r.stopped_at IS NULL ORDER BY s.id",
        )?;
        let rows = stmt.query_map([], |r| {
            let mac: String = r.get(1)?;
            let ip: String = r.get(2)?;
            let count = |i| r.get::<_, i64>(i).map(|n| n.max(0) as u64);
            Ok((mac.parse::<Mac>().ok(), ip.parse::<Ipv4Addr>().ok(), {
                Account {
                    session: Session {
                        id: r.get(0)?,
                        mac: Mac([0; 6]),
                        ip: Ipv4Addr::UNSPECIFIED,
                        started_at: r.get(3)?,
                        expires_at: r.get(4)?,
                        method: JoinMethod::Radius,
                    },
                    ended_at: r.get(5)?,
                    kicked: r.get(6)?,
                    acct_session_id: r.get(7)?,
                    grant: Grant {
                        username: r.get(8)?,
                        class: r.get(9)?,
                        idle_timeout: r.get(10)?,
                        interim_interval: r.get(11)?,
                        max_up_bps: r.get(12)?,
                        max_down_bps: r.get(13)?,
                        max_total_octets: r.get(14)?,
                    },
                    last_interim_at: r.get(15)?,
                    active_at: r.get(16)?,
                    usage: Usage {
                        input_octets: count(17)?,
                        output_octets: count(18)?,
                        input_packets: count(19)?,
                        output_packets: count(20)?,
                    },
                    terminate_cause: r.get(21)?,
                }
            }))
        })?;
        let mut open = Vec::new();
        for row in rows {
            // A row a person edited into nonsense is skipped, not fatal.
            if let (Some(mac), Some(ip), mut account) = row? {
                account.session.mac = mac;
                account.session.ip = ip;
                open.push(account);
            }
        }
        Ok(open)
    })
}

/// The account of the session with `acct_session_id`, or of the live
/// session of `username` (a Disconnect-Request names one or the other).
pub fn find(
    store: &Store,
    acct_session_id: Option<&str>,
    username: Option<&str>,
) -> Result<Vec<i64>> {
    store.run(|conn| {
        let mut stmt = conn.prepare_cached(
            "SELECT r.session_id FROM radius_session r JOIN wifi_session s ON s.id = r.session_id
             WHERE r.stopped_at IS NULL AND s.ended_at IS NULL
               AND (?1 IS NULL OR r.acct_session_id = ?1) AND (?2 IS NULL OR r.username = ?2)
             ORDER BY r.session_id",
        )?;
        stmt.query_map(params![acct_session_id, username], |r| r.get(0))?
            .collect()
    })
}

/// Saves what was counted so far and when traffic last moved.
pub fn save_usage(store: &mut Store, counted: &[(i64, Usage, i64)]) -> Result<()> {
    store.transaction(|tx| {
        let mut stmt = tx.prepare_cached(
            "UPDATE radius_session SET input_octets = ?2, output_octets = ?3,
                 input_packets = ?4, output_packets = ?5, active_at = ?6
             WHERE session_id = ?1",
        )?;
        for (id, u, active_at) in counted {
            stmt.execute(params![
                id,
                u.input_octets as i64,
                u.output_octets as i64,
                u.input_packets as i64,
                u.output_packets as i64,
                active_at
            ])?;
        }
        Ok(())
    })
}

/// A CoA-Request changed what the server granted session `id`: its
/// bandwidth (bit/s) and data limit, each kept as it was when `None`.
/// False when the session is not live.
pub fn change(
    store: &mut Store,
    id: i64,
    max_up_bps: Option<i64>,
    max_down_bps: Option<i64>,
    max_total_octets: Option<i64>,
) -> Result<bool> {
    let changed = store.run(|conn| {
        conn.execute(
            "UPDATE radius_session SET max_up_bps = COALESCE(?2, max_up_bps),
                 max_down_bps = COALESCE(?3, max_down_bps),
                 max_total_octets = COALESCE(?4, max_total_octets)
             WHERE session_id = ?1 AND stopped_at IS NULL",
            params![id, max_up_bps, max_down_bps, max_total_octets],
        )
    })?;
    Ok(changed == 1)
}

/// Ends a session now for `cause` (idle, a Disconnect-Request, a data
/// limit): in the same transaction as the reason, so the Stop record
/// carries it after any crash. False when it had ended already.
pub fn end(store: &mut Store, id: i64, now: i64, cause: u32) -> Result<bool> {
    store.transaction(|tx| end_in(tx, id, now, cause))
}

/// `end` inside a transaction the caller holds, so that a caller with a
/// reason of its own (a data limit) records it in the same transaction.
pub(crate) fn end_in(
    tx: &rusqlite::Transaction,
    id: i64,
    now: i64,
    cause: u32,
) -> rusqlite::Result<bool> {
    let ended = tx.execute(
        "UPDATE wifi_session SET ended_at = ?2, expires_at = MIN(expires_at, MAX(?2, started_at + 1))
         WHERE id = ?1 AND ended_at IS NULL",
        params![id, now],
    )?;
    if ended == 1 {
        tx.execute(
            "UPDATE radius_session SET terminate_cause = ?2 WHERE session_id = ?1",
            params![id, cause],
        )?;
    }
    Ok(ended == 1)
}

/// A granted session the firewall could not let out: ended, with its
/// accounting finished before it began (the server hears nothing of it).
pub fn abandon(store: &mut Store, id: i64, now: i64) -> Result<()> {
    store.transaction(|tx| {
        tx.execute(
            "UPDATE wifi_session SET ended_at = ?2, expires_at = MIN(expires_at, MAX(?2, started_at + 1))
             WHERE id = ?1 AND ended_at IS NULL",
            params![id, now],
        )?;
        tx.execute(
            "UPDATE radius_session SET stopped_at = ?2 WHERE session_id = ?1",
            params![id, now],
        )?;
        Ok(())
    })
}

/// Queues an accounting record of session `id`; with `stop`, the session's
/// accounting is finished. `interim_at` moves the time of the last interim.
pub fn queue(store: &mut Store, id: i64, attributes: &[u8], now: i64, stop: bool) -> Result<()> {
    store.transaction(|tx| {
        tx.execute(
            "INSERT INTO radius_pending (session_id, attributes, created_at) VALUES (?1, ?2, ?3)",
            params![id, attributes, now],
        )?;
        let column = if stop {
            "stopped_at"
        } else {
            "last_interim_at"
        };
        tx.execute(
            &format!("UPDATE radius_session SET {column} = ?2 WHERE session_id = ?1"),
            params![id, now],
        )?;
        Ok(())
    })
}

/// A record waiting for a server's acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub id: i64,
    pub attributes: Vec<u8>,
    pub created_at: i64,
}

/// The oldest `limit` records not yet acknowledged.
pub fn pending(store: &Store, limit: usize) -> Result<Vec<Pending>> {
    store.run(|conn| {
        let mut stmt = conn.prepare_cached(
            "SELECT id, attributes, created_at FROM radius_pending ORDER BY id LIMIT ?1",
        )?;
        stmt.query_map([limit as i64], |r| {
            Ok(Pending {
                id: r.get(0)?,
                attributes: r.get(1)?,
                created_at: r.get(2)?,
            })
        })?
        .collect()
    })
}

/// A server acknowledged the record.
pub fn acknowledged(store: &Store, id: i64) -> Result<()> {
    store.run(|conn| conn.execute("DELETE FROM radius_pending WHERE id = ?1", [id]))?;
    Ok(())
}

/// Whether the Stop of session `id` was queued (tests, the admin page).
pub fn stopped(store: &Store, id: i64) -> Result<bool> {
    let at: Option<Option<i64>> = store.run(|conn| {
        conn.query_row(
            "SELECT stopped_at FROM radius_session WHERE session_id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()
    })?;
    Ok(matches!(at, Some(Some(_))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.db")).unwrap();
        (dir, store)
    }

    #[test]
    fn a_radius_session_is_live_accounted_ended_and_stopped_once() {
        let (_d, mut s) = store();
        let grant = Grant {
            username: "siti".into(),
            idle_timeout: Some(300),
            max_down_bps: Some(2_000_000),
            ..Grant::default()
        };
        let (session, acct) = record(
            &mut s,
            Mac([2; 6]),
            Ipv4Addr::new(10, 42, 0, 9),
            100,
            700,
            &grant,
        )
        .unwrap();
        assert_eq!(
            super::super::session::live(&s, 101).unwrap(),
            vec![session.clone()]
        );
        assert_eq!(find(&s, Some(&acct), None).unwrap(), vec![session.id]);
        assert_eq!(find(&s, None, Some("siti")).unwrap(), vec![session.id]);
        assert!(find(&s, None, Some("budi")).unwrap().is_empty());
        let used = Usage {
            input_octets: 5,
            output_octets: 7,
            input_packets: 1,
            output_packets: 2,
        };
        save_usage(&mut s, &[(session.id, used, 150)]).unwrap();
        queue(&mut s, session.id, b"interim", 160, false).unwrap();
        let open_now = open(&s).unwrap();
        assert_eq!(open_now.len(), 1);
        assert_eq!(open_now[0].usage, used);
        assert_eq!(open_now[0].grant, grant);
        assert_eq!(
            (open_now[0].last_interim_at, open_now[0].active_at),
            (160, 150)
        );
        assert!(change(&mut s, session.id, Some(500_000), None, None).unwrap());
        let changed = &open(&s).unwrap()[0].grant;
        assert_eq!(
            (changed.max_up_bps, changed.max_down_bps),
            (Some(500_000), Some(2_000_000))
        );
        assert!(end(&mut s, session.id, 200, 6).unwrap());
        assert!(!end(&mut s, session.id, 201, 4).unwrap(), "ended once");
        assert_eq!(open(&s).unwrap()[0].terminate_cause, Some(6));
        assert!(find(&s, Some(&acct), None).unwrap().is_empty());
        queue(&mut s, session.id, b"stop", 200, true).unwrap();
        let (other, _) = record(
            &mut s,
            Mac([3; 6]),
            Ipv4Addr::new(10, 42, 0, 8),
            300,
            900,
            &grant,
        )
        .unwrap();
        abandon(&mut s, other.id, 300).unwrap();
        assert!(stopped(&s, other.id).unwrap());
        assert!(super::super::session::live(&s, 301).unwrap().is_empty());
        assert!(open(&s).unwrap().is_empty());
        assert!(stopped(&s, session.id).unwrap());
        let waiting = pending(&s, 10).unwrap();
        assert_eq!(waiting.len(), 2);
        assert_eq!(waiting[0].attributes, b"interim");
        acknowledged(&s, waiting[0].id).unwrap();
        assert_eq!(pending(&s, 10).unwrap().len(), 1);
    }
}
