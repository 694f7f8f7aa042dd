//! A real browser through the portal: headless Chromium in a visitor's
//! namespace opens a plain-HTTP address, lands on the portal, clicks
//! `#connect`, then loads a page of the pretend internet; and, before
//! joining, answers the survey and files a complaint, whose answers the
//! technician's command line then reports. Chromium is driven over the
//! DevTools protocol on a pipe (`--remote-debugging-pipe`), so no port is
//! opened anywhere.
//!
//! With `ANJUNGAN_SCREENSHOTS=DIR`, the survey and complaint pages are
//! also saved there as a phone shows them (the README's pictures).
//!
//! Needs root and Chromium (CI has both).

mod captive_bed;
mod chromium;

use captive_bed::Bed;
use chromium::Chromium;
use serde_json::{Value, json};
use tests::Need;

#[test]
fn a_browser_lands_on_the_portal_connects_and_reaches_the_internet() {
    if !tests::can_run("the browser test", &[Need::Program("chromium")]) {
        return;
    }
    let Some(mut bed) = Bed::new("w", "") else {
        return;
    };
    bed.start();
    let mut browser = Chromium::launch(&bed.ns("v1"));
    browser.open_tab();

    browser.and_wait_for_load(|b| {
        b.call(
            "Page.navigate",
            json!({"url": "http://www.example.com/some/page"}),
        );
    });
    let at = browser.eval("location.href");
    assert_eq!(at, json!("http://10.42.0.1/"), "landed on the portal");
    assert_eq!(
        browser.eval("!!document.getElementById('connect')"),
        json!(true)
    );

    browser.and_wait_for_load(|b| {
        b.eval("document.getElementById('connect').click()");
    });
    let text = browser.eval("document.body.innerText");
    let text = text.as_str().unwrap_or("");
    assert!(
        text.contains("tersambung") || text.contains("You are connected"),
        "{text}"
    );

    browser.and_wait_for_load(|b| {
        b.call(
            "Page.navigate",
            json!({"url": "http://www.example.com/some/page"}),
        );
    });
    assert_eq!(
        browser.eval("location.href"),
        json!("http://www.example.com/some/page")
    );
    let inet = browser
        .eval("document.getElementById('inet') && document.getElementById('inet').textContent");
    assert_eq!(
        inet,
        json!("hello from the pretend internet"),
        "{}",
        bed.log()
    );
}

/// Issue 13: a visitor who has not joined answers the survey (some elements
/// left blank), is refused a second answer for the same service the same
/// day, files a complaint, reads its reference and looks it up; the
/// device's command line reports both.
#[test]
fn a_visitor_before_joining_answers_the_survey_and_files_a_complaint() {
    if !tests::can_run("the browser test", &[Need::Program("chromium")]) {
        return;
    }
    let Some(mut bed) = Bed::new("s", "") else {
        return;
    };
    bed.start();
    let mut browser = Chromium::launch(&bed.ns("v1"));
    browser.open_tab();
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 412, "height": 915, "deviceScaleFactor": 1, "mobile": true}),
    );
    // A phone set to Indonesian, as most visitors' are.
    browser.call("Network.enable", json!({}));
    browser.call(
        "Network.setExtraHTTPHeaders",
        json!({"headers": {"Accept-Language": "id-ID,id;q=0.9"}}),
    );
    browser.and_wait_for_load(|b| {
        b.call("Page.navigate", json!({"url": "http://www.example.com/"}));
    });
    assert_eq!(browser.eval("location.href"), json!("http://10.42.0.1/"));

    browser.click("survey");
    assert_eq!(
        browser.eval("location.pathname + location.search"),
        json!("/survey?lang=id")
    );
    browser.eval(
        "for (const [u, v] of [['u1', 4], ['u2', 3], ['u5', 2], ['u9', 1]]) \
           document.querySelector(`input[name=${u}][value='${v}']`).checked = true; \
         document.getElementById('service').value = 'akta-kelahiran'; \
         document.getElementById('age').value = '30-39'",
    );
    browser.screenshot("portal-survey.png");
    browser.click("send");
    let text = browser.text();
    assert!(text.contains("Terima kasih"), "{text}\n{}", bed.log());

    // The same phone, the same service, the same day.
    browser.and_wait_for_load(|b| {
        b.call(
            "Page.navigate",
            json!({"url": "http://10.42.0.1/survey?service=akta-kelahiran"}),
        );
    });
    browser.eval("document.querySelector('input[name=u3][value=\"2\"]').checked = true");
    browser.click("send");
    let text = browser.text();
    assert!(text.contains("sudah mengisi survei"), "{text}");

    browser.and_wait_for_load(|b| {
        b.call("Page.navigate", json!({"url": "http://10.42.0.1/"}));
    });
    browser.click("complaint");
    browser.eval(
        "document.querySelector('input[name=category][value=staff]').checked = true; \
         document.getElementById('service').value = 'akta-kelahiran'; \
         document.getElementById('text').value = 'Loket 2 kosong sejak pukul 09.00, antrean tidak bergerak.'",
    );
    browser.screenshot("portal-complaint.png");
    browser.click("send");
    let reference = browser.eval("document.getElementById('reference').textContent");
    let reference = reference.as_str().expect("a reference").to_owned();
    assert!(
        reference.starts_with("ADU-") && reference.len() == 13,
        "{reference}"
    );
    browser.screenshot("portal-complaint-received.png");

    browser.click("lookup");
    browser.eval(&format!(
        "document.getElementById('reference-input').value = '{}'",
        reference.to_lowercase()
    ));
    browser.click("lookup");
    assert_eq!(
        browser.eval("document.getElementById('status').textContent"),
        json!("Diterima")
    );

    // The device's own command line sees both.
    let out = bed.device.run("anjungan", &["survey", "report", "--json"]);
    assert!(out.status.success(), "{}", tests::stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["responses"], json!(1), "{report}");
    let nrr = |n: usize| report["elements"][n - 1]["nrr"].as_f64();
    assert_eq!(
        (nrr(1), nrr(2), nrr(5), nrr(9)),
        (Some(4.0), Some(3.0), Some(2.0), Some(1.0)),
        "{report}"
    );
    let out = bed.device.run(
        "anjungan",
        &[
            "survey",
            "report",
            "--json",
            "--channel",
            "portal",
            "--service",
            "akta-kelahiran",
        ],
    );
    assert!(out.status.success(), "{}", tests::stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["responses"], json!(1), "{report}");
    let out = bed.device.run("anjungan", &["complaint", "list", "--json"]);
    assert!(out.status.success(), "{}", tests::stderr(&out));
    let list: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let list = list.as_array().expect("an array");
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["reference"], json!(reference));
    assert_eq!(list[0]["channel"], json!("portal"));
    assert_eq!(list[0]["status"], json!("received"));
    assert!(
        list[0]["text"]
            .as_str()
            .unwrap_or("")
            .starts_with("Loket 2 kosong")
    );
}
