//! `POST /v1/events`: a device's batch, checked whole, stored in one
//! transaction. An event id the hub has already (a retry after a lost
//! answer) is skipped, so a batch sent twice counts once.

use std::collections::HashSet;

use deadpool_postgres::Pool;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::{Error, Result};

/// Most events in one batch; the device sends fewer (`anjungan sync`).
pub const MAX_EVENTS: usize = 1000;
/// Largest body taken, bytes: a full batch of long complaints fits.
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// The body a device sends (interfaces.md).
#[derive(Debug, Deserialize)]
pub struct Batch {
    pub device: String,
    pub events: Vec<Map<String, Value>>,
    /// The device's state for the fleet page; devices before it send none.
    #[serde(default)]
    pub status: Option<Value>,
}

/// One event, checked, with its own fields apart.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: String,
    pub kind: String,
    /// RFC 3339 as sent; PostgreSQL parses it again into `timestamptz`.
    pub at: String,
    pub body: Value,
    /// A survey's or a complaint's facts, read when the batch is checked.
    pub voice: Voice,
}

/// What the hub reads of an event besides keeping it.
#[derive(Debug, Clone, PartialEq)]
pub enum Voice {
    Survey(crate::ikm::Answer),
    Complaint(crate::complaints::Pushed),
    Other,
}

/// What a stored batch added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Stored {
    /// Events new to the hub.
    pub stored: u64,
    /// Events it had already.
    pub known: u64,
}

/// Checks a batch whole: one bad event refuses it all, so a device never
/// half-sends (and it tells which event is wrong).
pub fn check(batch: Batch) -> Result<Vec<Event>> {
    if batch.events.len() > MAX_EVENTS {
        return Err(Error::BadBatch(format!(
            "{} events; send at most {MAX_EVENTS} in one batch",
            batch.events.len()
        )));
    }
    batch
        .events
        .into_iter()
        .enumerate()
        .map(|(i, mut fields)| {
            let mut take = |name: &str, ok: fn(&str) -> bool| match fields.remove(name) {
                Some(Value::String(s)) if ok(&s) => Ok(s),
                other => Err(Error::BadBatch(format!(
                    "event {i}: {name} {}",
                    other.map_or("is missing".to_owned(), |v| format!("{v} is not valid"))
                ))),
            };
            let id = take("id", |s| plain(s, 100))?;
            let kind = take("kind", |s| plain(s, 40))?;
            let at = take("at", |s| chrono::DateTime::parse_from_rfc3339(s).is_ok())?;
            let body = Value::Object(fields);
            // A survey or complaint the region could not count or answer
            // is refused now, naming the event, rather than kept unread.
            let voice = match kind.as_str() {
                "survey" => crate::ikm::answer(&body).map(Voice::Survey),
                "complaint" => crate::complaints::pushed(&body).map(Voice::Complaint),
                _ => Ok(Voice::Other),
            }
            .map_err(|why| Error::BadBatch(format!("event {i} ({kind}): {why}")))?;
            Ok(Event {
                id,
                kind,
                at,
                body,
                voice,
            })
        })
        .collect()
}

