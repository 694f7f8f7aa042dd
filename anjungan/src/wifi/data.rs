//! Data limits: the bytes each session used (counted by the portal from
//! the kernel's per-visitor counters), a visitor's day as the sum of the
//! sessions they started that local day, and which limit ended a session.
//! `reached` is the arithmetic, pure; the rest is SQL over
//! `migrations/0016_limits.sql`.

use rusqlite::{OptionalExtension, params};

use super::Mac;
use crate::Result;
use crate::store::Store;

/// Bytes in a configured MB: 10^6, as a network's plans count.
pub const MB: u64 = 1_000_000;

/// The data limits that apply to one session, in bytes (`None`: none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DataLimits {
    pub session: Option<u64>,
    pub day: Option<u64>,
}

impl DataLimits {
    /// From `[captive]`'s MB (0: unlimited); a RADIUS server's
    /// ChilliSpot-Max-Total-Octets, when it sent one, replaces the
    /// session's.
    pub fn new(session_mb: u32, day_mb: u32, radius_octets: Option<i64>) -> DataLimits {
        let mb = |n: u32| (n > 0).then(|| u64::from(n) * MB);
        DataLimits {
            session: radius_octets
                .filter(|n| *n > 0)
                .map(|n| n as u64)
                .or(mb(session_mb)),
            day: mb(day_mb),
        }
    }

    pub fn any(&self) -> bool {
        self.session.is_some() || self.day.is_some()
    }
}

/// Which limit ended a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitReached {
    Session,
    Day,
}

impl LimitReached {
    fn as_str(self) -> &'static str {
        match self {
            LimitReached::Session => "session",
            LimitReached::Day => "day",
        }
    }

    fn parse(s: &str) -> Option<LimitReached> {
        match s {
            "session" => Some(LimitReached::Session),
            "day" => Some(LimitReached::Day),
            _ => None,
        }
    }
}

/// Whether a session that used `session` bytes, of a visitor who used
/// `day` bytes today (this session's included), has reached a limit. The
/// day's wins when both are: it is the one that keeps them out.
pub fn reached(limits: DataLimits, session: u64, day: u64) -> Option<LimitReached> {
    if limits.day.is_some_and(|l| day >= l) {
        return Some(LimitReached::Day);
    }
    if limits.session.is_some_and(|l| session >= l) {
        return Some(LimitReached::Session);
    }
    None
}

/// Adds what each session used since the last count: (session, bytes).
pub fn add(store: &mut Store, used: &[(i64, u64)]) -> Result<()> {
    store.transaction(|tx| {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO wifi_session_data (session_id, octets) VALUES (?1, ?2)
             ON CONFLICT (session_id) DO UPDATE SET octets = octets + excluded.octets",
        )?;
        for (id, bytes) in used {
            stmt.execute(params![id, (*bytes).min(i64::MAX as u64) as i64])?;
        }
        Ok(())
    })
}

