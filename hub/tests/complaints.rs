//! The complaints inbox against a real PostgreSQL, the real hub and the
//! real `anjungan sync`: staff set a status with an answer on the hub, the
//! device's next sync fetches it, and the citizen's look-up on the device
//! shows it; only that device gets its own complaints' answers; pages are
//! escaped, behind the staff login and their forms CSRF-protected; the
//! history names who made each change; contacts go after the days kept.

mod support;

use anjungan::store::Store;
use anjungan::voice::complaint::{self, Category, Channel, Draft, Status};
use serde_json::Value;
use support::browser::Browser;
use support::hub::{self, Hub};
use support::postgres::Postgres;
use support::staff;

/// A device of the tests crate named `id`, syncing with `hub_url`.
fn device(id: &str, hub_url: &str, token: &str) -> tests::Device {
    let dev = tests::Device::with_config("");
    let token_file = dev.path("hub.token");
    std::fs::write(&token_file, token).unwrap();
    let text = std::fs::read_to_string(&dev.config)
        .unwrap()
        .replace("test-device", id);
    std::fs::write(
        &dev.config,
        format!(
            "{text}\n[sync]\nhub_url = \"{hub_url}\"\ntoken_file = \"{}\"\ntimeout_seconds = 5\n",
            token_file.display()
        ),
    )
    .unwrap();
    std::fs::create_dir_all(dev.path("data")).unwrap();
    dev
}

fn submit(store: &mut Store, text: &str, contact: Option<&str>) -> complaint::Complaint {
    let draft = Draft::new(
        text,
        Category::Service,
        Some("akta-kelahiran"),
        contact,
        true,
        Channel::Kiosk,
    )
    .unwrap();
    // Three days ago: kept by a hub that keeps contacts 90 days, past a
    // hub that keeps them one.
    let at = chrono::Local::now().fixed_offset() - chrono::Duration::days(3);
    complaint::submit(store, &draft, at).unwrap()
}

