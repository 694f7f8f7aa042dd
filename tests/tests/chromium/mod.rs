//! Headless Chromium driven over the DevTools protocol on a pipe
//! (`--remote-debugging-pipe`), so no port is opened anywhere: the
//! browser tests' one way to open pages, click and read them.

#![allow(dead_code)] // each test file uses part of it

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub struct Chromium {
    child: Child,
    to: ChildStdin,
    from: Receiver<Value>,
    next_id: u64,
    session: Option<String>,
    _profile: tempfile::TempDir,
}

impl Chromium {
    /// Chromium in network namespace `ns`.
    pub fn launch(ns: &str) -> Chromium {
        let profile = tempfile::tempdir().expect("a profile directory");
        // The pipe is fds 3 (commands in) and 4 (answers out) of Chromium.
        let script = format!(
            "exec chromium --headless=new --no-sandbox --disable-gpu --no-first-run --no-default-browser-check \
             --disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable --disable-background-networking \
             --user-data-dir={} --remote-debugging-pipe about:blank 3<&0 4>&1 0</dev/null 1>/dev/null 2>/dev/null",
            profile.path().display()
        );
        let mut child = Command::new("ip")
            .args(["netns", "exec", ns, "bash", "-c", &script])
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

    pub fn send(&mut self, method: &str, params: Value) -> u64 {
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
    pub fn wait(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
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

    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.send(method, params);
        let answer = self.wait(method, |v| v["id"] == json!(id));
        assert!(answer.get("error").is_none(), "{method}: {answer}");
        answer["result"].clone()
    }

    pub fn open_tab(&mut self) {
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

    pub fn eval(&mut self, expression: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        );
        r["result"]["value"].clone()
    }

    /// Clicks the element with `id` and waits for the page it leads to.
    pub fn click(&mut self, id: &str) {
        let script = format!("document.getElementById('{id}').click()");
        self.and_wait_for_load(|b| {
            b.eval(&script);
        });
    }

    pub fn text(&mut self) -> String {
        self.eval("document.body.innerText")
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    /// The page as the viewport shows it, whole, as PNG, into
    /// `$ANJUNGAN_SCREENSHOTS/name` when that is set.
    pub fn screenshot(&mut self, name: &str) {
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
    pub fn and_wait_for_load(&mut self, action: impl FnOnce(&mut Self)) {
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

impl Chromium {
    /// A viewport `width` CSS pixels wide (a phone's when `mobile`).
    pub fn viewport(&mut self, width: u32, height: u32, mobile: bool) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
        );
    }

    /// Puts the file `path` in the file input `selector`, as a person
    /// choosing it would.
    pub fn choose_file(&mut self, selector: &str, path: &std::path::Path) {
        let doc = self.call("DOM.getDocument", json!({}));
        let node = self.call(
            "DOM.querySelector",
            json!({"nodeId": doc["root"]["nodeId"], "selector": selector}),
        );
        self.call(
            "DOM.setFileInputFiles",
            json!({"nodeId": node["nodeId"], "files": [path.to_str().expect("UTF-8 path")]}),
        );
    }

    /// Opens `url` and waits for it to load.
    pub fn open(&mut self, url: &str) {
        self.and_wait_for_load(|b| {
            b.call("Page.navigate", json!({"url": url}));
        });
    }
}
