//! Issue 14: the technician's dashboard, through headless Chromium against
//! the real portal in the namespace bed. One browser session walks every
//! page: the login (refused until `anjungan admin password` has set one),
//! Health with an alert acknowledged, Wi-Fi (a guest's session ended: the
//! guest is captive again; vouchers printed through the spool and as a
//! sheet), Queue (calling the next number makes a ticket's "waiting
//! ahead" fall), Survey and complaints (a status changed), Catalog (a bad bundle
//! refused with the command line's own words). Before that, every page
//! and action without a login is refused; after it, guessing the password
//! is slowed (the waits the portal asks for are measured).
//!
//! With `ANJUNGAN_SCREENSHOTS=DIR`, each page is saved there at 390 and
//! 1280 CSS pixels wide (`docs/dashboard/`).
//!
//! Needs root and Chromium (CI has both).

mod captive_bed;
mod chromium;

use std::io::Write;
use std::process::Stdio;

use captive_bed::Bed;
use chromium::Chromium;
use serde_json::{Value, json};
use tests::Need;

const ADMIN: &str = "http://127.0.0.1:8081";
const PASSWORD: &str = "kopi tubruk tanpa gula";

/// Every page and action of the dashboard, and the API.
const PAGES: &[&str] = &[
    "/",
    "/wifi",
    "/queue",
    "/survey",
    "/survey/report",
    "/catalog",
];
const ACTIONS: &[&str] = &[
    "/logout",
    "/alerts/1/ack",
    "/wifi/sessions/1/end",
    "/wifi/sessions/1/extend",
    "/wifi/vouchers",
    "/queue/A/call",
    "/queue/A/recall",
    "/queue/A/skip",
    "/complaints/ADU-AAAA-BBBB/status",
    "/catalog",
];

