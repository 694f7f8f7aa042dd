//! The device's exchange with its region, run by `anjungan sync` (by hand,
//! or every `[sync] interval_seconds` by the device's timer): first the
//! pull of the region's signed catalog ([`pull`]), then the push of the
//! device's events to the hub (`push`, when `[sync] hub_url` is set).
//!
//! Each step's last try is recorded ([`state`]): the dashboard and
//! `anjungan sync --json` show it, and the timer starts a step only when it
//! is due, so failures back off ([`backoff`]) instead of hammering a region's
//! server that is down. Nothing here is ever on the path of a citizen's tap
//! or a guest's join: the kiosk and the portal only notice a newly installed
//! catalog (`catalog::Watcher`), and keep working exactly as before when the
//! region cannot be reached.

pub mod backoff;
mod failure;
pub mod http;
pub mod pull;
pub mod push;
pub mod signature;
pub mod state;
pub mod status;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use failure::Failure;
pub use http::Http;
pub use pull::Pulled;
pub use push::Pushed;
pub use state::{Step, StepState};
pub use status::Status;

use crate::Result;
use crate::config::SyncConfig;
use crate::store::Store;

/// What one step of a sync did, as `anjungan sync --json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepReport {
    /// `installed`, `unchanged` (the pull), `pushed`, `nothing` (the push),
    /// `not-configured`, `waiting` (not due yet: `--when-due`) or `failed`.
    pub outcome: &'static str,
    /// A failure's code (`bad-signature`, `timeout`, `http-503`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// One sentence for a person.
    pub message: String,
    /// The installed catalog's generation, when this try installed one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generation: Option<i64>,
    /// HTTP requests this try made and body bytes it read.
    pub requests: u32,
    pub bytes: u64,
    /// The state recorded after this try (absent when the step is not
    /// configured).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<StepState>,
}

impl StepReport {
    pub fn failed(&self) -> bool {
        self.outcome == "failed"
    }
}

/// The configured interval between runs.
pub fn interval(config: &SyncConfig) -> Duration {
    Duration::from_secs(config.interval_seconds.into())
}

/// Runs the pull now (or, with `when_due`, only if its next try is due) and
/// records how it went.
pub fn run_pull(
    store: &mut Store,
    config: &SyncConfig,
    now: DateTime<Utc>,
    when_due: bool,
) -> Result<StepReport> {
    if config.catalog_url.is_none() {
        return Ok(StepReport {
            outcome: "not-configured",
            reason: None,
            message: "no [sync] catalog_url: the catalog is imported by hand".into(),
            generation: None,
            requests: 0,
            bytes: 0,
            state: None,
        });
    }
    if when_due && !state::due(store, Step::Pull, now)? {
        let state = state::get(store, Step::Pull)?;
        let message = match &state {
            Some(s) if s.failed() => format!(
                "waiting until {} after {} failed tries; the last: {}",
                s.next_try_at, s.failures, s.detail
            ),
            Some(s) => format!("next pull at {}", s.next_try_at),
            None => String::new(),
        };
        return Ok(StepReport {
            outcome: "waiting",
            reason: None,
            message,
            generation: None,
            requests: 0,
            bytes: 0,
            state,
        });
    }
    let interval = interval(config);
    let (result, requests, bytes) = match Http::new(config) {
        Ok(http) => {
            let result = pull::pull(store, config, &http)?;
            (result, http.requests(), http.bytes())
        }
        Err(failure) => (Err(failure), 0, 0),
    };
    let report = |outcome, reason, message: String, generation, state| StepReport {
        outcome,
        reason,
        message,
        generation,
        requests,
        bytes,
        state: Some(state),
    };
    Ok(match result {
        Ok(Pulled::NotConfigured) => unreachable!("checked above"),
        Ok(Pulled::Unchanged) => {
            let message = "the installed catalog is the region's current one".to_owned();
            let state = state::record_ok(store, Step::Pull, now, interval, &message)?;
            report("unchanged", None, message, None, state)
        }
        Ok(Pulled::Installed {
            generation,
            published,
            services,
            signed_at,
        }) => {
            let message = format!(
                "installed the region's catalog published {published} ({services} services, signed {signed_at}), generation {generation}"
            );
            let state = state::record_ok(store, Step::Pull, now, interval, &message)?;
            report("installed", None, message, Some(generation), state)
        }
        Err(failure) => {
            let message = failure.to_string();
            let code = failure.code();
            let state = state::record_failure(store, Step::Pull, now, interval, &code, &message)?;
            report("failed", Some(code), message, None, state)
        }
    })
}

/// Runs the push now (or, with `when_due`, only if its next try is due)
/// and records how it went. `device` is `[device] id`, which the hub checks
/// against the token; `status` goes with the first request.
pub fn run_push(
    store: &mut Store,
    config: &SyncConfig,
    device: &str,
    now: DateTime<Utc>,
    when_due: bool,
    status: Option<&Status>,
) -> Result<StepReport> {
    let report = |outcome, reason, message: String, requests, bytes, state| StepReport {
        outcome,
        reason,
        message,
        generation: None,
        requests,
        bytes,
        state,
    };
    if config.hub_url.is_none() {
        let message = "no [sync] hub_url: events stay on the device".to_owned();
        return Ok(report("not-configured", None, message, 0, 0, None));
    }
    if when_due && !state::due(store, Step::Push, now)? {
        let state = state::get(store, Step::Push)?;
        let message = match &state {
            Some(s) if s.failed() => format!(
                "waiting until {} after {} failed tries; the last: {}",
                s.next_try_at, s.failures, s.detail
            ),
            Some(s) => format!("next push at {}", s.next_try_at),
            None => String::new(),
        };
        return Ok(report("waiting", None, message, 0, 0, state));
    }
    let interval = interval(config);
    let (result, requests, bytes) = match Http::new(config) {
        Ok(http) => {
            let result = push::push(store, config, device, &http, now, status)?;
            (result, http.requests(), http.bytes())
        }
        Err(failure) => (Err(failure), 0, 0),
    };
    Ok(match result {
        Ok(Pushed {
            sent,
            waiting,
            answers,
        }) => {
            let mut message = match waiting {
                0 => format!("the hub took {sent} events; none wait"),
                _ => format!("the hub took {sent} events; {waiting} wait for the next run"),
            };
            if answers > 0 {
                message.push_str(&format!("; {answers} complaints got the hub's answer"));
            }
            let state = state::record_ok(store, Step::Push, now, interval, &message)?;
            let outcome = if sent == 0 { "nothing" } else { "pushed" };
            report(outcome, None, message, requests, bytes, Some(state))
        }
        Err(failure) => {
            let message = format!("{failure}; the events wait on the device");
            let code = failure.code();
            let state = state::record_failure(store, Step::Push, now, interval, &code, &message)?;
            report("failed", Some(code), message, requests, bytes, Some(state))
        }
    })
}
