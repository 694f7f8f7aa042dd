//! The dashboard's logged-in browsers: a random cookie each, kept here only
//! as its SHA-256 (a memory dump holds no usable cookie), with an idle and
//! an absolute expiry, and the form token (CSRF) and language of each.
//! In memory: a restart of the portal logs everyone out, which is fine
//! for a technician and means nothing to clean up on disk.

use std::collections::HashMap;
use std::sync::Mutex;

use anjungan::Lang;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The cookie's name.
pub const COOKIE: &str = "anjungan_admin";
/// Logged out after this long without a page.
pub const IDLE_SECONDS: i64 = 30 * 60;
/// And after this long in any case.
pub const LONGEST_SECONDS: i64 = 12 * 60 * 60;
/// Browsers logged in at once; the oldest goes first.
const MAX_LOGINS: usize = 32;

type Key = [u8; 32];

/// A valid login, as the pages need it.
#[derive(Debug, Clone)]
pub struct Visit {
    key: Key,
    /// Every form of the dashboard carries it (`csrf`).
    pub csrf: String,
    pub lang: Lang,
}

impl Visit {
    /// Whether a form's token is this login's.
    pub fn csrf_ok(&self, presented: &str) -> bool {
        self.csrf.as_bytes().ct_eq(presented.as_bytes()).into()
    }
}

#[derive(Debug, Clone)]
struct Login {
    csrf: String,
    lang: Lang,
    started: i64,
    seen: i64,
}

#[derive(Debug, Default)]
pub struct Logins {
    table: Mutex<HashMap<Key, Login>>,
}

fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the kernel's random source is available");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn key_of(cookie: &str) -> Key {
    Sha256::digest(cookie.as_bytes()).into()
}

/// The dashboard's cookie among a `Cookie` header's.
pub fn cookie_in(header: &str) -> Option<&str> {
    header
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value)
}

/// The `Set-Cookie` value that logs a browser in: not readable by scripts,
/// never sent by another site's page.
pub fn set_cookie(value: &str) -> String {
    format!("{COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={LONGEST_SECONDS}")
}

/// The `Set-Cookie` value that logs a browser out.
pub fn clear_cookie() -> String {
    format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0")
}

impl Logins {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Login>> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new login: the cookie's value for the browser, and its visit.
    pub fn start(&self, lang: Lang, now: i64) -> (String, Visit) {
        let cookie = random_hex();
        let key = key_of(&cookie);
        let login = Login {
            csrf: random_hex(),
            lang,
            started: now,
            seen: now,
        };
        let mut table = self.lock();
        table.retain(|_, l| alive(l, now));
        if table.len() >= MAX_LOGINS
            && let Some(oldest) = table.iter().min_by_key(|(_, l)| l.seen).map(|(k, _)| *k)
        {
            table.remove(&oldest);
        }
        table.insert(key, login.clone());
        (
            cookie,
            Visit {
                key,
                csrf: login.csrf,
                lang,
            },
        )
    }

    /// The login of `cookie` if it is still valid; it is kept alive.
    pub fn find(&self, cookie: &str, now: i64) -> Option<Visit> {
        let key = key_of(cookie);
        let mut table = self.lock();
        let login = table.get_mut(&key)?;
        if !alive(login, now) {
            table.remove(&key);
            return None;
        }
        login.seen = now;
        Some(Visit {
            key,
            csrf: login.csrf.clone(),
            lang: login.lang,
        })
    }

    pub fn set_lang(&self, visit: &Visit, lang: Lang) {
        if let Some(l) = self.lock().get_mut(&visit.key) {
            l.lang = lang;
        }
    }

    pub fn end(&self, visit: &Visit) {
        self.lock().remove(&visit.key);
    }
}

fn alive(l: &Login, now: i64) -> bool {
    now - l.seen < IDLE_SECONDS && now - l.started < LONGEST_SECONDS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_lives_while_used_and_ends_idle_too_old_or_logged_out() {
        let logins = Logins::default();
        let (cookie, visit) = logins.start(Lang::En, 0);
        assert_eq!(cookie.len(), 64);
        assert!(logins.find("wrong", 1).is_none());
        let found = logins.find(&cookie, IDLE_SECONDS - 1).unwrap();
        assert_eq!(found.csrf, visit.csrf);
        assert!(found.csrf_ok(&visit.csrf) && !found.csrf_ok("") && !found.csrf_ok(&cookie));
        // Kept alive by use, until the absolute end.
        let mut now = IDLE_SECONDS - 1;
        while now + IDLE_SECONDS - 1 < LONGEST_SECONDS {
            now += IDLE_SECONDS - 1;
            assert!(logins.find(&cookie, now).is_some(), "{now}");
        }
        assert!(logins.find(&cookie, LONGEST_SECONDS).is_none());

        let (cookie, visit) = logins.start(Lang::Id, 0);
        assert!(logins.find(&cookie, IDLE_SECONDS).is_none(), "idle");
        let (cookie, _) = logins.start(Lang::Id, 0);
        logins.end(&logins.find(&cookie, 1).unwrap());
        assert!(logins.find(&cookie, 2).is_none(), "logged out");
        drop(visit);
    }

    #[test]
    fn only_the_hash_of_a_cookie_is_kept_and_the_table_is_bounded() {
        let logins = Logins::default();
        let cookies: Vec<String> = (0..MAX_LOGINS + 5)
            .map(|i| logins.start(Lang::Id, i as i64).0)
            .collect();
        let table = logins.lock();
        assert_eq!(table.len(), MAX_LOGINS);
        assert!(!table.contains_key(&key_of(&cookies[0])), "the oldest went");
        assert!(table.contains_key(&key_of(cookies.last().unwrap())));
        drop(table);
        assert_eq!(cookie_in("a=b; anjungan_admin=xyz; c=d"), Some("xyz"));
        assert_eq!(cookie_in("anjungan_admin2=xyz"), None);
        assert!(set_cookie("v").contains("HttpOnly; SameSite=Strict; Path=/"));
    }
}
