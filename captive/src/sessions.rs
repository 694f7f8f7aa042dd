//! The visitors who joined, in memory for the hot path (every request asks
//! "has this address joined?") and in SQLite as the record that survives
//! crashes. The kernel's set is the third copy; `Portal::start` reconciles
//! it with the database.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::sync::{Mutex, RwLock};

use anjungan::store::Store;
use anjungan::wifi::{Mac, Session, session};

use crate::Result;

pub struct Sessions {
    table: RwLock<Table>,
    /// Writes are rare (joins) and fsync'd; one connection is enough.
    store: Mutex<Store>,
}

#[derive(Default)]
struct Table {
    by_ip: HashMap<Ipv4Addr, Session>,
    /// A visitor keeps their session when their phone takes a new address.
    by_mac: HashMap<Mac, Ipv4Addr>,
}

/// The time to reconcile the sessions at when the portal starts: the
/// clock's, unless it reads earlier than the newest time the database
/// recorded for a session (a start or an end). Such a clock is wrong (a
/// device without a real-time clock that has not found the time yet), and
/// reconciling by it would let every session out for as long as the clock
/// is behind, years perhaps; the newest record is the latest time known
/// for certain.
pub fn reconcile_time(store: &Store, clock: i64) -> Result<i64> {
    Ok(match session::newest_record(store)? {
        Some(newest) if newest > clock => {
            tracing::warn!(
                clock,
                newest_record = newest,
                "the clock reads earlier than the newest session in the database; \
                 sessions are reconciled at that instead"
            );
            newest
        }
        _ => clock,
    })
}

impl Sessions {
    /// Loads the sessions still live at `now` from the database.
    pub fn load(store: Store, now: i64) -> Result<Sessions> {
        let live = session::live(&store, now)?;
        let sessions = Sessions {
            table: RwLock::new(Table::default()),
            store: Mutex::new(store),
        };
        for s in live {
            sessions.insert(s);
        }
        Ok(sessions)
    }

    /// The live session of the visitor at `ip`, as far as addresses go.
    pub fn by_ip(&self, ip: Ipv4Addr, now: i64) -> Option<Session> {
        let table = self.read();
        table.by_ip.get(&ip).filter(|s| s.expires_at > now).cloned()
    }

    pub fn by_mac(&self, mac: Mac, now: i64) -> Option<Session> {
        let table = self.read();
        let ip = table.by_mac.get(&mac)?;
        table.by_ip.get(ip).filter(|s| s.expires_at > now).cloned()
    }

    /// Whether anyone has joined at all: when no one has, a request from an
    /// unknown address needs no look-up of its MAC.
    pub fn is_empty(&self) -> bool {
        self.read().by_ip.is_empty()
    }

    pub fn live(&self, now: i64) -> Vec<Session> {
        let mut all: Vec<_> = self
            .read()
            .by_ip
            .values()
            .filter(|s| s.expires_at > now)
            .cloned()
            .collect();
        all.sort_by_key(|s| s.id);
        all
    }

    /// Number of live sessions; forgets the ended ones on the way.
    pub fn count_live(&self, now: i64) -> usize {
        self.sweep(now);
        self.read().by_ip.len()
    }

    /// Adds or replaces the session of `s.mac`.
    pub fn insert(&self, s: Session) {
        let mut table = self.write();
        let (mac, ip) = (s.mac, s.ip);
        // The device's old address is no longer its own.
        if let Some(old_ip) = table.by_mac.insert(mac, ip)
            && old_ip != ip
        {
            table.by_ip.remove(&old_ip);
        }
        // The address may have been another device's before the DHCP server
        // gave it to this one; that device rejoins by its MAC.
        if let Some(previous) = table.by_ip.insert(ip, s)
            && previous.mac != mac
        {
            table.by_mac.remove(&previous.mac);
        }
    }

