//! `anjungan sync`'s pull, end to end: the real program pulls the region's
//! signed catalog over real HTTP from a pretend region server in this test
//! process (`tests::region`), which also plays every fault: a bad
//! signature, another key's, a body cut short, a 500, silence, a bundle
//! the import refuses, an older catalog served again. After each, the
//! installed catalog is checked and the recorded reason read back.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tests::region::{Answer, Region};
use tests::{Device, Need, can_run, stderr, stdout};

const CATALOG: &str = "/anjungan/catalog.json";
const SIGNATURE: &str = "/anjungan/catalog.json.minisig";

/// The region's catalog with `services` services, distinguishable by count.
fn bundle(services: usize) -> Vec<u8> {
    let mut b: Value = serde_json::from_str(anjungan::catalog::demo::json()).unwrap();
    b["region"] = json!({"code": "32.73", "name": "Kota Bandung"});
    b["services"].as_array_mut().unwrap().truncate(services);
    serde_json::to_vec_pretty(&b).unwrap()
}

/// The region's signing desk: a key pair made with `anjungan catalog
/// keygen`, and bundles signed with `anjungan catalog sign`.
struct Desk {
    dir: tempfile::TempDir,
    public_key: String,
}

impl Desk {
    fn new(tools: &Device) -> Desk {
        let dir = tempfile::tempdir().unwrap();
        let out = tools.run(
            "anjungan",
            &[
                "catalog",
                "keygen",
                "--out",
                dir.path().join("region").to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let public = std::fs::read_to_string(dir.path().join("region.pub")).unwrap();
        let public_key = public.lines().nth(1).unwrap().to_owned();
        assert!(stdout(&out).contains(&public_key), "{}", stdout(&out));
        Desk { dir, public_key }
    }

    fn key(&self) -> PathBuf {
        self.dir.path().join("region.key")
    }

    /// Signs `bytes` as catalog.json; returns the .minisig file's bytes.
    fn sign(&self, tools: &Device, bytes: &[u8]) -> Vec<u8> {
        let file = self.dir.path().join("catalog.json");
        std::fs::write(&file, bytes).unwrap();
        let out = tools.run(
            "anjungan",
            &[
                "catalog",
                "sign",
                "--key",
                self.key().to_str().unwrap(),
                file.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        std::fs::read(self.dir.path().join("catalog.json.minisig")).unwrap()
    }
}

/// Publishes `catalog` with `signature` at the region's URLs.
fn publish(region: &Region, catalog: &[u8], signature: &[u8], etag: Option<&str>) {
    region.answer(
        CATALOG,
        Answer::File {
            body: catalog.to_vec(),
            etag: etag.map(str::to_owned),
        },
    );
    region.answer(
        SIGNATURE,
        Answer::File {
            body: signature.to_vec(),
            etag: None,
        },
    );
}

fn device_for(region: &Region, public_key: &str) -> Device {
    Device::with_config(&format!(
        "[sync]\ncatalog_url = \"{}\"\npublic_key = \"{public_key}\"\ntimeout_seconds = 2\n",
        region.url(CATALOG)
    ))
}

/// `anjungan sync --json [extra]`: (success, the pull's report, stderr).
fn sync(device: &Device, extra: &[&str]) -> (bool, Value, String) {
    let mut args = vec!["sync", "--json"];
    args.extend_from_slice(extra);
    let out = device.run("anjungan", &args);
    let report: Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{e}: {} / {}", stdout(&out), stderr(&out)));
    assert_eq!(report["push"], Value::Null, "no hub configured");
    (out.status.success(), report["pull"].clone(), stderr(&out))
}

fn services_installed(device: &Device) -> usize {
    let export: Value = serde_json::from_str(&device.export()).unwrap();
    export["services"].as_array().unwrap().len()
}

#[test]
fn a_signed_catalog_is_installed_and_an_unchanged_one_costs_one_small_request() {
    let region = Region::start();
    let tools = Device::new();
    let desk = Desk::new(&tools);
    let catalog = bundle(7);
    publish(
        &region,
        &catalog,
        &desk.sign(&tools, &catalog),
        Some("\"v1\""),
    );
    let device = device_for(&region, &desk.public_key);

    let (ok, pull, err) = sync(&device, &[]);
    assert!(ok, "{err}");
    assert_eq!(pull["outcome"], "installed", "{pull}");
    assert_eq!(pull["generation"], 1);
    assert_eq!(pull["requests"], 2, "the catalog and its signature");
    assert_eq!(services_installed(&device), 7);
    assert_eq!(pull["state"]["failures"], 0);

    // Unchanged: one conditional request, answered 304 without a body.
    region.reset_counts();
    let started = Instant::now();
    let (ok, pull, err) = sync(&device, &[]);
    let took = started.elapsed();
    assert!(ok, "{err}");
    assert_eq!(pull["outcome"], "unchanged", "{pull}");
    let requests = region.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].path, CATALOG);
    assert_eq!(requests[0].if_none_match.as_deref(), Some("\"v1\""));
    let (bytes_in, bytes_out) = region.bytes();
    assert!(
        bytes_in + bytes_out < 1024,
        "{bytes_in} + {bytes_out} bytes"
    );
    println!(
        "unchanged catalog: {} request, {bytes_in} bytes up, {bytes_out} bytes down, {} ms for the whole `anjungan sync` process",
        requests.len(),
        took.as_millis()
    );
    assert_eq!(pull["bytes"], 0, "no body read");

    // A server without ETags sends the catalog again: its signature, the
    // same as the installed one's, ends the pull without a new install.
    publish(&region, &catalog, &desk.sign(&tools, &catalog), None);
    let (ok, pull, err) = sync(&device, &[]);
    assert!(ok, "{err}");
    assert_eq!(pull["outcome"], "installed", "signed anew: {pull}");
    let (ok, pull, err) = sync(&device, &[]);
    assert!(ok, "{err}");
    assert_eq!(pull["outcome"], "unchanged", "{pull}");
    assert_eq!(pull["requests"], 2);
    assert_eq!(pull["generation"], Value::Null);

    // A newer catalog is installed and picked up by its generation.
    std::thread::sleep(Duration::from_millis(1100));
    let newer = bundle(9);
    publish(&region, &newer, &desk.sign(&tools, &newer), Some("\"v2\""));
    let (ok, pull, err) = sync(&device, &[]);
    assert!(ok, "{err}");
    assert_eq!(pull["outcome"], "installed", "{pull}");
    assert_eq!(pull["generation"], 3);
    assert_eq!(services_installed(&device), 9);
}

/// Runs a sync that must fail with `reason`, and checks that the catalog
/// stayed, that the reason is recorded in the database (read back by the
/// waiting `--when-due` run, which makes no request), and that the
/// failures are counted.
fn check_failure(device: &Device, region: &Region, reason: &str, failures: u64) {
    let before = device.export();
    let (ok, pull, err) = sync(device, &[]);
    assert!(!ok, "{reason}: the sync succeeded: {pull}");
    assert_eq!(pull["outcome"], "failed", "{pull}");
    assert_eq!(pull["reason"], reason, "{pull}");
    assert!(err.contains("catalog pull failed"), "{reason}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert_eq!(device.export(), before, "{reason}: the catalog changed");

    region.reset_counts();
    let (ok, waiting, err) = sync(device, &["--when-due"]);
    assert!(ok, "waiting is not a failure: {err}");
    assert_eq!(waiting["outcome"], "waiting", "{waiting}");
    assert_eq!(waiting["requests"], 0);
    assert!(region.requests().is_empty(), "a try during the backoff");
    let recorded = &waiting["state"];
    assert_eq!(recorded["outcome"], reason, "{recorded}");
    assert_eq!(recorded["detail"], pull["message"], "{recorded}");
    assert_eq!(recorded["failures"], failures, "{recorded}");
    assert!(recorded["next_try_at"].as_str() > recorded["last_try_at"].as_str());
}

#[test]
fn every_bad_answer_leaves_the_installed_catalog_and_records_why() {
    let region = Region::start();
    let tools = Device::new();
    let desk = Desk::new(&tools);
    let good = bundle(5);
    let good_signature = desk.sign(&tools, &good);
    publish(&region, &good, &good_signature, Some("\"good\""));
    let device = device_for(&region, &desk.public_key);
    let (ok, _, err) = sync(&device, &[]);
    assert!(ok, "{err}");
    std::thread::sleep(Duration::from_millis(1100));

    // The bundle changed after signing.
    let mut tampered = bundle(6);
    let signature = desk.sign(&tools, &tampered);
    tampered.extend_from_slice(b"\n");
    publish(&region, &tampered, &signature, None);
    check_failure(&device, &region, "bad-signature", 1);

    // Signed by another key.
    let stranger = Desk::new(&tools);
    let other = bundle(6);
    publish(&region, &other, &stranger.sign(&tools, &other), None);
    check_failure(&device, &region, "other-key", 2);

    // The download breaks off half-way.
    let newer = bundle(6);
    region.answer(CATALOG, Answer::CutShort(newer.clone()));
    region.answer(
        SIGNATURE,
        Answer::File {
            body: desk.sign(&tools, &newer),
            etag: None,
        },
    );
    check_failure(&device, &region, "truncated", 3);

    // The server fails, then says nothing at all.
    region.answer(CATALOG, Answer::Status(500));
    check_failure(&device, &region, "http-500", 4);
    region.answer(CATALOG, Answer::Silent(Duration::from_secs(6)));
    let started = Instant::now();
    check_failure(&device, &region, "timeout", 5);
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "[sync] timeout_seconds = 2"
    );

    // No signature published.
    region.answer(
        CATALOG,
        Answer::File {
            body: newer.clone(),
            etag: None,
        },
    );
    region.answer(SIGNATURE, Answer::Status(404));
    check_failure(&device, &region, "http-404", 6);

    // Signed, but not a catalog the import takes.
    let broken = br#"{"format": 1, "services": "none"}"#.to_vec();
    publish(&region, &broken, &desk.sign(&tools, &broken), None);
    check_failure(&device, &region, "refused", 7);

    // The catalog installed before, served again after a newer one.
    std::thread::sleep(Duration::from_millis(1100));
    let newest = bundle(8);
    publish(&region, &newest, &desk.sign(&tools, &newest), None);
    let (ok, pull, err) = sync(&device, &[]);
    assert!(ok, "{err}");
    assert_eq!(pull["state"]["failures"], 0, "a success ends the failures");
    assert_eq!(services_installed(&device), 8);
    publish(&region, &good, &good_signature, None);
    check_failure(&device, &region, "older", 1);
    assert_eq!(services_installed(&device), 8);
}

#[test]
fn minisign_itself_signs_for_devices_and_verifies_what_we_sign() {
    if !can_run(
        "the interoperability with minisign",
        &[Need::ProgramAsked("minisign", "-v")],
    ) {
        return;
    }
    let region = Region::start();
    let tools = Device::new();
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = (dir.path().join("mini.key"), dir.path().join("mini.pub"));
    let status = std::process::Command::new("minisign")
        .args(["-G", "-W", "-s"])
        .arg(&key)
        .arg("-p")
        .arg(&public)
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", stderr(&status));
    let public_key = std::fs::read_to_string(&public)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_owned();

    // A bundle signed by minisign is installed.
    let catalog = bundle(4);
    let file = dir.path().join("catalog.json");
    std::fs::write(&file, &catalog).unwrap();
    let signed = std::process::Command::new("minisign")
        .args(["-S", "-s"])
        .arg(&key)
        .arg("-m")
        .arg(&file)
        .output()
        .unwrap();
    assert!(signed.status.success(), "{}", stderr(&signed));
    let signature = std::fs::read(dir.path().join("catalog.json.minisig")).unwrap();
    publish(&region, &catalog, &signature, None);
    let device = device_for(&region, &public_key);
    let (ok, pull, err) = sync(&device, &[]);
    assert!(ok, "{err}");
    assert_eq!(pull["outcome"], "installed", "{pull}");
    assert_eq!(services_installed(&device), 4);

    // What `anjungan catalog sign` writes, with minisign's key or our own,
    // minisign verifies.
    let ours = Desk::new(&tools);
    for (secret, public) in [
        (key.clone(), public.clone()),
        (ours.key(), ours.dir.path().join("region.pub")),
    ] {
        let out = tools.run(
            "anjungan",
            &[
                "catalog",
                "sign",
                "--key",
                secret.to_str().unwrap(),
                file.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let verified = std::process::Command::new("minisign")
            .arg("-V")
            .arg("-p")
            .arg(&public)
            .arg("-m")
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            verified.status.success(),
            "minisign -V refused our signature: {}{}",
            stdout(&verified),
            stderr(&verified)
        );
        assert!(
            stdout(&verified).contains("timestamp:"),
            "{}",
            stdout(&verified)
        );
    }
}

#[test]
fn without_a_catalog_url_there_is_nothing_to_pull() {
    let device = Device::new();
    let (ok, pull, err) = sync(&device, &[]);
    assert!(ok, "{err}");
    assert_eq!(pull["outcome"], "not-configured");
    let out = device.run("anjungan", &["sync"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("catalog_url"), "{}", stdout(&out));
}
