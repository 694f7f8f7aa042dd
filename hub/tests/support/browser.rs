//! A browser for the hub's pages, as small as the tests need: it keeps the
//! cookies the hub sets (and forgets those it clears), follows no
//! redirect (the tests look at them), and may claim to come through a
//! proxy (`X-Forwarded-For`, `X-Forwarded-Proto`).

use std::cell::RefCell;
use std::collections::BTreeMap;

use reqwest::blocking::{Client, RequestBuilder};

pub struct Browser {
    client: Client,
    pub base: String,
    cookies: RefCell<BTreeMap<String, String>>,
    /// Sent as `X-Forwarded-For`: the address the throttle counts.
    pub forwarded_for: Option<String>,
    pub forwarded_proto: Option<String>,
}

/// One answer.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub retry_after: Option<String>,
    pub body: String,
}

impl Page {
    /// The value of the hidden input `name` (the form's token).
    pub fn hidden(&self, name: &str) -> Option<String> {
        let at = self.body.find(&format!("name=\"{name}\""))?;
        let tag_start = self.body[..at].rfind('<')?;
        let tag = &self.body[tag_start..at + self.body[at..].find('>')?];
        let value = tag.split("value=\"").nth(1)?;
        Some(value[..value.find('"')?].to_owned())
    }
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        // Installs the device's TLS provider, which reqwest needs to build.
        anjungan::sync::Http::new(&anjungan::config::SyncConfig::default()).unwrap();
        Browser {
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: base.trim_end_matches('/').to_owned(),
            cookies: RefCell::default(),
            forwarded_for: None,
            forwarded_proto: None,
        }
    }

    /// The same browser (its cookies) at another address: another hub
    /// process behind the same load balancer.
    pub fn at(&self, base: &str) -> Browser {
        let b = Browser::new(base);
        *b.cookies.borrow_mut() = self.cookies.borrow().clone();
        b
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.borrow().get(name).cloned()
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.cookies
            .borrow_mut()
            .insert(name.to_owned(), value.to_owned());
    }

    pub fn forget_cookies(&self) {
        self.cookies.borrow_mut().clear();
    }

    pub fn get(&self, path: &str) -> Page {
        self.send(self.client.get(format!("{}{path}", self.base)))
    }

    pub fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let body: Vec<String> = form
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        self.send(
            self.client
                .post(format!("{}{path}", self.base))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.join("&")),
        )
    }

    /// The login page, then the form with its token.
    pub fn log_in(&self, name: &str, password: &str) -> Page {
        let form = self.get("/login");
        assert_eq!(form.status, 200, "{}", form.body);
        let csrf = form.hidden("csrf").expect("the login form has a token");
        self.post(
            "/login",
            &[("name", name), ("password", password), ("csrf", &csrf)],
        )
    }

    fn send(&self, mut request: RequestBuilder) -> Page {
        let cookies: Vec<String> = self
            .cookies
            .borrow()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        if !cookies.is_empty() {
            request = request.header("cookie", cookies.join("; "));
        }
        if let Some(ip) = &self.forwarded_for {
            request = request.header("x-forwarded-for", ip);
        }
        if let Some(proto) = &self.forwarded_proto {
            request = request.header("x-forwarded-proto", proto);
        }
        let r = request.send().unwrap();
        let header = |name: &str| {
            r.headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let set_cookies: Vec<String> = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        for c in &set_cookies {
            let pair = c.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if c.contains("Max-Age=0") {
                self.cookies.borrow_mut().remove(name);
            } else {
                self.set_cookie(name, value);
            }
        }
        Page {
            status: r.status().as_u16(),
            location: header("location"),
            retry_after: header("retry-after"),
            set_cookies,
            body: r.text().unwrap(),
        }
    }
}

/// application/x-www-form-urlencoded.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