    pub fn remove(&self, id: i64) -> Option<Session> {
        let mut table = self.write();
        let ip = table.by_ip.values().find(|s| s.id == id)?.ip;
        let s = table.by_ip.remove(&ip)?;
        table.by_mac.remove(&s.mac);
        Some(s)
    }

    /// Forgets sessions that ended; the kernel has already closed them.
    pub fn sweep(&self, now: i64) -> usize {
        let mut table = self.write();
        let before = table.by_ip.len();
        let Table { by_ip, by_mac } = &mut *table;
        by_ip.retain(|_, s| {
            let keep = s.expires_at > now;
            if !keep {
                by_mac.remove(&s.mac);
            }
            keep
        });
        before - table.by_ip.len()
    }

    /// Runs `f` with the database (blocking: call from a blocking task).
    pub fn with_store<R>(&self, f: impl FnOnce(&mut Store) -> R) -> R {
        let mut store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut store)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Table> {
        self.table.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Table> {
        self.table.write().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anjungan::wifi::JoinMethod;

    fn session(id: i64, mac: u8, ip: u8, expires_at: i64) -> Session {
        Session {
            id,
            mac: Mac([0, 0, 0, 0, 0, mac]),
            ip: Ipv4Addr::new(10, 42, 0, ip),
            started_at: 0,
            expires_at,
            method: JoinMethod::ClickThrough,
        }
    }

    fn sessions() -> (tempfile::TempDir, Sessions) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.db")).unwrap();
        (dir, Sessions::load(store, 0).unwrap())
    }

    #[test]
    fn a_new_address_replaces_the_old_one() {
        let (_d, s) = sessions();
        s.insert(session(1, 1, 100, 500));
        s.insert(session(1, 1, 150, 500));
        assert!(s.by_ip(Ipv4Addr::new(10, 42, 0, 100), 0).is_none());
        assert_eq!(
            s.by_mac(Mac([0, 0, 0, 0, 0, 1]), 0).unwrap().ip,
            Ipv4Addr::new(10, 42, 0, 150)
        );
        assert_eq!(s.count_live(0), 1);
    }

    #[test]
    fn a_clock_behind_the_database_never_lengthens_a_session() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.db")).unwrap();
        assert_eq!(
            reconcile_time(&store, 10).unwrap(),
            10,
            "no session: the clock"
        );
        let mac = Mac([0, 0, 0, 0, 0, 1]);
        let ip = Ipv4Addr::new(10, 42, 0, 100);
        let hour = 3_600;
        let t = 1_800_000_000;
        let a =
            session::record(&store, mac, ip, t, t + hour, JoinMethod::ClickThrough, None).unwrap();
        assert_eq!(
            reconcile_time(&store, t + 60).unwrap(),
            t + 60,
            "a clock ahead is kept"
        );
        // Booted with the clock six years back: the session keeps at most
        // its hour, counted from its start, not six years and an hour.
        let now = reconcile_time(&store, t - 6 * 365 * 86_400).unwrap();
        assert_eq!(now, t);
        let sessions = Sessions::load(store, now).unwrap();
        let live = sessions.live(now);
        assert_eq!(live.len(), 1);
        assert_eq!(live[0].seconds_left(now), hour);
        // An end is a record too.
        let store = Store::open(&dir.path().join("a.db")).unwrap();
        session::end(&store, a.id, t + 100).unwrap();
        assert_eq!(reconcile_time(&store, 0).unwrap(), t + 100);
    }

    #[test]
    fn ended_sessions_are_not_live_and_are_swept() {
        let (_d, s) = sessions();
        s.insert(session(1, 1, 100, 500));
        s.insert(session(2, 2, 101, 900));
        assert!(s.by_ip(Ipv4Addr::new(10, 42, 0, 100), 500).is_none());
        assert_eq!(s.sweep(500), 1);
        assert_eq!(s.live(500).len(), 1);
        assert!(s.remove(2).is_some());
        assert!(s.is_empty());
    }
}
