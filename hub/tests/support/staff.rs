//! The staff side of a test: a member of staff added with `anjungan-hub
//! staff add` and logged in through the hub's login page, as a browser
//! would; and a device's bearer-token requests beside it.

use super::browser::Browser;
use super::hub;

pub const NAME: &str = "petugas";
pub const PASSWORD: &str = "kopi tubruk pagi hari";

/// Adds staff [`NAME`] to `database` and logs a new browser in at `base`.
pub fn logged_in(database: &str, base: &str) -> Browser {
    hub::add_staff(database, NAME, PASSWORD);
    log_in(base)
}

/// A new browser at `base`, logged in as [`NAME`] (already added).
pub fn log_in(base: &str) -> Browser {
    let browser = Browser::new(base);
    let r = browser.log_in(NAME, PASSWORD);
    assert_eq!(
        (r.status, r.location.as_deref()),
        (303, Some("/")),
        "{}",
        r.body
    );
    browser
}

/// GET `url` with the bearer `token` (a device's): (status, body).
pub fn device_get(url: &str, token: &str) -> (u16, String) {
    let _ = anjungan::sync::Http::new(&anjungan::config::SyncConfig::default()).unwrap();
    let r = reqwest::blocking::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .unwrap();
    (r.status().as_u16(), r.text().unwrap())
}