/// `anjungan sync --json` on the device: its push step.
fn sync(dev: &tests::Device) -> Value {
    let out = dev.run("anjungan", &["sync", "--json"]);
    assert!(
        out.status.success(),
        "{}{}",
        tests::stdout(&out),
        tests::stderr(&out)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["push"].clone()
}

#[test]
fn a_status_set_on_the_hub_reaches_the_citizens_look_up_on_the_device() {
    let Some(pg) = Postgres::start() else { return };
    let db = pg.create("hub");
    let server = Hub::start(&db, "127.0.0.1:0");
    let url = server.url();
    let browser = staff::logged_in(&db, &url);
    let a = device(
        "kec-a-01",
        &url,
        &hub::run(&db, &["device", "add", "kec-a-01"]),
    );
    let b = device(
        "kec-b-01",
        &url,
        &hub::run(&db, &["device", "add", "kec-b-01"]),
    );
    let mut store_a = Store::open(&a.path("data/anjungan.db")).unwrap();
    let mut store_b = Store::open(&b.path("data/anjungan.db")).unwrap();
    let mine = submit(
        &mut store_a,
        "Antrean <script>alert(1)</script> terlalu lama",
        Some("warga@example.id"),
    );
    let other = submit(&mut store_a, "Toilet rusak", None);
    let theirs = submit(&mut store_b, "Loket tutup", None);
    assert_eq!(sync(&a)["outcome"], "pushed");
    assert_eq!(sync(&b)["outcome"], "pushed");

    // The inbox lists both devices' complaints; the page of one shows its
    // text escaped and the contact (kept 90 days by default).
    let r = browser.get("/complaints");
    let (status, inbox) = (r.status, r.body);
    assert_eq!(status, 200);
    for c in [&mine, &other, &theirs] {
        assert!(inbox.contains(&c.reference.to_string()), "{inbox}");
    }
    assert!(!inbox.contains("<script>alert"), "{inbox}");
    let only_b = browser.get("/complaints?device=kec-b-01").body;
    assert!(only_b.contains(&theirs.reference.to_string()));
    assert!(!only_b.contains(&mine.reference.to_string()));
    let page_url = format!("/complaints/kec-a-01:{}", mine.reference);
    let r = browser.get(&page_url);
    let (status, page) = (r.status, r.body);
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Antrean &lt;script&gt;alert(1)&lt;/script&gt; terlalu lama"),
        "{page}"
    );
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(page.contains("warga@example.id"));
    let csrf = csrf_of(&browser, &page_url);

    // The form needs the login, and the login's CSRF token.
    let answer = "Sudah ditangani <b>petugas</b>; silakan datang ke loket 3.";
    let form = |csrf: &str| {
        vec![
            ("csrf", csrf.to_owned()),
            ("status", "answered".to_owned()),
            ("answer", answer.to_owned()),
        ]
    };
    let post = |browser: &Browser, fields: Vec<(&str, String)>| {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = browser.post(&page_url, &fields);
        (r.status, r.location.unwrap_or_default(), r.body)
    };
    let stranger = Browser::new(&url);
    let (status, location, _) = post(&stranger, form(&csrf));
    assert_eq!((status, location.as_str()), (303, "/login"));
    assert_eq!(post(&browser, form("")).0, 403);
    assert_eq!(post(&browser, form(&"0".repeat(64))).0, 403);
    let too_long = vec![
        ("csrf", csrf.clone()),
        ("status", "answered".to_owned()),
        ("answer", "a".repeat(2001)),
    ];
    let (status, _, body) = post(&browser, too_long);
    assert_eq!(status, 400);
    assert!(body.contains("at most 2000"), "{body}");
    let (status, location, _) = post(&browser, form(&csrf));
    assert_eq!(status, 303);
    assert_eq!(
        location,
        format!("/complaints/kec-a-01:{}", mine.reference.stored())
    );
    let page = browser.get(&page_url).body;
    assert!(
        page.contains("Sudah ditangani &lt;b&gt;petugas&lt;/b&gt;"),
        "{page}"
    );
    // The history names the logged-in member of staff.
    assert!(
        page.contains(&format!("<td>{}</td>", staff::NAME)),
        "{page}"
    );

    // Before its sync the device knows nothing; after it, the citizen's
    // look-up (the kiosk's and the portal's) shows the hub's answer.
    let before = complaint::look_up(&store_a, &mine.reference.to_string())
        .unwrap()
        .unwrap();
    assert_eq!(before.status, Status::Received);
    let push = sync(&a);
    assert!(
        push["message"]
            .as_str()
            .unwrap()
            .contains("1 complaints got the hub's answer"),
        "{push}"
    );
    let after = complaint::look_up(&store_a, &mine.reference.to_string())
        .unwrap()
        .unwrap();
    assert_eq!(after.status, Status::Answered);
    assert_eq!(after.note.as_deref(), Some(answer));
    let untouched = complaint::look_up(&store_a, &other.reference.to_string())
        .unwrap()
        .unwrap();
    assert_eq!(untouched.status, Status::Received);
    // Asked again, nothing new; the other device gets nothing of this.
    assert!(
        !sync(&a)["message"]
            .as_str()
            .unwrap()
            .contains("hub's answer")
    );
    let r = browser.get("/v1/complaints/updates?since=0");
    assert_eq!(r.status, 401, "a staff login is no device's: {}", r.body);
    let b_token = std::fs::read_to_string(b.path("hub.token")).unwrap();
    let (_, updates) = staff::device_get(
        &format!("{url}/v1/complaints/updates?since=0"),
        b_token.trim(),
    );
    assert_eq!(updates, r#"{"updates":[],"more":false}"#);

    // Closed later without a new answer: the answer stays.
    let closed = vec![
        ("csrf", csrf_of(&browser, &page_url)),
        ("status", "closed".to_owned()),
        ("answer", String::new()),
    ];
    assert_eq!(post(&browser, closed).0, 303);
    sync(&a);
    let done = complaint::look_up(&store_a, &mine.reference.to_string())
        .unwrap()
        .unwrap();
    assert_eq!(
        (done.status, done.note.as_deref()),
        (Status::Closed, Some(answer))
    );
    let history = complaint::history(&store_a, &mine.reference).unwrap();
    assert_eq!(
        history.iter().map(|h| h.status).collect::<Vec<_>>(),
        [Status::Received, Status::Answered, Status::Closed]
    );
    let inbox = browser.get("/complaints?status=closed").body;
    assert!(inbox.contains(&mine.reference.to_string()));
    assert!(!inbox.contains(&other.reference.to_string()));

    // A hub that keeps contacts one day erases this one, from the
    // inbox and from the stored event.
    drop(server);
    let server = Hub::start_with(&db, "127.0.0.1:0", &["--keep-contact-days", "1"]);
    // The session is in PostgreSQL: the new process knows the login.
    let page = browser.at(&server.url()).get(&page_url).body;
    assert!(!page.contains("warga@example.id"), "{page}");
    let events = std::process::Command::new("psql")
        .args([
            &db,
            "-tAc",
            "SELECT count(*) FROM event WHERE body ? 'contact'",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&events.stdout).trim(), "0");
}

/// The form token of the page at `path`.
fn csrf_of(browser: &Browser, path: &str) -> String {
    browser
        .get(path)
        .hidden("csrf")
        .expect("the page has a form")
}

#[test]
fn the_voice_pages_need_a_staff_login_and_are_in_the_menu() {
    let Some(pg) = Postgres::start() else { return };
    let db = pg.create("hub");
    let server = Hub::start(&db, "127.0.0.1:0");
    let url = server.url();
    hub::add_staff(&db, staff::NAME, staff::PASSWORD);

    // Without a login: pages go to the login page, JSON answers 401, a
    // form is never taken; a made-up cookie is no login.
    let stranger = Browser::new(&url);
    let forged = Browser::new(&url);
    forged.set_cookie("anjungan_hub", &"a".repeat(64));
    for b in [&stranger, &forged] {
        for path in ["/ikm", "/complaints", "/complaints/kec-a-01:ADU-2222-2222"] {
            let r = b.get(path);
            assert_eq!(
                (r.status, r.location.as_deref()),
                (303, Some("/login")),
                "{path}"
            );
        }
        assert_eq!(b.get("/ikm.json").status, 401);
        let r = b.post(
            "/complaints/kec-a-01:ADU-2222-2222",
            &[("csrf", ""), ("status", "closed"), ("answer", "")],
        );
        assert_eq!((r.status, r.location.as_deref()), (303, Some("/login")));
    }

    // The old token guard's flag is gone: the hub says so at start.
    let out = std::process::Command::new(hub::PROGRAM)
        .args(["--database", &db, "serve", "--listen", "127.0.0.1:0"])
        .args(["--staff-token-file", "/dev/null"])
        .output()
        .unwrap();
    assert!(!out.status.success());

    // Logged in: both pages are in the menu, an unknown complaint is 404,
    // and logging out closes them again.
    let browser = staff::log_in(&url);
    let inbox = browser.get("/complaints");
    assert_eq!(inbox.status, 200);
    for link in [
        r#"<a href="/">Armada perangkat</a>"#,
        r#"<a href="/ikm">IKM wilayah</a>"#,
        r#"<a href="/complaints" aria-current="page">Pengaduan</a>"#,
    ] {
        assert!(inbox.body.contains(link), "{link}: {}", inbox.body);
    }
    assert_eq!(
        browser.get("/complaints/kec-a-01:ADU-2222-2222").status,
        404
    );
    let english = browser.get("/ikm?lang=en");
    assert!(
        english
            .body
            .contains(r#"<a href="/complaints">Complaints</a>"#)
    );
    let csrf = inbox.hidden("csrf").unwrap();
    assert_eq!(browser.post("/logout", &[("csrf", &csrf)]).status, 303);
    assert_eq!(browser.get("/complaints").status, 303);
}