/// Bytes session `id` used so far.
pub fn session_octets(store: &Store, id: i64) -> Result<u64> {
    let n: Option<i64> = store.run(|conn| {
        conn.query_row(
            "SELECT octets FROM wifi_session_data WHERE session_id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()
    })?;
    Ok(n.unwrap_or(0).max(0) as u64)
}

/// Bytes `mac` used in the sessions it started since `day_start`.
pub fn day_octets(store: &Store, mac: Mac, day_start: i64) -> Result<u64> {
    let n: i64 = store.run(|conn| {
        conn.query_row(
            "SELECT COALESCE(SUM(d.octets), 0) FROM wifi_session s
             JOIN wifi_session_data d ON d.session_id = s.id
             WHERE s.mac = ?1 AND s.started_at >= ?2",
            params![mac.to_string(), day_start],
            |r| r.get(0),
        )
    })?;
    Ok(n.max(0) as u64)
}

/// Ends session `id` now because it reached `limit`, in one transaction
/// with the reason (and, for a RADIUS session, its Acct-Terminate-Cause
/// `radius_cause`), so its page and its Stop say why after any crash.
/// False when it had ended already.
pub fn end(
    store: &mut Store,
    id: i64,
    now: i64,
    limit: LimitReached,
    radius_cause: u32,
) -> Result<bool> {
    store.transaction(|tx| {
        let ended = super::radius::end_in(tx, id, now, radius_cause)?;
        if ended {
            tx.execute(
                "INSERT INTO wifi_session_data (session_id, limit_reached) VALUES (?1, ?2)
                 ON CONFLICT (session_id) DO UPDATE SET limit_reached = excluded.limit_reached",
                params![id, limit.as_str()],
            )?;
        }
        Ok(ended)
    })
}

/// The limit that ended `mac`'s latest session started since `since`, if
/// a limit ended it: what the visitor's page says.
pub fn last_limit(store: &Store, mac: Mac, since: i64) -> Result<Option<LimitReached>> {
    let s: Option<Option<String>> = store.run(|conn| {
        conn.query_row(
            "SELECT d.limit_reached FROM wifi_session s
             LEFT JOIN wifi_session_data d ON d.session_id = s.id
             WHERE s.mac = ?1 AND s.started_at >= ?2
             ORDER BY s.started_at DESC, s.id DESC LIMIT 1",
            params![mac.to_string(), since],
            |r| r.get(0),
        )
        .optional()
    })?;
    Ok(s.flatten().as_deref().and_then(LimitReached::parse))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wifi::{JoinMethod, session};
    use std::net::Ipv4Addr;

    #[test]
    fn limits_come_from_megabytes_or_the_radius_server() {
        assert_eq!(DataLimits::new(0, 0, None), DataLimits::default());
        assert!(!DataLimits::new(0, 0, Some(0)).any());
        let l = DataLimits::new(100, 500, None);
        assert_eq!((l.session, l.day), (Some(100 * MB), Some(500 * MB)));
        assert_eq!(DataLimits::new(100, 0, Some(4_000)).session, Some(4_000));
        assert_eq!(DataLimits::new(0, 0, Some(4_000)).session, Some(4_000));
    }

    #[test]
    fn the_day_s_limit_wins_and_reaching_means_at_least() {
        let l = DataLimits {
            session: Some(100),
            day: Some(250),
        };
        assert_eq!(reached(l, 99, 99), None);
        assert_eq!(reached(l, 100, 100), Some(LimitReached::Session));
        assert_eq!(reached(l, 100, 250), Some(LimitReached::Day));
        assert_eq!(reached(l, 10, 260), Some(LimitReached::Day));
        assert_eq!(reached(DataLimits::default(), u64::MAX, u64::MAX), None);
    }

    #[test]
    fn usage_adds_up_per_session_and_day_and_the_reason_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("a.db")).unwrap();
        let mac = Mac([2; 6]);
        let ip = Ipv4Addr::new(10, 42, 0, 9);
        let rec = |s: &Store, at| {
            session::record(s, mac, ip, at, at + 600, JoinMethod::ClickThrough, None)
                .unwrap()
                .id
        };
        let yesterday = rec(&s, 100);
        let a = rec(&s, 1_000);
        add(&mut s, &[(yesterday, 7_000), (a, 300)]).unwrap();
        add(&mut s, &[(a, 200)]).unwrap();
        assert_eq!(session_octets(&s, a).unwrap(), 500);
        assert_eq!(day_octets(&s, mac, 900).unwrap(), 500);
        assert_eq!(last_limit(&s, mac, 900).unwrap(), None);
        assert!(end(&mut s, a, 1_100, LimitReached::Day, 5).unwrap());
        assert!(!end(&mut s, a, 1_101, LimitReached::Session, 5).unwrap());
        assert_eq!(last_limit(&s, mac, 900).unwrap(), Some(LimitReached::Day));
        assert_eq!(session_octets(&s, a).unwrap(), 500, "usage kept");
        assert!(session::live(&s, 1_100).unwrap().is_empty());
        let b = rec(&s, 1_200);
        assert_eq!(
            last_limit(&s, mac, 900).unwrap(),
            None,
            "the latest session"
        );
        assert!(end(&mut s, b, 1_300, LimitReached::Session, 5).unwrap());
        assert_eq!(session_octets(&s, b).unwrap(), 0);
        assert_eq!(
            last_limit(&s, mac, 900).unwrap(),
            Some(LimitReached::Session)
        );
    }
}
