//! The push of the device's events to the region's hub (interfaces.md,
//! "Events pushed to the hub"): the oldest waiting events in batches, each
//! `POST {hub_url}/v1/events` with the device's bearer token. A 2xx answer
//! means the hub stored the whole batch, and only then are its events
//! forgotten here; any other answer, a timeout or a broken connection
//! leaves them waiting, with the same ids, for the next try. The hub skips
//! ids it has, so a batch whose answer was lost counts once.
//!
//! The run's first request also carries the device's [`Status`] (its
//! version, catalog, printer, alerts) for the hub's fleet page; when no
//! event waits, that request is an empty batch, so a quiet device still
//! reports once per run.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Failure, Http, Status};
use crate::Result;
use crate::config::SyncConfig;
use crate::outbox::{self, Event, Policy};
use crate::store::Store;

/// Events in one request: a batch of long complaints stays far below the
/// hub's body limit, and one request is quick on a slow link.
pub const BATCH: usize = 200;
/// Batches in one run: a device back after a long absence catches up over
/// a few runs instead of holding one for long.
pub const MAX_BATCHES: usize = 50;
/// Longest token file read: a token is a line of hex.
const MAX_TOKEN: u64 = 1024;

/// What a push did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pushed {
    /// Events the hub took in this run.
    pub sent: u64,
    /// Events still waiting after it (more than one run's worth).
    pub waiting: u64,
}

#[derive(Serialize)]
struct Body<'a> {
    device: &'a str,
    events: &'a [Event],
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a Status>,
}

/// Pushes what waits, up to [`MAX_BATCHES`] batches, the first with
/// `status` (alone when nothing waits). `Err` is the store's own failure;
/// the inner `Err` the reason the hub did not take a batch (the batches
/// before it are taken and forgotten).
pub fn push(
    store: &mut Store,
    config: &SyncConfig,
    device: &str,
    http: &Http,
    now: DateTime<Utc>,
    status: Option<&Status>,
) -> Result<Result<Pushed, Failure>> {
    let Some(hub) = &config.hub_url else {
        return Ok(Ok(Pushed {
            sent: 0,
            waiting: 0,
        }));
    };
    let url = format!("{}/v1/events", hub.trim_end_matches('/'));
    let token = match read_token(&config.token_file) {
        Ok(token) => token,
        Err(failure) => return Ok(Err(failure)),
    };
    outbox::summarise_usage(store, &now)?;
    outbox::bound(store, Policy::default())?;
    let mut sent = 0;
    let mut status = status;
    for _ in 0..MAX_BATCHES {
        let events = outbox::pending(store, BATCH)?;
        if events.is_empty() && status.is_none() {
            break;
        }
        let body = serde_json::to_vec(&Body {
            device,
            events: &events,
            status: status.take(),
        })
        .expect("events are JSON already");
        if let Err(failure) = http.post_json(&url, &token, body) {
            return Ok(Err(failure));
        }
        sent += outbox::mark_sent(store, &events)? as u64;
    }
    let waiting = outbox::waiting(store)?.iter().map(|(_, n)| *n as u64).sum();
    Ok(Ok(Pushed { sent, waiting }))
}

fn read_token(path: &Path) -> Result<String, Failure> {
    use std::io::Read;
    let failure = |cause: String| Failure::Token {
        path: path.display().to_string(),
        cause,
    };
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_TOKEN).read_to_string(&mut text))
        .map_err(|e| failure(e.to_string()))?;
    let token = text.trim();
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(failure("it holds no token".into()));
    }
    Ok(token.to_owned())
}
