//! The region's IKM against a real PostgreSQL, the real hub and the real
//! `anjungan` program: the hub's report equals `anjungan survey report
//! --json` on the device for the same answers (whole, by period, channel,
//! service and device), also after a batch the hub stored but whose answer
//! the device never heard, pushed again; two devices add up. A unit is an
//! office of the newest published catalog: its report is the device's
//! `--unit` report with that catalog installed.

mod support;

use anjungan::store::Store;
use anjungan::sync::signature;
use anjungan::voice::survey::{self, Answers, Channel, Response, synthetic};
use chrono::NaiveDate;
use serde_json::Value;
use support::browser::Browser;
use support::device;
use support::hub::{self, Hub};
use support::postgres::Postgres;
use support::proxy::{Mode, Proxy};
use support::staff;

/// A device of the tests crate (its own data directory and configuration
/// naming it `id`), its store filled with `forms` made-up forms.
fn device_with_forms(id: &str, forms: usize, seed: u64) -> (tests::Device, Store) {
    let dev = tests::Device::with_config("");
    // The configuration names the device "test-device"; give it its own id.
    let text = std::fs::read_to_string(&dev.config)
        .unwrap()
        .replace("test-device", id);
    std::fs::write(&dev.config, text).unwrap();
    std::fs::create_dir_all(dev.path("data")).unwrap();
    let mut store = Store::open(&dev.path("data/anjungan.db")).unwrap();
    let first = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    synthetic::fill(&mut store, forms, first, 330, seed, device::morning()).unwrap();
    // A form with a blank and no profile, and one about no service.
    let mut answers = Answers::new([Some(2); 9]).unwrap();
    answers.set(survey::Element::Fee, None).unwrap();
    let response = Response {
        answers,
        service: Some("akta-kelahiran".into()),
        ..Response::default()
    };
    survey::record(&mut store, &response, Channel::Portal, device::morning()).unwrap();
    (dev, store)
}

