//! The fleet page from real devices: the `anjungan` program's own sync
//! pushes each device's status (with its events, or alone when none wait),
//! and the page shows it, the worst first.

mod support;

use std::path::{Path, PathBuf};

use anjungan::print::spool;
use anjungan::print::transport::Fault;
use anjungan::store::Store;
use support::browser::Browser;
use support::hub::{self, Hub};
use support::postgres::Postgres;

/// A device's configuration in `dir`, pushing to `hub_url`.
fn device(dir: &Path, id: &str, name: &str, hub_url: &str, token: &str) -> PathBuf {
    let token_file = dir.join("hub.token");
    std::fs::write(&token_file, token).unwrap();
    let config = dir.join("anjungan.toml");
    std::fs::write(
        &config,
        format!(
            "[device]\nid = \"{id}\"\nname = \"{name}\"\ndata_dir = \"{}\"\n\
             [kiosk]\nprinter = \"file:{}\"\npaper_mm = 58\n\
             [sync]\nhub_url = \"{hub_url}\"\ntoken_file = \"{}\"\n",
            dir.join("data").display(),
            dir.join("printer.bin").display(),
            token_file.display()
        ),
    )
    .unwrap();
    config
}

/// `anjungan sync --json` of the device at `config`: the push's report.
fn sync(config: &Path) -> serde_json::Value {
    let out = std::process::Command::new(tests::program("anjungan"))
        .arg("--config")
        .arg(config)
        .args(["sync", "--json"])
        .env_remove("ANJUNGAN_CONFIG")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "anjungan sync: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    report["push"].clone()
}

#[test]
fn devices_report_their_status_and_the_fleet_shows_the_worst_first() {
    let Some(pg) = Postgres::start() else { return };
    let db = pg.create("hub");
    hub::add_staff(&db, "siti", "kopi tubruk pagi hari");
    let server = Hub::start(&db, "127.0.0.1:0");
    let busy_dir = tempfile::tempdir().unwrap();
    let quiet_dir = tempfile::tempdir().unwrap();
    let busy = device(
        busy_dir.path(),
        "kec-a-01",
        "Kantor Camat A",
        &server.url(),
        &hub::run(&db, &["device", "add", "kec-a-01"]),
    );
    let quiet = device(
        quiet_dir.path(),
        "kec-b-01",
        "Kantor Camat B",
        &server.url(),
        &hub::run(&db, &["device", "add", "kec-b-01"]),
    );
    hub::run(&db, &["device", "add", "kec-c-01"]); // never seen

    // The busy device: a citizen called staff, and the paper ran out.
    {
        std::fs::create_dir_all(busy_dir.path().join("data")).unwrap();
        let store = Store::open(&busy_dir.path().join("data/anjungan.db")).unwrap();
        let now = chrono::Local::now().fixed_offset();
        anjungan::alert::raise(&store, anjungan::alert::Kind::CallStaff, "screen", now).unwrap();
        spool::record_state(&store, Err(&Fault::PaperOut), now).unwrap();
    }
    let pushed = sync(&busy);
    assert_eq!(pushed["outcome"], "pushed", "{pushed}");
    // The quiet device has nothing to send, and reports all the same.
    let pushed = sync(&quiet);
    assert_eq!(pushed["outcome"], "nothing", "{pushed}");
    // Two requests: the status alone, then the hub's answers to its
    // complaints (none).
    assert_eq!(pushed["requests"], 2, "{pushed}");

    let browser = Browser::new(&server.url());
    assert_eq!(browser.log_in("siti", "kopi tubruk pagi hari").status, 303);
    let rows: serde_json::Value = serde_json::from_str(&browser.get("/fleet.json").body).unwrap();
    let order: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["kec-c-01", "kec-a-01", "kec-b-01"]);
    let busy_row = &rows[1]["status"];
    assert_eq!(busy_row["name"], "Kantor Camat A");
    assert_eq!(busy_row["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(busy_row["printer"]["state"], "paper-out");
    assert_eq!(busy_row["printer"]["paper_mm"], 58);
    assert_eq!(busy_row["alerts"]["open"], 1);
    assert_eq!(
        busy_row["catalog"],
        serde_json::Value::Null,
        "the demo catalog"
    );
    assert!(
        rows[2]["last_contact"].is_string(),
        "the quiet one was seen"
    );
    assert_eq!(rows[2]["status"]["printer"]["state"], "unknown");

    let page = browser.get("/").body;
    assert!(page.contains("belum pernah terhubung"), "{page}");
    assert!(page.contains("paper-out"));
    assert!(page.contains("Kantor Camat B"));

    // Silent for five hours: in red, and before the one with a fault.
    pg.sql(
        "hub",
        "UPDATE device SET last_contact = now() - interval '5 hours' WHERE id = 'kec-b-01'",
    );
    let page = browser.get("/").body;
    assert!(page.contains("tidak terlihat 5 jam"), "{page}");
    let at = |id: &str| page.find(&format!("id=\"device-{id}\"")).unwrap();
    assert!(at("kec-c-01") < at("kec-b-01") && at("kec-b-01") < at("kec-a-01"));
    let english = browser.get("/?lang=en").body;
    assert!(english.contains("not seen for 5 hours"), "{english}");
}
