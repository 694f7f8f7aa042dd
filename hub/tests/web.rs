//! The region's pages against a real PostgreSQL and real hub processes:
//! staff login, wrong passwords and the throttle (shared by two hub
//! processes), pages that need a login, a session one process made
//! accepted by another, forms without their token refused, and a device's
//! name shown as text, never run.

mod support;

use serde_json::json;
use support::browser::Browser;
use support::hub::{self, Hub};
use support::postgres::Postgres;

const PASSWORD: &str = "kopi tubruk pagi hari";

#[test]
fn staff_log_in_and_a_second_hub_process_accepts_the_session() {
    let Some(pg) = Postgres::start() else { return };
    let db = pg.create("hub");
    let short = hub::try_run(&db, &["staff", "add", "siti"], "pendek\n");
    assert!(!short.status.success());
    let said = String::from_utf8_lossy(&short.stderr);
    assert!(said.contains("at least 10"), "{said}");
    hub::add_staff(&db, "siti", PASSWORD);
    let again = hub::try_run(&db, &["staff", "add", "siti"], &format!("{PASSWORD}\n"));
    assert!(!again.status.success(), "a name is added once");

    let a = Hub::start(&db, "127.0.0.1:0");
    let b = Hub::start(&db, "127.0.0.1:0");
    let browser = Browser::new(&a.url());

    // Without a login: pages send the browser to the login, JSON is 401.
    for path in ["/", "/fleet", "/catalog"] {
        let page = browser.get(path);
        assert_eq!(
            (page.status, page.location.as_deref()),
            (303, Some("/login")),
            "{path}"
        );
    }
    assert_eq!(browser.get("/fleet.json").status, 401);
    let form = browser.get("/login");
    assert!(form.body.contains("id=\"login\""), "{}", form.body);
    assert!(form.body.contains("name=\"password\""));
    assert!(form.body.contains("Kata sandi"), "Indonesian first");

    let wrong = browser.log_in("siti", "kopi tubruk sore hari");
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("salah"), "{}", wrong.body);
    let unknown = browser.log_in("budi", PASSWORD);
    assert_eq!(unknown.status, 401, "an unknown name is just as wrong");

    let right = browser.log_in("siti", PASSWORD);
    assert_eq!((right.status, right.location.as_deref()), (303, Some("/")));
    let session = right
        .set_cookies
        .iter()
        .find(|c| c.starts_with("anjungan_hub="))
        .expect("a session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Strict"),
        "{session}"
    );
    assert!(!session.contains("Secure"), "plain HTTP: {session}");
    let fleet = browser.get("/");
    assert_eq!(fleet.status, 200);
    assert!(fleet.body.contains("Armada perangkat"), "{}", fleet.body);
    assert!(fleet.body.contains("siti"));
    assert_eq!(browser.get("/catalog").status, 200);
    assert_eq!(browser.get("/fleet.json").status, 200);
    let english = browser.get("/?lang=en");
    assert!(english.body.contains("Fleet"), "{}", english.body);

    // The other process knows the login: it is in the database.
    let other = browser.at(&b.url());
    let page = other.get("/catalog");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Published catalogs"), "the language too");

    // A form without this login's token (another site's) is refused, and
    // the login stays.
    let token = page.hidden("csrf").expect("the logout form's token");
    assert_eq!(other.post("/logout", &[("csrf", "0")]).status, 403);
    assert_eq!(other.post("/logout", &[]).status, 403);
    assert_eq!(other.get("/").status, 200);
    // Logged out at B: A refuses the cookie too.
    let out = other.post("/logout", &[("csrf", &token)]);
    assert_eq!((out.status, out.location.as_deref()), (303, Some("/login")));
    assert_eq!(browser.get("/").status, 303);

    // A login form posted without its own cookie (from another site).
    let form = browser.get("/login");
    let csrf = form.hidden("csrf").unwrap();
    browser.forget_cookies();
    let forged = browser.post(
        "/login",
        &[("name", "siti"), ("password", PASSWORD), ("csrf", &csrf)],
    );
    assert_eq!(forged.status, 403);

    // Behind TLS the proxy says so, and the cookie is Secure.
    let mut tls = Browser::new(&a.url());
    tls.forwarded_proto = Some("https".into());
    let right = tls.log_in("siti", PASSWORD);
    assert_eq!(right.status, 303);
    assert!(
        right
            .set_cookies
            .iter()
            .any(|c| c.starts_with("anjungan_hub=") && c.contains("Secure")),
        "{:?}",
        right.set_cookies
    );

    // Removed staff are logged out at once.
    hub::run(&db, &["staff", "remove", "siti"]);
    assert_eq!(tls.get("/").status, 303);
    let list: serde_json::Value = serde_json::from_str(&hub::run(&db, &["staff", "list"])).unwrap();
    assert_eq!(list, json!([]));
}

