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

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use captive_bed::Bed;
use serde_json::{Value, json};
use tests::Need;

struct Chromium {
    child: Child,
    to: ChildStdin,
    from: Receiver<Value>,
    next_id: u64,
    session: Option<String>,
    _profile: tempfile::TempDir,
}

impl Chromium {
    fn launch(bed: &Bed, visitor: &str) -> Chromium {
        let profile = tempfile::tempdir().expect("a profile directory");
        // The pipe is fds 3 (commands in) and 4 (answers out) of Chromium.
        let script = format!(
            "exec chromium --headless=new --no-sandbox --disable-gpu --no-first-run --no-default-browser-check \
             --disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable --disable-background-networking \
             --user-data-dir={} --remote-debugging-pipe about:blank 3<&0 4>&1 0</dev/null 1>/dev/null 2>/dev/null",
            profile.path().display()
        );
        let mut child = Command::new("ip")
            .args(["netns", "exec", &bed.ns(visitor), "bash", "-c", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("chromium starts");
        let to = child.stdin.take().expect("stdin");
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            while let Ok(n) = out.read_until(0, &mut buf) {
                if n == 0 {
                    break;
                }
                buf.pop_if(|b| *b == 0);
                if let Ok(v) = serde_json::from_slice::<Value>(&buf)
                    && tx.send(v).is_err()
                {
                    break;
                }
                buf.clear();
            }
        });
        Chromium {
            child,
            to,
            from: rx,
            next_id: 1,
            session: None,
            _profile: profile,
        }
    }

    fn send(&mut self, method: &str, params: Value) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = &self.session {
            msg["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&msg).expect("JSON");
        bytes.push(0);
        self.to.write_all(&bytes).expect("chromium reads its pipe");
        self.to.flush().expect("flush");
        id
    }

    /// Waits for a message that `wanted` accepts.
    fn wait(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.from.recv_timeout(left) {
                Ok(v) if wanted(&v) => return v,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => panic!("Chromium: no {what} within 30 s"),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("Chromium ended while waiting for {what}")
                }
            }
        }
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.send(method, params);
        let answer = self.wait(method, |v| v["id"] == json!(id));
        assert!(answer.get("error").is_none(), "{method}: {answer}");
        answer["result"].clone()
    }

    fn open_tab(&mut self) {
        let target = self.call("Target.createTarget", json!({"url": "about:blank"}));
        let attached = self.call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        self.session = Some(
            attached["sessionId"]
                .as_str()
                .expect("a session")
                .to_owned(),
        );
        self.call("Page.enable", json!({}));
        self.call("Runtime.enable", json!({}));
    }

    fn eval(&mut self, expression: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        );
        r["result"]["value"].clone()
    }

    /// Clicks the element with `id` and waits for the page it leads to.
    fn click(&mut self, id: &str) {
        let script = format!("document.getElementById('{id}').click()");
        self.and_wait_for_load(|b| {
            b.eval(&script);
        });
    }

    fn text(&mut self) -> String {
        self.eval("document.body.innerText")
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    /// The page as a phone of 412 x 915 CSS pixels shows it, whole, as PNG,
    /// into `$ANJUNGAN_SCREENSHOTS/name` when that is set.
    fn screenshot(&mut self, name: &str) {
        let Some(dir) = std::env::var_os("ANJUNGAN_SCREENSHOTS") else {
            return;
        };
        let shot = self.call(
            "Page.captureScreenshot",
            json!({"format": "png", "captureBeyondViewport": true}),
        );
        use base64::Engine as _;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("image data"))
            .expect("base64");
        std::fs::write(std::path::Path::new(&dir).join(name), png)
            .expect("the screenshot is written");
    }

    /// Runs `action` and waits for the page it leads to, to load.
    fn and_wait_for_load(&mut self, action: impl FnOnce(&mut Self)) {
        while self.from.try_recv().is_ok() {} // events of earlier pages
        action(self);
        self.wait("a page load", |v| v["method"] == "Page.loadEventFired");
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_browser_lands_on_the_portal_connects_and_reaches_the_internet() {
    if !tests::can_run("the browser test", &[Need::Program("chromium")]) {
        return;
    }
    let Some(mut bed) = Bed::new("w", "") else {
        return;
    };
    bed.start();
    let mut browser = Chromium::launch(&bed, "v1");
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
    let mut browser = Chromium::launch(&bed, "v1");
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
