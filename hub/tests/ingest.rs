//! Ingestion against a real PostgreSQL and the real hub program: enrolment,
//! tokens, and a batch sent twice counting once.

mod support;

use serde_json::json;
use support::device::{self, Day};
use support::hub::{self, Hub};
use support::postgres::Postgres;

#[test]
fn a_batch_sent_twice_counts_once_and_only_enrolled_devices_push() {
    let Some(pg) = Postgres::start() else { return };
    let db = pg.create("hub");
    let token = hub::run(&db, &["device", "add", "kec-a-01"]);
    let token = token.trim();
    assert_eq!(token.len(), 64, "{token}");
    let again = std::process::Command::new(hub::PROGRAM)
        .args(["--database", &db, "device", "add", "kec-a-01"])
        .output()
        .unwrap();
    assert!(!again.status.success(), "a device is enrolled once");
    hub::run(&db, &["device", "add", "kec-b-01"]);

    let server = Hub::start(&db, "127.0.0.1:0");
    let url = format!("{}/v1/events", server.url());
    // The device's own client (rustls with its provider installed).
    let http = anjungan::sync::Http::new(&anjungan::config::SyncConfig::default()).unwrap();
    let client = http.client();
    let batch = json!({"device": "kec-a-01", "events": [
        {"id": "e1", "kind": "alert", "at": "2026-12-01T01:00:00Z", "alert": "call-staff"},
        {"id": "e2", "kind": "survey", "at": "2026-12-01T01:00:05+07:00", "channel": "kiosk", "day": "2026-12-01", "answers": [4, 4, 3, 4, 4, 4, 4, 4, null]},
    ]});
    let post = |token: Option<&str>, body: &serde_json::Value| {
        let mut r = client
            .post(&url)
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        let r = r.send().unwrap();
        (r.status().as_u16(), r.text().unwrap())
    };
    assert_eq!(post(None, &batch).0, 401);
    assert_eq!(post(Some("0".repeat(64).as_str()), &batch).0, 401);
    let (status, text) = post(Some(token), &json!({"device": "kec-b-01", "events": []}));
    assert_eq!(status, 403, "{text}");
    let (status, text) = post(Some(token), &batch);
    assert_eq!((status, text.as_str()), (200, r#"{"stored":2,"known":0}"#));
    let (status, text) = post(Some(token), &batch);
    assert_eq!((status, text.as_str()), (200, r#"{"stored":0,"known":2}"#));
    let (status, text) = post(
        Some(token),
        &json!({"device": "kec-a-01", "events": [{"id": "e3", "kind": "alert", "at": "never"}]}),
    );
    assert_eq!(status, 422, "{text}");
    assert!(text.contains("event 0: at"), "{text}");
    assert_eq!(
        support::totals(&db),
        json!({"kec-a-01": {"alert": 1, "survey": 1}})
    );

    hub::run(&db, &["device", "revoke", "kec-a-01"]);
    assert_eq!(post(Some(token), &batch).0, 401);
    let devices: serde_json::Value =
        serde_json::from_str(&hub::run(&db, &["device", "list"])).unwrap();
    assert_eq!(devices[0]["id"], "kec-a-01");
    assert_eq!(devices[0]["revoked"], true);
    assert!(devices[0]["last_contact"].is_string());
    assert_eq!(devices[1]["last_contact"], serde_json::Value::Null);
}

#[test]
fn a_device_pushes_its_outbox_and_the_hub_holds_what_it_recorded() {
    let Some(pg) = Postgres::start() else { return };
    let db = pg.create("hub");
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("hub.token");
    std::fs::write(&token_file, hub::run(&db, &["device", "add", "kec-a-01"])).unwrap();
    let server = Hub::start(&db, "127.0.0.1:0");
    let day = Day {
        surveys: 450,
        complaints: 3,
        alerts: 2,
        faults: 1,
        joins: 30,
    };
    let mut store = device::live_a_day(&dir.path().join("anjungan.db"), day);
    let config = device::sync_config(&server.url(), &token_file, 5);
    let pushed = device::push(&mut store, &config, "kec-a-01").unwrap();
    assert_eq!((pushed.sent, pushed.waiting), (450 + 3 + 2 + 1 + 24, 0));
    let nothing = device::push(&mut store, &config, "kec-a-01").unwrap();
    assert_eq!(nothing.sent, 0);
    let expected: serde_json::Map<String, serde_json::Value> = day
        .expected()
        .into_iter()
        .map(|(k, n)| (k.to_owned(), n.into()))
        .collect();
    assert_eq!(support::totals(&db), json!({"kec-a-01": expected}));

    // Another device's token is refused for this device's events.
    std::fs::write(&token_file, hub::run(&db, &["device", "add", "kec-b-01"])).unwrap();
    anjungan::alert::raise(
        &store,
        anjungan::alert::Kind::CallStaff,
        "screen",
        device::morning(),
    )
    .unwrap();
    let refused = device::push(&mut store, &config, "kec-a-01").unwrap_err();
    assert!(refused.contains("http-403"), "{refused}");
}
