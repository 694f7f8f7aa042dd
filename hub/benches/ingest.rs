//! Events ingested per second by one hub process: eight devices post
//! batches of 1,000 survey events at once to the real `anjungan-hub` over
//! a throw-away PostgreSQL. `cargo bench -p anjungan-hub --bench ingest`
//! posts 200,000 events; under `cargo test` it posts 8,000 as a smoke test.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Instant;

use serde_json::json;
use support::hub::{self, Hub};
use support::postgres::Postgres;

const DEVICES: usize = 8;
const BATCH: usize = 1000;

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let batches_each = if full { 25 } else { 1 };
    let Some(pg) = Postgres::start() else { return };
    let db = pg.create("hub");
    let server = Hub::start(&db, "127.0.0.1:0");
    let url = format!("{}/v1/events", server.url());
    // Bodies made before the clock starts: the hub is measured, not serde.
    let devices: Vec<(String, String, Vec<String>)> = (0..DEVICES)
        .map(|d| {
            let id = format!("bench-{d}");
            let token = hub::run(&db, &["device", "add", &id]).trim().to_owned();
            let bodies = (0..batches_each)
                .map(|b| {
                    let events: Vec<_> = (0..BATCH)
                        .map(|i| json!({
                            "id": format!("{b:04}-{i:04}"), "kind": "survey",
                            "at": "2026-12-01T01:00:00Z", "channel": "kiosk", "service": null,
                            "day": "2026-12-01", "answers": [4, 3, 4, 4, 3, 4, 4, 4, 3],
                            "profile": {"sex": "f", "age": null, "education": null, "occupation": null}
                        }))
                        .collect();
                    json!({"device": id, "events": events}).to_string()
                })
                .collect();
            (id, token, bodies)
        })
        .collect();
    let http = anjungan::sync::Http::new(&anjungan::config::SyncConfig::default()).unwrap();
    let client = http.client().clone();
    let started = Instant::now();
    std::thread::scope(|s| {
        for (_, token, bodies) in &devices {
            let (client, url) = (client.clone(), url.clone());
            s.spawn(move || {
                for body in bodies {
                    let r = client
                        .post(&url)
                        .bearer_auth(token)
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .unwrap();
                    assert!(r.status().is_success(), "{}", r.status());
                }
            });
        }
    });
    let seconds = started.elapsed().as_secs_f64();
    let events = DEVICES * batches_each * BATCH;
    let totals = support::totals(&db);
    let stored: i64 = totals
        .as_object()
        .unwrap()
        .values()
        .map(|k| k["survey"].as_i64().unwrap())
        .sum();
    assert_eq!(stored, events as i64);
    println!(
        "ingest: {events} events in {seconds:.2} s: {:.0} events/s by one hub process",
        events as f64 / seconds
    );
}
