//! The staff side of a test: a staff token file, and requests to the
//! hub's staff pages with it (as a bearer token, or none).

use std::path::{Path, PathBuf};

/// A staff token (as `openssl rand -hex 32` makes one) written to a file in
/// `dir`; the hub is started with `--staff-token-file` that file.
pub fn token_file(dir: &Path) -> (PathBuf, String) {
    let token = "5a1f".repeat(16);
    let path = dir.join("staff.token");
    std::fs::write(&path, format!("{token}\n")).unwrap();
    (path, token)
}

pub fn client() -> reqwest::blocking::Client {
    // The device's own client: rustls with its provider installed, and no
    // redirects followed, so a test sees the hub's 303s.
    let _ = anjungan::sync::Http::new(&anjungan::config::SyncConfig::default()).unwrap();
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// GET `url` with the bearer `token` if any: (status, body).
pub fn get(url: &str, token: Option<&str>) -> (u16, String) {
    let mut r = client().get(url);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().unwrap();
    (r.status().as_u16(), r.text().unwrap())
}

/// POST the form `fields` to `url` with the bearer `token` if any:
/// (status, Location header, body).
pub fn post_form(url: &str, token: Option<&str>, fields: &[(&str, &str)]) -> (u16, String, String) {
    let body: String = fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut r = client()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().unwrap();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (r.status().as_u16(), location, r.text().unwrap())
}

/// application/x-www-form-urlencoded, by hand (no crate for one test).
pub fn encode(s: &str) -> String {
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

/// The value of the hidden `csrf` input of a page.
pub fn csrf_of(page: &str) -> String {
    let at = page
        .find("name=\"csrf\" value=\"")
        .expect("the page has a form")
        + 19;
    page[at..].split('"').next().unwrap().to_owned()
}
