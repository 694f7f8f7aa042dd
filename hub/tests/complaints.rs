//! The complaints inbox against a real PostgreSQL, the real hub and the
//! real `anjungan sync`: staff set a status with an answer on the hub, the
//! device's next sync fetches it, and the citizen's look-up on the device
//! shows it; only that device gets its own complaints' answers; pages are
//! escaped, guarded and their forms CSRF-protected; contacts go after the
//! days kept.

mod support;

use anjungan::store::Store;
use anjungan::voice::complaint::{self, Category, Channel, Draft, Status};
use serde_json::Value;
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
    let dir = tempfile::tempdir().unwrap();
    let (staff_file, token) = staff::token_file(dir.path());
    let server = Hub::start_with(
        &db,
        "127.0.0.1:0",
        &["--staff-token-file", staff_file.to_str().unwrap()],
    );
    let url = server.url();
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
    let (status, inbox) = staff::get(&format!("{url}/complaints"), Some(&token));
    assert_eq!(status, 200);
    for c in [&mine, &other, &theirs] {
        assert!(inbox.contains(&c.reference.to_string()), "{inbox}");
    }
    assert!(!inbox.contains("<script>alert"), "{inbox}");
    let (_, only_b) = staff::get(&format!("{url}/complaints?device=kec-b-01"), Some(&token));
    assert!(only_b.contains(&theirs.reference.to_string()));
    assert!(!only_b.contains(&mine.reference.to_string()));
    let page_url = format!("{url}/complaints/kec-a-01:{}", mine.reference);
    let (status, page) = staff::get(&page_url, Some(&token));
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Antrean &lt;script&gt;alert(1)&lt;/script&gt; terlalu lama"),
        "{page}"
    );
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(page.contains("warga@example.id"));
    let csrf = staff::csrf_of(&page);

    // The form needs the staff's CSRF token, and the staff.
    let answer = "Sudah ditangani <b>petugas</b>; silakan datang ke loket 3.";
    let form = |csrf: &str| {
        vec![
            ("csrf", csrf.to_owned()),
            ("status", "answered".to_owned()),
            ("answer", answer.to_owned()),
        ]
    };
    let post = |token: Option<&str>, fields: Vec<(&str, String)>| {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        staff::post_form(&page_url, token, &fields)
    };
    assert_eq!(post(None, form(&csrf)).0, 401);
    assert_eq!(post(Some(&token), form("")).0, 403);
    assert_eq!(post(Some(&token), form(&"0".repeat(64))).0, 403);
    let too_long = vec![
        ("csrf", csrf.clone()),
        ("status", "answered".to_owned()),
        ("answer", "a".repeat(2001)),
    ];
    let (status, _, body) = post(Some(&token), too_long);
    assert_eq!(status, 400);
    assert!(body.contains("at most 2000"), "{body}");
    let (status, location, _) = post(Some(&token), form(&csrf));
    assert_eq!(status, 303);
    assert_eq!(
        location,
        format!("/complaints/kec-a-01:{}", mine.reference.stored())
    );
    let (_, page) = staff::get(&page_url, Some(&token));
    assert!(
        page.contains("Sudah ditangani &lt;b&gt;petugas&lt;/b&gt;"),
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
    let (status, updates) = staff::get(
        &format!("{url}/v1/complaints/updates?since=0"),
        Some(&token),
    );
    assert_eq!(status, 401, "a staff token is no device's: {updates}");
    let b_token = std::fs::read_to_string(b.path("hub.token")).unwrap();
    let (_, updates) = staff::get(
        &format!("{url}/v1/complaints/updates?since=0"),
        Some(b_token.trim()),
    );
    assert_eq!(updates, r#"{"updates":[],"more":false}"#);

    // Closed later without a new answer: the answer stays.
    let (_, page) = staff::get(&page_url, Some(&token));
    let closed = vec![
        ("csrf", staff::csrf_of(&page)),
        ("status", "closed".to_owned()),
        ("answer", String::new()),
    ];
    assert_eq!(post(Some(&token), closed).0, 303);
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
    let (_, inbox) = staff::get(&format!("{url}/complaints?status=closed"), Some(&token));
    assert!(inbox.contains(&mine.reference.to_string()));
    assert!(!inbox.contains(&other.reference.to_string()));

    // A hub that keeps contacts one day erases this one, from the
    // inbox and from the stored event.
    drop(server);
    let server = Hub::start_with(
        &db,
        "127.0.0.1:0",
        &[
            "--staff-token-file",
            staff_file.to_str().unwrap(),
            "--keep-contact-days",
            "1",
        ],
    );
    let (_, page) = staff::get(
        &format!("{}/complaints/kec-a-01:{}", server.url(), mine.reference),
        Some(&token),
    );
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

#[test]
fn staff_pages_are_closed_without_the_staff_token() {
    let Some(pg) = Postgres::start() else { return };
    let db = pg.create("hub");
    let dir = tempfile::tempdir().unwrap();
    let (staff_file, token) = staff::token_file(dir.path());

    // Without --staff-token-file the pages are closed to everyone.
    let closed = Hub::start(&db, "127.0.0.1:0");
    assert_eq!(
        staff::get(&format!("{}/ikm", closed.url()), Some(&token)).0,
        503
    );
    drop(closed);

    // A short token is refused at start, saying how to make one.
    std::fs::write(dir.path().join("short"), "abc").unwrap();
    let out = std::process::Command::new(hub::PROGRAM)
        .args([
            "--database",
            &db,
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--staff-token-file",
        ])
        .arg(dir.path().join("short"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("openssl rand -hex 32"));

    let server = Hub::start_with(
        &db,
        "127.0.0.1:0",
        &["--staff-token-file", staff_file.to_str().unwrap()],
    );
    let url = server.url();
    for path in [
        "/ikm",
        "/ikm.json",
        "/complaints",
        "/complaints/kec-a-01:ADU-2222-2222",
    ] {
        let (status, body) = staff::get(&format!("{url}{path}"), None);
        assert_eq!(status, 401, "{path}");
        assert!(body.contains("name=\"token\""), "a login form: {body}");
        assert_eq!(
            staff::get(&format!("{url}{path}"), Some(&"x".repeat(64))).0,
            401
        );
    }
    assert_eq!(
        staff::get(
            &format!("{url}/complaints/kec-a-01:ADU-2222-2222"),
            Some(&token)
        )
        .0,
        404
    );

    // The login keeps the token in a strict, script-proof cookie and goes
    // back only to our own pages.
    let (status, location, _) = staff::post_form(
        &format!("{url}/staff/login"),
        None,
        &[("token", &token), ("next", "//evil.example/")],
    );
    assert_eq!((status, location.as_str()), (303, "/complaints"));
    let r = staff::client()
        .post(format!("{url}/staff/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={token}&next=%2Fikm"))
        .send()
        .unwrap();
    assert_eq!(r.headers()["location"], "/ikm");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_owned();
    let r = staff::client()
        .get(format!("{url}/ikm"))
        .header("cookie", pair)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let (status, _, body) = staff::post_form(
        &format!("{url}/staff/login"),
        None,
        &[("token", "wrong"), ("next", "/ikm")],
    );
    assert_eq!(status, 401);
    assert!(body.contains("Wrong token"));
}
