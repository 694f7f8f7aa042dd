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
use crate::voice::complaint::{self, HubUpdate};

/// Events in one request: a batch of long complaints stays far below the
/// hub's body limit, and one request is quick on a slow link.
pub const BATCH: usize = 200;
/// Batches in one run: a device back after a long absence catches up over
/// a few runs instead of holding one for long.
pub const MAX_BATCHES: usize = 50;
/// Longest token file read: a token is a line of hex.
const MAX_TOKEN: u64 = 1024;

/// Pages of complaint answers fetched in one run (of the hub's 200 each).
pub const MAX_ANSWER_PAGES: usize = 50;
/// Largest page of answers read: 200 answers of 2,000 characters.
const MAX_ANSWERS_BODY: usize = 4 * 1024 * 1024;

/// What a push did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pushed {
    /// Events the hub took in this run.
    pub sent: u64,
    /// Events still waiting after it (more than one run's worth).
    pub waiting: u64,
    /// This device's complaints whose status or answer the hub changed,
    /// applied in this run.
    pub answers: u64,
}

#[derive(serde::Deserialize)]
struct Updates {
    updates: Vec<HubUpdate>,
    more: bool,
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
            answers: 0,
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
    // After the events: a complaint the hub has just taken can already
    // carry an answer, and the hub only answers about complaints it has.
    let answers = match fetch_answers(store, hub, &token, http)? {
        Ok(n) => n,
        Err(failure) => return Ok(Err(failure)),
    };
    Ok(Ok(Pushed {
        sent,
        waiting,
        answers,
    }))
}

/// Fetches the hub's statuses and answers to this device's complaints
/// after the last one applied, page by page, each page applied (with its
/// number) in one transaction: a fetch cut short resumes where it stopped.
fn fetch_answers(
    store: &mut Store,
    hub: &str,
    token: &str,
    http: &Http,
) -> Result<Result<u64, Failure>> {
    let mut applied = 0;
    for _ in 0..MAX_ANSWER_PAGES {
        let since = complaint::hub_update_mark(store)?;
        let url = format!(
            "{}/v1/complaints/updates?since={since}",
            hub.trim_end_matches('/')
        );
        let page: Updates =
            match http
                .get_authorized(&url, token, MAX_ANSWERS_BODY)
                .and_then(|bytes| {
                    serde_json::from_slice(&bytes).map_err(|e| Failure::Truncated {
                        url: url.clone(),
                        cause: format!("not the hub's list of answers: {e}"),
                    })
                }) {
                Ok(page) => page,
                Err(failure) => return Ok(Err(failure)),
            };
        applied += complaint::apply_hub_updates(store, &page.updates)? as u64;
        if !page.more || page.updates.is_empty() {
            break;
        }
    }
    Ok(Ok(applied))
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
