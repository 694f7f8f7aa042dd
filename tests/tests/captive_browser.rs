//! A real browser through the portal: headless Chromium in a visitor's
//! namespace opens a plain-HTTP address, lands on the portal, clicks
//! `#connect`, then loads a page of the pretend internet. Chromium is driven
//! over the DevTools protocol on a pipe (`--remote-debugging-pipe`), so no
//! port is opened anywhere.
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
