//! What a device spends on the region's catalog through the hub: the first
//! pull of a published catalog against an unchanged one (a conditional GET
//! answered 304), in requests, bytes on the wire both ways (counted by the
//! test support's proxy between device and hub) and time per pull. Each
//! pull is the device's own (`anjungan::sync::pull`) with a fresh client,
//! as every run of `anjungan sync` is a new process.
//!
//! `cargo bench -p anjungan-hub --bench catalog` publishes a catalog of
//! 2,000 services and makes 200 unchanged pulls; under `cargo test` it
//! publishes the demo catalog and makes 5, as a smoke test.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use anjungan::config::SyncConfig;
use anjungan::store::Store;
use anjungan::sync::{Http, Pulled, pull, signature};
use support::hub::{self, Hub};
use support::postgres::Postgres;
use support::proxy::Proxy;

struct Spent {
    requests: u32,
    up: u64,
    down: u64,
    time: Duration,
}

fn pull_once(store: &mut Store, config: &SyncConfig, proxy: &Proxy) -> (Pulled, Spent) {
    let (up, down) = proxy.bytes();
    let started = Instant::now();
    let http = Http::new(config).unwrap();
    let pulled = pull::pull(store, config, &http).unwrap().unwrap();
    let time = started.elapsed();
    let (up2, down2) = proxy.bytes();
    let spent = Spent {
        requests: http.requests(),
        up: up2 - up,
        down: down2 - down,
        time,
    };
    (pulled, spent)
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (services, pulls) = if full { (2000, 200) } else { (0, 5) };
    let Some(pg) = Postgres::start() else { return };
    let db = pg.create("hub");
    let dir = tempfile::tempdir().unwrap();
    let keys = signature::keygen(&dir.path().join("region"), None).unwrap();
    let bundle = dir.path().join("catalog.json");
    let json = if services > 0 {
        anjungan::catalog::to_json(&anjungan::catalog::synthetic::bundle(services, 7))
    } else {
        anjungan::catalog::demo::json().to_owned()
    };
    std::fs::write(&bundle, &json).unwrap();
    let sig = signature::sign(&keys.secret, &bundle, None).unwrap();
    hub::run(
        &db,
        &[
            "catalog",
            "publish",
            bundle.to_str().unwrap(),
            sig.to_str().unwrap(),
            "--public-key",
            &keys.public_key,
        ],
    );
    let server = Hub::start(&db, "127.0.0.1:0");
    let proxy = Proxy::start(server.addr);
    let config = SyncConfig {
        catalog_url: Some(format!("{}/v1/catalog.json", proxy.url())),
        public_key: Some(keys.public_key.clone()),
        ..SyncConfig::default()
    };
    let mut store = Store::open(&dir.path().join("anjungan.db")).unwrap();

    let (pulled, first) = pull_once(&mut store, &config, &proxy);
    assert!(matches!(pulled, Pulled::Installed { .. }), "{pulled:?}");
    let mut unchanged = Vec::new();
    for _ in 0..pulls {
        let (pulled, spent) = pull_once(&mut store, &config, &proxy);
        assert_eq!(pulled, Pulled::Unchanged);
        assert_eq!(spent.requests, 1, "an unchanged catalog is one request");
        unchanged.push(spent);
    }
    let n = unchanged.len() as u64;
    let mut times: Vec<Duration> = unchanged.iter().map(|s| s.time).collect();
    times.sort();
    let median = times[times.len() / 2];
    let up = unchanged.iter().map(|s| s.up).sum::<u64>() / n;
    let down = unchanged.iter().map(|s| s.down).sum::<u64>() / n;
    println!(
        "catalog through the hub: {} bytes of bundle ({} services), {pulls} unchanged pulls",
        json.len(),
        if services > 0 {
            services
        } else {
            anjungan::catalog::demo::bundle().services.len()
        }
    );
    println!("| pull | requests | bytes device to hub | bytes hub to device | time |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| first (bundle + signature) | {} | {} | {} | {:.1} ms |",
        first.requests,
        first.up,
        first.down,
        first.time.as_secs_f64() * 1000.0
    );
    println!(
        "| unchanged (304), mean bytes, median time | 1 | {up} | {down} | {:.1} ms |",
        median.as_secs_f64() * 1000.0
    );
}