#[test]
fn wrong_passwords_slow_the_next_try_on_every_hub_process() {
    let Some(pg) = Postgres::start() else { return };
    let db = pg.create("hub");
    hub::add_staff(&db, "siti", PASSWORD);
    let a = Hub::start(&db, "127.0.0.1:0");
    let b = Hub::start(&db, "127.0.0.1:0");
    let mut at_a = Browser::new(&a.url());
    at_a.forwarded_for = Some("198.51.100.7".into());
    let mut at_b = Browser::new(&b.url());
    at_b.forwarded_for = Some("198.51.100.7".into());
    let mut elsewhere = Browser::new(&b.url());
    elsewhere.forwarded_for = Some("198.51.100.8".into());

    // Two typing mistakes cost nothing; the third makes the next wait.
    for _ in 0..2 {
        let page = at_a.log_in("siti", "salah ketik sekali");
        assert_eq!((page.status, page.retry_after.as_deref()), (401, None));
    }
    let third = at_a.log_in("siti", "salah ketik sekali");
    assert_eq!(third.status, 401);
    assert_eq!(third.retry_after.as_deref(), Some("1"));
    assert!(third.body.contains("1 detik"), "{}", third.body);
    // Too early, even with the right password and at the other process:
    // the password is not looked at.
    let early = at_b.log_in("siti", PASSWORD);
    assert_eq!(early.status, 429, "{}", early.body);
    assert!(early.body.contains("Terlalu banyak"));
    // Another address is not slowed.
    assert_eq!(elsewhere.log_in("siti", PASSWORD).status, 303);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(at_b.log_in("siti", PASSWORD).status, 303);
    // The right password forgave: mistakes are free again.
    assert_eq!(at_a.log_in("siti", "salah lagi ya").retry_after, None);
}

#[test]
fn a_device_name_with_a_script_is_shown_as_text() {
    let Some(pg) = Postgres::start() else { return };
    let db = pg.create("hub");
    hub::add_staff(&db, "siti", PASSWORD);
    let token = hub::run(&db, &["device", "add", "kec-x-01"]);
    let server = Hub::start(&db, "127.0.0.1:0");
    let http = anjungan::sync::Http::new(&anjungan::config::SyncConfig::default()).unwrap();
    let status = json!({"name": "<script>alert('x')</script>", "version": "0.1.0\"><b>",
                        "printer": {"state": "<img src=x onerror=alert(1)>"}});
    let r = http
        .client()
        .post(format!("{}/v1/events", server.url()))
        .bearer_auth(token.trim())
        .header("content-type", "application/json")
        .body(json!({"device": "kec-x-01", "events": [], "status": status}).to_string())
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let browser = Browser::new(&server.url());
    assert_eq!(browser.log_in("siti", PASSWORD).status, 303);
    let page = browser.get("/").body;
    assert!(
        page.contains("&lt;script&gt;alert('x')&lt;/script&gt;"),
        "{page}"
    );
    assert!(!page.contains("<script>"), "{page}");
    assert!(!page.contains("<img"), "{page}");
    assert!(!page.contains("\"><b>"), "{page}");
}