/// `anjungan survey report --json ARGS` on the device.
fn device_report(dev: &tests::Device, args: &[&str]) -> Value {
    let mut all = vec!["survey", "report", "--json"];
    all.extend_from_slice(args);
    let out = dev.run("anjungan", &all);
    assert!(out.status.success(), "{}", tests::stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The hub's `/ikm.json?QUERY`, without its `selection` (which the device's
/// report does not have).
fn hub_report(staff: &Browser, query: &str) -> Value {
    let r = staff.get(&format!("/ikm.json?{query}"));
    assert_eq!(r.status, 200, "{}", r.body);
    let mut v: Value = serde_json::from_str(&r.body).unwrap();
    v.as_object_mut().unwrap().remove("selection");
    v
}

#[test]
fn the_region_report_is_the_devices_report_for_the_same_answers() {
    let Some(pg) = Postgres::start() else { return };
    let db = pg.create("hub");
    let dir = tempfile::tempdir().unwrap();
    let server = Hub::start(&db, "127.0.0.1:0");
    let staff = staff::logged_in(&db, &server.url());
    let proxy = Proxy::start(server.addr);

    let (dev_a, mut store_a) = device_with_forms("kec-a-01", 1500, 7);
    let token_a = dir.path().join("a.token");
    std::fs::write(&token_a, hub::run(&db, &["device", "add", "kec-a-01"])).unwrap();
    let config = device::sync_config(&proxy.url(), &token_a, 5);

    // The hub stores the first batch and the device never hears it did:
    // the next push sends that batch again, and it must count once.
    proxy.set(Mode::DropAfterForward);
    assert!(device::push(&mut store_a, &config, "kec-a-01").is_err());
    let half: Value = serde_json::from_str(&staff.get("/ikm.json").body).unwrap();
    assert_eq!(half["responses"], 200, "one batch of 200 was stored");
    proxy.set(Mode::Pass);
    let pushed = device::push(&mut store_a, &config, "kec-a-01").unwrap();
    assert_eq!((pushed.sent, pushed.waiting), (1501, 0));

    let url = server.url();
    let whole = hub_report(&staff, "");
    assert_eq!(whole["responses"], 1501);
    assert_eq!(whole, device_report(&dev_a, &[]));
    for (device_args, query) in [
        (
            vec!["--from", "2026-03-01", "--to", "2026-06-30"],
            "from=2026-03-01&to=2026-06-30",
        ),
        (vec!["--channel", "paper"], "channel=paper"),
        (
            vec!["--service", "akta-kelahiran"],
            "service=akta-kelahiran",
        ),
        (
            vec![
                "--channel",
                "portal",
                "--service",
                "izin-usaha",
                "--from",
                "2026-07-01",
            ],
            "channel=portal&service=izin-usaha&from=2026-07-01",
        ),
        (vec!["--lang", "en"], "lang=en"),
    ] {
        assert_eq!(
            hub_report(&staff, query),
            device_report(&dev_a, &device_args),
            "{query}"
        );
    }
    // `?lang=` switches the login's language until it is switched back.
    assert_eq!(
        hub_report(&staff, "lang=id"),
        device_report(&dev_a, &["--lang", "id"])
    );

    // A second device: the region is both, each device is itself.
    let (dev_b, mut store_b) = device_with_forms("kec-b-01", 700, 8);
    let token_b = dir.path().join("b.token");
    std::fs::write(&token_b, hub::run(&db, &["device", "add", "kec-b-01"])).unwrap();
    let config_b = device::sync_config(&url, &token_b, 5);
    device::push(&mut store_b, &config_b, "kec-b-01").unwrap();
    assert_eq!(
        hub_report(&staff, "device=kec-b-01"),
        device_report(&dev_b, &[])
    );
    assert_eq!(
        hub_report(&staff, "device=kec-a-01"),
        device_report(&dev_a, &[])
    );
    let region = hub_report(&staff, "");
    assert_eq!(region["responses"], 1501 + 701);
    for i in 0..9 {
        let answers = |v: &Value| v["elements"][i]["answers"].as_u64().unwrap();
        assert_eq!(
            answers(&region),
            answers(&device_report(&dev_a, &[])) + answers(&device_report(&dev_b, &[]))
        );
    }

    // The page shows the same numbers, with the device's charts.
    let r = staff.get("/ikm?device=kec-a-01");
    let (status, page) = (r.status, r.body);
    assert_eq!(status, 200);
    let ikm = format!("{:.2}", whole["ikm"].as_f64().unwrap());
    assert!(page.contains(&ikm), "the page shows IKM {ikm}");
    assert!(page.contains("<svg"), "the page has the report's charts");
    assert!(
        page.contains(r#"<a href="/ikm" aria-current="page">IKM wilayah</a>"#),
        "the page is in the menu: {page}"
    );
    let r = staff.get("/ikm?from=31-12-2026");
    let (status, page) = (r.status, r.body);
    assert_eq!(status, 400);
    assert!(page.contains("YYYY-MM-DD"), "{page}");
}

#[test]
fn a_units_report_is_the_devices_report_for_the_services_of_that_office() {
    let Some(pg) = Postgres::start() else { return };
    let db = pg.create("hub");
    let dir = tempfile::tempdir().unwrap();
    let server = Hub::start(&db, "127.0.0.1:0");
    let staff = staff::logged_in(&db, &server.url());
    let (dev, mut store) = device_with_forms("kec-u-01", 800, 11);
    let token = dir.path().join("u.token");
    std::fs::write(&token, hub::run(&db, &["device", "add", "kec-u-01"])).unwrap();
    let config = device::sync_config(&server.url(), &token, 5);
    assert_eq!(
        device::push(&mut store, &config, "kec-u-01").unwrap().sent,
        801
    );

    // No catalog published: no units to choose, and a unit asked for says why.
    let page = staff.get("/ikm").body;
    assert!(
        page.contains("belum ada katalog yang diterbitkan"),
        "{page}"
    );
    assert!(!page.contains(r#"name="unit""#), "{page}");
    let r = staff.get("/ikm.json?unit=dindukcapil");
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("anjungan-hub catalog publish"),
        "{}",
        r.body
    );

    // The demo catalog with `izin-usaha` (which the forms name) at the
    // public service mall and an office that offers nothing, its name
    // written to be escaped.
    let mut v: Value = serde_json::from_str(anjungan::catalog::demo::json()).unwrap();
    let mut izin = v["services"][0].clone();
    izin["id"] = "izin-usaha".into();
    izin["office"] = "mpp-dpmptsp".into();
    v["services"].as_array_mut().unwrap().push(izin);
    let mut empty = v["offices"][0].clone();
    empty["id"] = "kosong".into();
    empty["name"] = serde_json::json!({"id": "<b>Kantor</b> & Kosong"});
    v["offices"].as_array_mut().unwrap().push(empty);
    let bundle = dir.path().join("catalog.json");
    std::fs::write(&bundle, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    let keys = signature::keygen(&dir.path().join("region"), None).unwrap();
    let sig = signature::sign(&keys.secret, &bundle, None).unwrap();
    hub::run(
        &db,
        &[
            "catalog",
            "publish",
            bundle.to_str().unwrap(),
            sig.to_str().unwrap(),
            "--public-key",
            keys.public.to_str().unwrap(),
        ],
    );
    let import = dev.run("anjungan", &["catalog", "import", bundle.to_str().unwrap()]);
    assert!(import.status.success(), "{}", tests::stderr(&import));

    let whole = hub_report(&staff, "");
    let mut units_total = 0;
    for (device_args, query) in [
        (vec!["--unit", "dindukcapil"], "unit=dindukcapil"),
        (vec!["--unit", "mpp-dpmptsp"], "unit=mpp-dpmptsp"),
        (
            vec![
                "--unit",
                "mpp-dpmptsp",
                "--channel",
                "kiosk",
                "--from",
                "2026-05-01",
            ],
            "unit=mpp-dpmptsp&channel=kiosk&from=2026-05-01",
        ),
        (vec!["--unit", "kosong"], "unit=kosong"),
    ] {
        let hub = hub_report(&staff, query);
        assert_eq!(hub, device_report(&dev, &device_args), "{query}");
        if !query.contains('&') {
            units_total += hub["responses"].as_u64().unwrap();
        }
    }
    // Counted apart from the device's `--unit`: a unit is the sum of its
    // services, the forms' other services and "no service" are no unit's.
    let responses = |query: &str| hub_report(&staff, query)["responses"].as_u64().unwrap();
    let akta = responses("service=akta-kelahiran");
    let izin = responses("service=izin-usaha");
    assert!(akta > 0 && izin > 0);
    assert_eq!(responses("unit=dindukcapil"), akta);
    assert_eq!(responses("unit=mpp-dpmptsp"), izin);
    assert_eq!(responses("unit=kosong"), 0);
    assert_eq!(units_total, akta + izin);
    assert!(units_total < whole["responses"].as_u64().unwrap());
    // A service and a unit: the service only if it is the unit's.
    assert_eq!(responses("unit=dindukcapil&service=akta-kelahiran"), akta);
    assert_eq!(responses("unit=dindukcapil&service=izin-usaha"), 0);

    let r = staff.get("/ikm.json?unit=tidak-ada");
    assert_eq!(r.status, 400);
    assert!(r.body.contains("pick one from the list"), "{}", r.body);
    let r = staff.get("/ikm?unit=tidak-ada");
    assert_eq!(r.status, 400);
    assert!(r.body.contains("pick one from the list"), "{}", r.body);

    // The page lists the units by name, escaped, the chosen one selected.
    let page = staff.get("/ikm?unit=mpp-dpmptsp").body;
    assert!(
        page.contains(r#"<option value="mpp-dpmptsp" selected>Mal Pelayanan Publik"#),
        "{page}"
    );
    assert!(
        page.contains("&lt;b&gt;Kantor&lt;/b&gt; &amp; Kosong"),
        "{page}"
    );
    assert!(!page.contains("<b>Kantor"), "{page}");
    let ikm = format!(
        "{:.2}",
        hub_report(&staff, "unit=mpp-dpmptsp")["ikm"]
            .as_f64()
            .unwrap()
    );
    assert!(page.contains(&ikm), "the page shows the unit's IKM {ikm}");
}
