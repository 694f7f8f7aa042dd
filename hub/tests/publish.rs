//! Catalog publishing: `anjungan-hub catalog publish` checks a signed
//! bundle as a device would (refusing with the device's own words), the
//! hub serves the newest at `/v1/catalog.json` with a strong ETag, and the
//! real `anjungan sync` pulls and installs it, then costs one 304.

mod support;

use std::path::{Path, PathBuf};

use anjungan::sync::signature;
use serde_json::Value;
use support::browser::Browser;
use support::hub::{self, Hub};
use support::postgres::Postgres;

/// The demo catalog published at `published`, written to `dir/name`.
fn bundle(dir: &Path, name: &str, published: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let mut v: Value = serde_json::from_str(anjungan::catalog::demo::json()).unwrap();
    v["published"] = published.into();
    edit(&mut v);
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    path
}

fn publish(db: &str, bundle: &Path, sig: &Path, key: &Path) -> std::process::Output {
    hub::try_run(
        db,
        &[
            "catalog",
            "publish",
            bundle.to_str().unwrap(),
            sig.to_str().unwrap(),
            "--public-key",
            key.to_str().unwrap(),
        ],
        "",
    )
}

fn refusal(out: &std::process::Output) -> String {
    assert!(!out.status.success(), "published what a device refuses");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn anjungan(config: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(tests::program("anjungan"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("ANJUNGAN_CONFIG")
        .output()
        .unwrap()
}

#[test]
fn a_published_catalog_is_pulled_by_devices_and_what_they_would_refuse_is_not_published() {
    let Some(pg) = Postgres::start() else { return };
    let db = pg.create("hub");
    let dir = tempfile::tempdir().unwrap();
    let keys = signature::keygen(&dir.path().join("region"), None).unwrap();
    let other = signature::keygen(&dir.path().join("other"), None).unwrap();
    let server = Hub::start(&db, "127.0.0.1:0");
    let url = format!("{}/v1/catalog.json", server.url());

    // Nothing published yet: a device's pull fails with the reason.
    let http = anjungan::sync::Http::new(&anjungan::config::SyncConfig::default()).unwrap();
    assert_eq!(
        http.client().get(&url).send().unwrap().status().as_u16(),
        404
    );

    let older = bundle(
        dir.path(),
        "older.json",
        "2026-12-01T08:00:00+07:00",
        |_| {},
    );
    let older_sig = signature::sign(&keys.secret, &older, None).unwrap();
    // Signed a second later: the newest.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let first = bundle(
        dir.path(),
        "first.json",
        "2026-12-02T08:00:00+07:00",
        |_| {},
    );
    let first_sig = signature::sign(&keys.secret, &first, None).unwrap();

    // A bundle a device would refuse, with the device's words.
    let bad = bundle(dir.path(), "bad.json", "2026-12-03T08:00:00+07:00", |v| {
        v["services"][0]["category"] = "tidak-ada".into();
    });
    let bad_sig = signature::sign(&keys.secret, &bad, None).unwrap();
    let said = refusal(&publish(&db, &bad, &bad_sig, &keys.public));
    let device = tests::Device::new();
    let import = device.run("anjungan", &["catalog", "import", bad.to_str().unwrap()]);
    let device_said = String::from_utf8_lossy(&import.stderr);
    let reason = said
        .split("a device would refuse the catalog: ")
        .nth(1)
        .expect(&said)
        .trim();
    assert!(reason.starts_with("services[0].category"), "{said}");
    assert!(
        device_said.contains(reason),
        "hub: {said}\ndevice: {device_said}"
    );

    // A signature of another bundle, and one by another key.
    let said = refusal(&publish(&db, &first, &older_sig, &keys.public));
    assert!(said.contains("does not verify"), "{said}");
    let said = refusal(&publish(&db, &first, &first_sig, &other.public));
    assert!(said.contains("another key"), "{said}");
    let garbage = dir.path().join("garbage.minisig");
    std::fs::write(&garbage, "not a signature").unwrap();
    let said = refusal(&publish(&db, &first, &garbage, &keys.public));
    assert!(said.contains("not a minisign signature"), "{said}");

    let out = publish(&db, &first, &first_sig, &keys.public);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let published: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(published["published"], "2026-12-02T08:00:00+07:00");
    assert_eq!(published["installed_on"], 0);
    // Signed before the one published now: a device would never take it.
    let said = refusal(&publish(&db, &older, &older_sig, &keys.public));
    assert!(said.contains("before the catalog published now"), "{said}");
    let said = refusal(&publish(&db, &first, &first_sig, &keys.public));
    assert!(said.contains("published already"), "{said}");

    // Served with a strong ETag; the same tag again: 304.
    let got = http.client().get(&url).send().unwrap();
    assert_eq!(got.status().as_u16(), 200);
    let etag = got.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && !etag.starts_with("W/"), "{etag}");
    assert_eq!(
        got.bytes().unwrap().as_ref(),
        std::fs::read(&first).unwrap()
    );
    let again = http
        .client()
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);
    let sig = http.client().get(format!("{url}.minisig")).send().unwrap();
    assert_eq!(
        sig.text().unwrap(),
        std::fs::read_to_string(&first_sig).unwrap()
    );

    // A real device pulls it from the hub, then an unchanged pull is one 304.
    let token = hub::run(&db, &["device", "add", "test-device"]);
    let token_file = dir.path().join("hub.token");
    std::fs::write(&token_file, token).unwrap();
    let device = tests::Device::with_config(&format!(
        "[sync]\ncatalog_url = \"{url}\"\npublic_key = \"{}\"\nhub_url = \"{}\"\ntoken_file = \"{}\"\n",
        keys.public_key,
        server.url(),
        token_file.display()
    ));
    let out = anjungan(&device.config, &["sync", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["pull"]["outcome"], "installed", "{report}");
    let out = anjungan(&device.config, &["sync", "--json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["pull"]["outcome"], "unchanged", "{report}");
    assert_eq!(report["pull"]["requests"], 1, "{report}");
    assert_eq!(report["pull"]["bytes"], 0, "{report}");

    // The catalog page counts the device, from the status it pushed.
    hub::add_staff(&db, "siti", "kopi tubruk pagi hari");
    let browser = Browser::new(&server.url());
    assert_eq!(browser.log_in("siti", "kopi tubruk pagi hari").status, 303);
    let page = browser.get("/catalog").body;
    assert!(page.contains("2026-12-02T08:00:00+07:00"), "{page}");
    assert!(page.contains("Kabupaten Banyumas"));
    assert!(page.contains("<td class=\"installed\">1</td>"), "{page}");
    let list: Value = serde_json::from_str(&hub::run(&db, &["catalog", "list"])).unwrap();
    assert_eq!(list[0]["installed_on"], 1);
    assert_eq!(list.as_array().unwrap().len(), 1);
}
