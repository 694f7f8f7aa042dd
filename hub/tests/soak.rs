//! A soak: a hundred devices push a day's events each through one hub that
//! is killed (SIGKILL) and started again half-way; afterwards the hub's
//! counts equal the devices' exactly.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use support::device::{self, Day};
use support::hub::{self, Hub};
use support::postgres::Postgres;

const DEVICES: usize = 100;
const THREADS: usize = 10;
const DAY: Day = Day {
    surveys: 300,
    complaints: 6,
    alerts: 4,
    faults: 3,
    joins: 40,
};

#[test]
fn a_hundred_devices_through_a_hub_killed_half_way_count_exactly() {
    let Some(pg) = Postgres::start() else { return };
    let db = pg.create("hub");
    // On tmpfs where there is one: the devices' fsyncs are not under test.
    let base = ["/dev/shm", "/tmp"]
        .into_iter()
        .find(|d| std::path::Path::new(d).is_dir())
        .unwrap();
    let dir = tempfile::tempdir_in(base).unwrap();
    let server = Hub::start(&db, "127.0.0.1:0");
    let url = server.url();
    let listen = server.addr.to_string();

    let started = Instant::now();
    let devices: Vec<String> = (0..DEVICES).map(|i| format!("soak-{i:03}")).collect();
    let workers: Vec<_> = devices
        .chunks(DEVICES / THREADS)
        .map(|ids| {
            let ids = ids.to_vec();
            let dir = dir.path().to_owned();
            let tokens: Vec<String> = ids
                .iter()
                .map(|id| hub::run(&db, &["device", "add", id]))
                .collect();
            (ids, dir, tokens)
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|(ids, dir, tokens)| {
            std::thread::spawn(move || {
                ids.iter()
                    .zip(tokens)
                    .map(|(id, token)| {
                        let token_file = dir.join(format!("{id}.token"));
                        std::fs::write(&token_file, token).unwrap();
                        let store = device::live_a_day(&dir.join(format!("{id}.db")), DAY);
                        (id.clone(), token_file, store)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let fleets: Vec<_> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    eprintln!(
        "{DEVICES} devices lived their day in {:?}",
        started.elapsed()
    );

    let pushes = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let pushers: Vec<_> = fleets
        .into_iter()
        .map(|fleet| {
            let (url, pushes, failures) = (url.clone(), pushes.clone(), failures.clone());
            std::thread::spawn(move || {
                for (id, token_file, mut store) in fleet {
                    let config = device::sync_config(&url, &token_file, 5);
                    // A push sends the device's day in two batches; ten
                    // devices push at once, so batches are in flight when
                    // the hub is killed.
                    loop {
                        match device::push(&mut store, &config, &id) {
                            Ok(p) => {
                                pushes.fetch_add(1, Ordering::Relaxed);
                                if p.waiting == 0 {
                                    break;
                                }
                            }
                            Err(_) => {
                                failures.fetch_add(1, Ordering::Relaxed);
                                std::thread::sleep(Duration::from_millis(100));
                            }
                        }
                    }
                    // Pushed again, nothing is sent. The push also asks
                    // for its complaints' answers, so it needs the hub up:
                    // it may be this moment's killed one.
                    loop {
                        match device::push(&mut store, &config, &id) {
                            Ok(p) => {
                                assert_eq!(p.sent, 0);
                                break;
                            }
                            Err(_) => {
                                failures.fetch_add(1, Ordering::Relaxed);
                                std::thread::sleep(Duration::from_millis(100));
                            }
                        }
                    }
                }
            })
        })
        .collect();
    // When about four in ten devices are done, the hub dies and comes back.
    let deadline = Instant::now() + Duration::from_secs(60);
    while pushes.load(Ordering::Relaxed) < 40 {
        assert!(Instant::now() < deadline, "the devices push");
        std::thread::sleep(Duration::from_millis(5));
    }
    server.kill();
    // Down until a device has felt it: on a loaded machine a fixed pause
    // could pass while every pusher was busy with its own database.
    let deadline = Instant::now() + Duration::from_secs(60);
    while failures.load(Ordering::Relaxed) == 0 {
        assert!(Instant::now() < deadline, "no device tried the killed hub");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let _server = Hub::start(&db, &listen);
    for p in pushers {
        p.join().unwrap();
    }
    eprintln!(
        "pushed in {:?}, {} pushes failed while the hub was down",
        started.elapsed(),
        failures.load(Ordering::Relaxed)
    );

    let totals = support::totals(&db);
    let expected: serde_json::Map<String, serde_json::Value> = DAY
        .expected()
        .into_iter()
        .map(|(k, n)| (k.to_owned(), n.into()))
        .collect();
    for id in &devices {
        assert_eq!(
            totals[id],
            serde_json::Value::Object(expected.clone()),
            "{id}"
        );
    }
    assert_eq!(totals.as_object().unwrap().len(), DEVICES);
}
