//! What each step of `anjungan sync` did last and when it runs next, kept
//! in the database (`sync_step`) for the technician's dashboard, for
//! `anjungan sync --json`, and for the device's timer, which starts a step
//! only when it is due: the interval after a success, a growing wait after
//! failures ([`super::backoff`]).

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::backoff;
use crate::Result;
use crate::store::Store;
use crate::timestamp;

/// A step of `anjungan sync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// The region's signed catalog, pulled and installed.
    Pull,
    /// The device's events, pushed to the hub.
    Push,
}

impl Step {
    pub fn name(self) -> &'static str {
        match self {
            Step::Pull => "pull",
            Step::Push => "push",
        }
    }
}

/// A step's last try, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepState {
    pub step: Step,
    /// RFC 3339, UTC, like every moment here.
    pub last_try_at: String,
    pub last_ok_at: Option<String>,
    /// `ok`, or the failure's code (`bad-signature`, `timeout`, ...).
    pub outcome: String,
    /// What happened, in one sentence for a person.
    pub detail: String,
    /// Failures in a row; 0 after a success.
    pub failures: u32,
    pub next_try_at: String,
}

impl StepState {
    pub fn failed(&self) -> bool {
        self.failures > 0
    }
}

/// The recorded state of `step`, `None` before its first try.
pub fn get(store: &Store, step: Step) -> Result<Option<StepState>> {
    store.run(|conn| {
        conn.query_row(
            "SELECT last_try_at, last_ok_at, outcome, detail, failures, next_try_at
             FROM sync_step WHERE step = ?1",
            [step.name()],
            |r| {
                Ok(StepState {
                    step,
                    last_try_at: r.get(0)?,
                    last_ok_at: r.get(1)?,
                    outcome: r.get(2)?,
                    detail: r.get(3)?,
                    failures: r.get(4)?,
                    next_try_at: r.get(5)?,
                })
            },
        )
        .optional()
    })
}

/// Every step tried so far, pull first.
pub fn all(store: &Store) -> Result<Vec<StepState>> {
    Ok([Step::Pull, Step::Push]
        .into_iter()
        .map(|s| get(store, s))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect())
}

/// Whether `step` should run at `now`: never tried, or its next try is due.
pub fn due(store: &Store, step: Step, now: DateTime<Utc>) -> Result<bool> {
    Ok(get(store, step)?.is_none_or(|s| s.next_try_at <= timestamp::format(&now)))
}

/// Records a success at `now`: the failures are over, the next try is an
/// interval away.
pub fn record_ok(
    store: &Store,
    step: Step,
    now: DateTime<Utc>,
    interval: Duration,
    detail: &str,
) -> Result<StepState> {
    record(store, step, now, interval, None, detail)
}

/// Records a failure at `now` with its `code` and `detail`: one more in a
/// row, and a longer wait before the next try.
pub fn record_failure(
    store: &Store,
    step: Step,
    now: DateTime<Utc>,
    interval: Duration,
    code: &str,
    detail: &str,
) -> Result<StepState> {
    record(store, step, now, interval, Some(code), detail)
}

fn record(
    store: &Store,
    step: Step,
    now: DateTime<Utc>,
    interval: Duration,
    failure: Option<&str>,
    detail: &str,
) -> Result<StepState> {
    let before = get(store, step)?;
    let failures = match failure {
        None => 0,
        Some(_) => before.as_ref().map_or(0, |s| s.failures).saturating_add(1),
    };
    let wait = backoff::wait(failures, interval, fastrand::f64());
    let next = now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
    let at = timestamp::format(&now);
    let state = StepState {
        step,
        last_try_at: at.clone(),
        last_ok_at: match failure {
            None => Some(at),
            Some(_) => before.and_then(|s| s.last_ok_at),
        },
        outcome: failure.unwrap_or("ok").to_owned(),
        detail: detail.to_owned(),
        failures,
        next_try_at: timestamp::format(&next),
    };
    store.run(|conn| {
        conn.execute(
            "INSERT INTO sync_step (step, last_try_at, last_ok_at, outcome, detail, failures, next_try_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (step) DO UPDATE SET
                last_try_at = excluded.last_try_at, last_ok_at = excluded.last_ok_at,
                outcome = excluded.outcome, detail = excluded.detail,
                failures = excluded.failures, next_try_at = excluded.next_try_at",
            params![
                step.name(),
                state.last_try_at,
                state.last_ok_at,
                state.outcome,
                state.detail,
                state.failures,
                state.next_try_at
            ],
        )
    })?;
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("anjungan.db")).unwrap();
        (dir, store)
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    const INTERVAL: Duration = Duration::from_secs(300);

    #[test]
    fn failures_count_up_wait_longer_and_end_with_a_success() {
        let (_dir, store) = store();
        let t0 = at("2026-12-01T00:00:00Z");
        assert!(due(&store, Step::Pull, t0).unwrap(), "never tried");

        let first = record_failure(&store, Step::Pull, t0, INTERVAL, "timeout", "x").unwrap();
        assert_eq!((first.failures, first.last_ok_at.as_deref()), (1, None));
        assert!(!due(&store, Step::Pull, t0).unwrap());
        // One failure waits between half the interval and the interval.
        assert!(first.next_try_at.as_str() >= "2026-12-01T00:02:30Z");
        assert!(first.next_try_at.as_str() <= "2026-12-01T00:05:00Z");
        assert!(due(&store, Step::Pull, at("2026-12-01T00:05:00Z")).unwrap());
        assert!(due(&store, Step::Push, t0).unwrap(), "steps are apart");

        let t1 = at("2026-12-01T00:05:00Z");
        let mut last = first;
        for _ in 0..3 {
            last = record_failure(&store, Step::Pull, t1, INTERVAL, "http-500", "y").unwrap();
        }
        assert_eq!(last.failures, 4);
        // The fourth failure in a row waits at least 4 × 300 / 2 s.
        assert!(
            last.next_try_at.as_str() >= "2026-12-01T00:15:00Z",
            "{last:?}"
        );
        assert_eq!(get(&store, Step::Pull).unwrap().unwrap(), last);

        let ok = record_ok(&store, Step::Pull, t1, INTERVAL, "unchanged").unwrap();
        assert_eq!(ok.failures, 0);
        assert_eq!(ok.outcome, "ok");
        assert_eq!(ok.last_ok_at.as_deref(), Some("2026-12-01T00:05:00Z"));
        let failed = record_failure(&store, Step::Pull, t1, INTERVAL, "timeout", "z").unwrap();
        assert_eq!(failed.last_ok_at, ok.last_ok_at, "the last success is kept");
        assert_eq!(all(&store).unwrap().len(), 1);
    }
}
