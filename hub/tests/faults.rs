//! Faults between device and hub: a 500, a hang, a connection dropped
//! after the hub stored the batch. Nothing is lost, nothing counts twice.

mod support;

use serde_json::json;
use support::device::{self, Day};
use support::hub::{self, Hub};
use support::postgres::Postgres;
use support::proxy::{Mode, Proxy};

#[test]
fn nothing_is_lost_and_nothing_doubled_through_500s_hangs_and_dropped_answers() {
    let Some(pg) = Postgres::start() else { return };
    let db = pg.create("hub");
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("hub.token");
    std::fs::write(&token_file, hub::run(&db, &["device", "add", "kec-a-01"])).unwrap();
    let server = Hub::start(&db, "127.0.0.1:0");
    let proxy = Proxy::start(server.addr);
    let day = Day {
        surveys: 500,
        complaints: 4,
        alerts: 3,
        faults: 2,
        joins: 10,
    };
    let mut store = device::live_a_day(&dir.path().join("anjungan.db"), day);
    let config = device::sync_config(&proxy.url(), &token_file, 1);
    let waiting = |store: &anjungan::store::Store| -> i64 {
        anjungan::outbox::waiting(store)
            .unwrap()
            .iter()
            .map(|(_, n)| n)
            .sum()
    };
    let all = waiting(&store);
    assert_eq!(all, 500 + 4 + 3 + 2);

    proxy.set(Mode::Answer500);
    let failed = device::push(&mut store, &config, "kec-a-01").unwrap_err();
    assert!(failed.contains("http-500"), "{failed}");
    proxy.set(Mode::Hang);
    let failed = device::push(&mut store, &config, "kec-a-01").unwrap_err();
    assert!(failed.contains("(timeout)"), "{failed}");
    assert_eq!(support::totals(&db), json!({}));

    // The hub stores the first batch, the device never hears it did.
    proxy.set(Mode::DropAfterForward);
    let failed = device::push(&mut store, &config, "kec-a-01").unwrap_err();
    assert!(!failed.is_empty());
    assert_eq!(support::totals(&db)["kec-a-01"]["survey"], 200);
    // Usage hours were summarised into events by the first push.
    assert_eq!(waiting(&store), all + 10);

    proxy.set(Mode::Pass);
    let pushed = device::push(&mut store, &config, "kec-a-01").unwrap();
    assert_eq!((pushed.sent, pushed.waiting), (all as u64 + 10, 0));
    let expected: serde_json::Map<String, serde_json::Value> = day
        .expected()
        .into_iter()
        .map(|(k, n)| (k.to_owned(), n.into()))
        .collect();
    assert_eq!(support::totals(&db), json!({"kec-a-01": expected}));
}