/// Short, and of characters ids and kinds are made of.
fn plain(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

/// Longest status kept, bytes of JSON: a real one is a few hundred.
pub const MAX_STATUS: usize = 8 * 1024;

/// A device's status as the hub keeps it: read as the device's own type
/// (unknown fields dropped), texts cut to a bound. `None` for one that is
/// too large or not an object: the events are taken all the same, only the
/// status is not, so a device with a bad status never stalls its events.
pub fn check_status(value: &Value) -> Option<anjungan::sync::Status> {
    let text = value.to_string();
    if text.len() > MAX_STATUS {
        tracing::warn!(
            bytes = text.len(),
            "a device's status is too large; not kept"
        );
        return None;
    }
    match serde_json::from_value::<anjungan::sync::Status>(value.clone()) {
        Ok(mut s) => {
            let cut = |t: &mut Option<String>| {
                if let Some(t) = t {
                    *t = t.chars().take(anjungan::sync::status::MAX_TEXT).collect();
                }
            };
            cut(&mut s.name);
            cut(&mut s.version);
            if let Some(c) = &mut s.catalog {
                cut(&mut c.published);
                cut(&mut c.region);
                cut(&mut c.signature_sha256);
            }
            if let Some(p) = &mut s.printer {
                p.state = p.state.chars().take(40).collect();
                cut(&mut p.since);
            }
            if let Some(a) = &mut s.alerts {
                cut(&mut a.newest);
            }
            Some(s)
        }
        Err(e) => {
            tracing::warn!(error = %e, "a device's status does not read; not kept");
            None
        }
    }
}

/// Stores `events` of `device` in one transaction: each new event once,
/// the device's last contact and program, and its status when it sent one.
pub async fn store(
    pool: &Pool,
    device: &str,
    agent: Option<&str>,
    events: &[Event],
    status: Option<&Value>,
) -> Result<Stored> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    let ats: Vec<&str> = events.iter().map(|e| e.at.as_str()).collect();
    let bodies: Vec<String> = events.iter().map(|e| e.body.to_string()).collect();
    // One statement for the whole batch: unnest turns the arrays into rows.
    let inserted: HashSet<String> = tx
        .query(
            "INSERT INTO event (device, id, kind, at, body)
             SELECT $1, e.id, e.kind, e.at::timestamptz, e.body::jsonb
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS e (id, kind, at, body)
             ON CONFLICT (device, id) DO NOTHING
             RETURNING id",
            &[&device, &ids, &kinds, &ats, &bodies],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let stored = inserted.len() as u64;
    // Only what this transaction inserted is counted: an event the hub had
    // (a retried batch) was counted when it first came.
    let mut answers = Vec::new();
    let mut complaints = Vec::new();
    for e in events.iter().filter(|e| inserted.contains(&e.id)) {
        match &e.voice {
            Voice::Survey(a) => answers.push(a.clone()),
            Voice::Complaint(c) => complaints.push((e.id.as_str(), e.at.as_str(), c.clone())),
            Voice::Other => {}
        }
    }
    crate::ikm::count(&tx, device, &answers).await?;
    crate::complaints::add_new(&tx, device, &complaints).await?;
    let agent: Option<String> = agent.map(|a| a.chars().take(100).collect());
    tx.execute(
        "UPDATE device SET last_contact = now(), last_agent = coalesce($2, last_agent) WHERE id = $1",
        &[&device, &agent],
    )
    .await?;
    if let Some(status) = status.and_then(check_status) {
        let json = serde_json::to_string(&status).expect("a status serialises");
        tx.execute(
            "INSERT INTO device_status (device, status) VALUES ($1, $2::text::jsonb)
             ON CONFLICT (device) DO UPDATE SET status = excluded.status, reported_at = now()",
            &[&device, &json],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Stored {
        stored,
        known: events.len() as u64 - stored,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn batch(events: Value) -> Batch {
        serde_json::from_value(json!({"device": "d1", "events": events})).unwrap()
    }

    #[test]
    fn a_status_is_read_bounded_and_a_bad_one_is_dropped() {
        let s = check_status(&json!({
            "name": "x".repeat(1000), "version": "0.1.0", "later": true,
            "printer": {"state": "paper-out", "paper_mm": 58}
        }))
        .unwrap();
        assert_eq!(s.name.unwrap().len(), anjungan::sync::status::MAX_TEXT);
        assert_eq!(s.printer.unwrap().state, "paper-out");
        assert!(check_status(&json!([1, 2])).is_none());
        assert!(check_status(&json!({"version": 7})).is_none());
        assert!(check_status(&json!({"name": "y".repeat(MAX_STATUS)})).is_none());
    }

    #[test]
    fn an_event_keeps_its_own_fields_apart_from_id_kind_and_at() {
        let events = check(batch(json!([{
            "id": "0193a1b2-0000-7000-8000-000000000001", "kind": "survey",
            "at": "2026-12-01T01:00:00Z", "channel": "kiosk", "day": "2026-12-01",
            "answers": [4, 3, null, 4, 4, 4, 4, 4, 4]
        }])))
        .unwrap();
        assert_eq!(events[0].kind, "survey");
        assert_eq!(
            events[0].body,
            json!({"channel": "kiosk", "day": "2026-12-01", "answers": [4, 3, null, 4, 4, 4, 4, 4, 4]})
        );
        assert!(matches!(events[0].voice, Voice::Survey(_)));
    }

    #[test]
    fn one_bad_event_refuses_the_batch_and_names_it() {
        let good = json!({"id": "a", "kind": "alert", "at": "2026-12-01T01:00:00Z"});
        for (bad, says) in [
            (
                json!({"kind": "alert", "at": "2026-12-01T01:00:00Z"}),
                "event 1: id is missing",
            ),
            (
                json!({"id": "a b", "kind": "alert", "at": "2026-12-01T01:00:00Z"}),
                "event 1: id \"a b\"",
            ),
            (
                json!({"id": "b", "kind": "alert", "at": "yesterday"}),
                "event 1: at \"yesterday\"",
            ),
            (
                json!({"id": 7, "kind": "alert", "at": "2026-12-01T01:00:00Z"}),
                "event 1: id 7",
            ),
            (
                json!({"id": "s", "kind": "survey", "at": "2026-12-01T01:00:00Z", "answers": [4]}),
                "event 1 (survey): a survey needs its channel",
            ),
        ] {
            let err = check(batch(json!([good, bad]))).unwrap_err().to_string();
            assert!(err.contains(says), "{err}");
        }
        let many: Vec<Value> = (0..=MAX_EVENTS).map(|_| good.clone()).collect();
        assert!(check(batch(Value::Array(many))).is_err());
    }
}