/// `curl` on the device against the admin address: (status, headers, body).
fn admin_curl(bed: &Bed, args: &[&str]) -> (u16, String, String) {
    let mut all = vec!["-D", "-", "-w", "\n%{http_code}"];
    all.extend_from_slice(args);
    let out = bed.curl_in("gw", &all);
    let (rest, code) = out.rsplit_once('\n').unwrap_or(("", &out));
    let (head, body) = rest.split_once("\r\n\r\n").unwrap_or((rest, ""));
    (
        code.trim().parse().unwrap_or(0),
        head.to_owned(),
        body.to_owned(),
    )
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn shots(browser: &mut Chromium, name: &str) {
    if std::env::var_os("ANJUNGAN_SCREENSHOTS").is_none() {
        return;
    }
    for (width, mobile) in [(390, true), (1280, false)] {
        browser.viewport(width, 900, mobile);
        browser.screenshot(&format!("{name}-{width}.png"));
    }
    browser.viewport(1280, 900, false);
}

fn set_password(bed: &Bed, password: &str) -> std::process::Output {
    let mut child = bed
        .device
        .command("anjungan", &["admin", "password"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("anjungan runs");
    writeln!(child.stdin.take().expect("stdin"), "{password}").expect("the password is written");
    child.wait_with_output().expect("anjungan ends")
}

#[test]
fn a_technician_logs_in_and_walks_every_page_of_the_dashboard() {
    if !tests::can_run("the dashboard browser test", &[Need::Program("chromium")]) {
        return;
    }
    let printed = tempfile::tempdir().expect("a directory");
    let printer = printed.path().join("printer.bin");
    // The bed's printer is a file: what reaches it was printed.
    let Some(mut bed) = Bed::new(
        "t",
        &format!("\n[kiosk]\nprinter = \"file:{}\"\n", printer.display()),
    ) else {
        return;
    };
    bed.start();

    // Without a login: 401 for scripts, the login page for a browser, on
    // every page and action; the API's token still works.
    for path in PAGES.iter().chain(ACTIONS) {
        let url = format!("{ADMIN}{path}");
        let (code, _, _) = admin_curl(&bed, &["-X", "POST", &url]);
        assert_eq!(code, 401, "POST {path}");
        let (code, _, _) = admin_curl(&bed, &[&url]);
        assert_eq!(code, 401, "GET {path}");
        let (code, head, _) = admin_curl(&bed, &["-H", "Accept: text/html", &url]);
        if PAGES.contains(path) {
            assert_eq!(
                (code, header(&head, "location")),
                (303, Some("/login")),
                "{path}"
            );
        }
    }
    assert_eq!(
        bed.admin("GET", "/api/status").0,
        200,
        "the token still works"
    );

    // Some things for the pages to show.
    let db = anjungan::store::Store::open(&bed.device.dir.path().join("data/anjungan.db"))
        .expect("the device's database");
    let now = chrono::Local::now().fixed_offset();
    anjungan::alert::raise(&db, anjungan::alert::Kind::CallStaff, "panel button", now).unwrap();
    bed.click_through("v1");
    assert!(
        bed.http("v1", "http://www.example.com/").0 == 200,
        "the guest is out"
    );

    let mut browser = Chromium::launch(&bed.ns("gw"));
    browser.open_tab();
    browser.viewport(1280, 900, false);
    browser.call("Network.enable", json!({}));
    browser.call(
        "Network.setExtraHTTPHeaders",
        json!({"headers": {"Accept-Language": "en-GB,en;q=0.9"}}),
    );

    // No password yet: the page says how to set one, and nothing logs in.
    browser.open(&format!("{ADMIN}/wifi"));
    assert_eq!(browser.eval("location.pathname"), json!("/login"));
    let text = browser.text();
    assert!(text.contains("sudo anjungan admin password"), "{text}");
    browser.eval(&format!(
        "document.getElementById('password').value = '{PASSWORD}'"
    ));
    browser.click("login");
    assert!(
        browser.text().contains("No dashboard password"),
        "{}",
        browser.text()
    );
    shots(&mut browser, "login");

    let out = set_password(&bed, "short");
    assert!(!out.status.success());
    assert!(
        tests::stderr(&out).contains("at least 10"),
        "{}",
        tests::stderr(&out)
    );
    let out = set_password(&bed, PASSWORD);
    assert!(out.status.success(), "{}", tests::stderr(&out));

    browser.open(&format!("{ADMIN}/login"));
    browser.eval(&format!(
        "document.getElementById('password').value = '{PASSWORD}'"
    ));
    browser.click("login");
    assert_eq!(
        browser.eval("location.pathname"),
        json!("/"),
        "{}",
        browser.text()
    );
    let cookie = browser.call("Network.getCookies", json!({"urls": [ADMIN]}));
    let cookie = &cookie["cookies"][0];
    assert_eq!(
        (&cookie["httpOnly"], &cookie["sameSite"], &cookie["path"]),
        (&json!(true), &json!("Strict"), &json!("/")),
        "{cookie}"
    );

    // The login's cookie alone does not make a form: another site's page
    // (or a script without the page's token) is refused, as is a name of
    // its own for the device (DNS rebinding).
    let jar = format!("anjungan_admin={}", cookie["value"].as_str().unwrap());
    let vouchers = format!("{ADMIN}/wifi/vouchers");
    for form in [
        "count=1&minutes=5&action=sheet",
        "csrf=0123abcd&count=1&minutes=5&action=sheet",
    ] {
        let (code, _, body) = admin_curl(&bed, &["-b", &jar, "-d", form, &vouchers]);
        assert_eq!(code, 403, "{form}: {body}");
    }
    let (code, _, _) = admin_curl(&bed, &["-b", &jar, &format!("{ADMIN}/wifi")]);
    assert_eq!(code, 200, "the cookie is the login");
    let (code, _, _) = admin_curl(
        &bed,
        &[
            "-b",
            &jar,
            "-H",
            "Host: rebind.example:8081",
            &format!("{ADMIN}/wifi"),
        ],
    );
    assert_eq!(code, 421);

    // Health: the device, the printer, the alert; acknowledged.
    let text = browser.text();
    for expected in [
        "test-device",
        "Ready",
        "Jobs waiting: 0",
        "Call staff",
        "panel button",
        "1 open",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    shots(&mut browser, "health");
    browser.and_wait_for_load(|b| {
        b.eval("document.querySelector('button.ack').click()");
    });
    assert!(
        browser.text().contains("Alert acknowledged"),
        "{}",
        browser.text()
    );
    assert!(browser.text().contains("(0 open)"));

    // Wi-Fi: the guest's session, ended; the guest is captive again.
    browser.open(&format!("{ADMIN}/wifi"));
    assert_eq!(
        browser.eval("document.getElementById('visitors').textContent"),
        json!("1")
    );
    let guest_ip = bed.ip_of("v1");
    assert_eq!(
        browser.eval("document.querySelector('button.end').dataset.ip"),
        json!(guest_ip)
    );
    assert!(browser.text().contains("Joins per hour"));
    shots(&mut browser, "wifi");
    let expires = || {
        anjungan::wifi::session::live(&db, chrono::Utc::now().timestamp()).unwrap()[0].expires_at
    };
    let before = expires();
    browser.and_wait_for_load(|b| {
        b.eval("document.querySelector('button.extend').click()");
    });
    assert!(
        browser.text().contains("extended by 30 minutes"),
        "{}",
        browser.text()
    );
    assert_eq!(expires(), before + 30 * 60);
    assert_eq!(
        bed.http("v1", "http://www.example.com/").0,
        200,
        "still out after it"
    );
    browser.and_wait_for_load(|b| {
        b.eval("document.querySelector('button.end').click()");
    });
    assert!(browser.text().contains("ended"), "{}", browser.text());
    assert_eq!(
        browser.eval("document.getElementById('visitors').textContent"),
        json!("0")
    );
    let (code, _, location) = bed.http("v1", "http://www.example.com/");
    assert_eq!(
        (code, location.as_str()),
        (302, captive_bed::PORTAL),
        "captive again"
    );

    // Vouchers: two printed on the kiosk's printer, three as a sheet.
    browser.eval("document.getElementById('count').value = '2'");
    browser.click("print-vouchers");
    assert!(
        browser.text().contains("2 vouchers printed"),
        "{}",
        browser.text()
    );
    let slips = std::fs::read(&printer).expect("the printer got the slips");
    assert!(!slips.is_empty());
    browser.open(&format!("{ADMIN}/wifi"));
    browser.eval("document.getElementById('count').value = '3'");
    browser.click("sheet-vouchers");
    let codes = browser.eval("[...document.querySelectorAll('.code')].map(e => e.textContent)");
    let codes = codes.as_array().expect("codes");
    assert_eq!(codes.len(), 3, "{codes:?}");
    shots(&mut browser, "vouchers");
    for code in codes {
        let found = anjungan::wifi::voucher::find(&db, code.as_str().unwrap()).unwrap();
        assert!(found.is_some(), "{code} is a voucher of the device");
    }

    // Queue: three citizens took numbers; calling the next one to counter
    // 2 makes the last one's "waiting ahead" fall from 2 to 1.
    let catalog = anjungan::catalog::load(&db).unwrap();
    let service = catalog
        .services()
        .iter()
        .find(|s| s.queue_prefix.is_some())
        .expect("a service with queue numbers");
    let prefix = service.queue_prefix.clone().unwrap();
    let mut db = db;
    let tickets: Vec<_> = (0..3)
        .map(|_| anjungan::queue::take(&mut db, &prefix, &service.id, now).unwrap())
        .collect();
    assert_eq!(
        anjungan::queue::waiting_ahead(&db, tickets[2].id).unwrap(),
        2
    );
    browser.open(&format!("{ADMIN}/queue"));
    let section = format!("document.getElementById('queue-{prefix}')");
    assert_eq!(
        browser.eval(&format!("{section}.querySelector('.waiting').textContent")),
        json!("3")
    );
    shots(&mut browser, "queue");
    browser.eval(&format!(
        "{section}.querySelector('input[name=counter]').value = '2'"
    ));
    browser.and_wait_for_load(|b| {
        b.eval(&format!("{section}.querySelector('button.call').click()"));
    });
    assert_eq!(
        anjungan::queue::waiting_ahead(&db, tickets[2].id).unwrap(),
        1
    );
    let first = tickets[0].number();
    assert!(
        browser
            .text()
            .contains(&format!("Called: {first} to counter 2")),
        "{}",
        browser.text()
    );
    assert_eq!(
        browser.eval(&format!("{section}.querySelector('.served').textContent")),
        json!(format!("{first} · counter 2"))
    );
    browser.and_wait_for_load(|b| {
        b.eval(&format!("{section}.querySelector('button.skip').click()"));
    });
    assert_eq!(
        anjungan::queue::waiting_ahead(&db, tickets[2].id).unwrap(),
        0,
        "skipped, the next called"
    );
    let out = bed.device.run("anjungan", &["queue", "status", "--json"]);
    let status: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let mine = status
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["prefix"] == json!(prefix))
        .unwrap()
        .clone();
    assert_eq!(mine["last_called"], json!(tickets[1].number()), "{mine}");
    assert_eq!(mine["waiting"], json!(1), "{mine}");

    // Survey and complaints: a complaint's status changed.
    let draft = anjungan::voice::complaint::Draft::new(
        "Antrean loket 3 tidak bergerak.",
        anjungan::voice::complaint::Category::Service,
        None,
        None,
        false,
        anjungan::voice::Channel::Kiosk,
    )
    .expect("a complaint");
    let filed = anjungan::voice::complaint::submit(&mut db, &draft, now).unwrap();
    // Two months of answers, for the report's charts.
    let first_day = (now - chrono::Duration::days(60)).date_naive();
    anjungan::voice::survey::synthetic::fill(&mut db, 120, first_day, 60, 7, now).unwrap();
    browser.open(&format!("{ADMIN}/survey"));
    assert_eq!(
        browser.eval("document.getElementById('responses').textContent"),
        json!("120")
    );
    assert!(
        browser.text().contains("Antrean loket 3"),
        "{}",
        browser.text()
    );
    shots(&mut browser, "survey");
    browser.eval(
        "document.querySelector('#complaints select').value = 'in-progress'; \
         document.querySelector('#complaints input[name=note]').value = 'Sedang kami periksa.'",
    );
    browser.and_wait_for_load(|b| {
        b.eval("document.querySelector('#complaints form button').click()");
    });
    let found = anjungan::voice::complaint::find(&db, &filed.reference)
        .unwrap()
        .unwrap();
    assert_eq!(found.status.code(), "in-progress");
    assert_eq!(found.note.as_deref(), Some("Sedang kami periksa."));
    browser.open(&format!("{ADMIN}/survey/report"));
    assert!(browser.text().contains("Survey"), "{}", browser.text());

    // Catalog: a bad bundle is refused as the command line refuses it.
    let bad = printed.path().join("bad.json");
    let mut bundle: Value = serde_json::from_str(&bed.device.export()).unwrap();
    bundle["services"][0]["category"] = json!("no-such-category");
    std::fs::write(&bad, bundle.to_string()).unwrap();
    let (ok, cli) = bed.device.import(&bad);
    assert!(!ok);
    let cli = cli.trim().trim_start_matches("anjungan: ").to_owned();
    browser.open(&format!("{ADMIN}/catalog"));
    shots(&mut browser, "catalog");
    browser.choose_file("#bundle", &bad);
    browser.click("upload");
    let notice = browser.eval("document.getElementById('notice').textContent");
    // The command line adds the refusal's cause chain (`{e:#}`) after it.
    let notice = notice.as_str().expect("a refusal on the page");
    assert!(
        notice.starts_with("catalog refused, nothing was changed: services[0].category")
            && cli.starts_with(notice),
        "the page said {notice:?}, the command line {cli:?}"
    );
    assert!(cli.contains("no-such-category"), "{cli}");
    shots(&mut browser, "catalog-refused");

    // The logged-in browser may read /metrics (Prometheus scrapes it with
    // the token).
    let metrics = browser.eval(
        "(() => { const x = new XMLHttpRequest(); x.open('GET', '/metrics', false); x.send(); \
           return x.status + ' ' + x.responseText.includes('anjungan_queue_waiting'); })()",
    );
    assert_eq!(metrics, json!("200 true"));

    // Language and logout.
    browser.open(&format!("{ADMIN}/?lang=id"));
    assert!(
        browser.text().contains("Kesehatan perangkat"),
        "{}",
        browser.text()
    );
    browser.click("logout");
    assert_eq!(browser.eval("location.pathname"), json!("/login"));
    browser.open(&format!("{ADMIN}/"));
    assert_eq!(
        browser.eval("location.pathname"),
        json!("/login"),
        "logged out"
    );
    drop(browser);

    // Guessing: each wrong try after the second makes the next wait
    // longer, and a try before then is not even looked at.
    let login_token = || {
        let (_, _, body) = admin_curl(&bed, &[&format!("{ADMIN}/login")]);
        let at = body.find("name=\"csrf\" value=\"").expect("a token") + 19;
        body[at..at + body[at..].find('"').unwrap()].to_owned()
    };
    let try_password = |password: &str| {
        let form = format!("csrf={}&password={password}", login_token());
        admin_curl(&bed, &["-d", &form, &format!("{ADMIN}/login")])
    };
    let mut waits = Vec::new();
    for _ in 0..5 {
        let (code, head, _) = try_password("wrong-password");
        assert_eq!(code, 401);
        let wait: u64 = header(&head, "retry-after").map_or(0, |w| w.parse().unwrap());
        waits.push(wait);
        if wait > 0 && waits.len() < 5 {
            // Too early, even with the right password: refused unchecked.
            let (code, head, _) = try_password("kopi+tubruk+tanpa+gula");
            assert_eq!(code, 429, "{head}");
            std::thread::sleep(std::time::Duration::from_secs(wait));
        }
    }
    assert_eq!(waits, [0, 0, 1, 2, 4], "the waits the portal asked for");
    let (code, _, _) = try_password("kopi+tubruk+tanpa+gula");
    assert_eq!(code, 429, "locked for 4 s more");
    std::thread::sleep(std::time::Duration::from_secs(4));
    let (code, head, _) = try_password("kopi+tubruk+tanpa+gula");
    assert_eq!(code, 303, "the right password after the wait: {head}");
}
