//! CSRF protection for the portal's forms (joining, the survey, a
//! complaint, a look-up): the form carries a token that only the portal can
//! make, tied to the visitor's address and to the time it was made. A page
//! elsewhere cannot make a visitor's phone join (and accept the terms), or
//! answer or complain in their name, behind their back. No cookie is needed: sign-in windows of some
//! phones drop cookies between pages.

use std::net::IpAddr;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long a form stays valid: a visitor may read the terms slowly.
const VALID_SECONDS: i64 = 2 * 60 * 60;

pub struct Csrf {
    key: [u8; 32],
}

impl Csrf {
    /// A new random key: tokens do not survive a restart, so a visitor with
    /// an old page simply gets a fresh form.
    pub fn new() -> Csrf {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).expect("the kernel's random source is available");
        Csrf { key }
    }

    pub fn token(&self, ip: IpAddr, now: i64) -> String {
        format!("{now}.{}", self.sign(ip, now))
    }

    pub fn check(&self, token: &str, ip: IpAddr, now: i64) -> bool {
        let Some((at, sig)) = token.split_once('.') else {
            return false;
        };
        let Ok(at) = at.parse::<i64>() else {
            return false;
        };
        if !(now - VALID_SECONDS..=now + 60).contains(&at) {
            return false;
        }
        let Ok(sig) = hex_decode(sig) else {
            return false;
        };
        self.mac(ip, at).verify_slice(&sig).is_ok()
    }

    fn mac(&self, ip: IpAddr, at: i64) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length works");
        mac.update(format!("join|{ip}|{at}").as_bytes());
        mac
    }

    fn sign(&self, ip: IpAddr, at: i64) -> String {
        self.mac(ip, at)
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl Default for Csrf {
    fn default() -> Self {
        Csrf::new()
    }
}

fn hex_decode(s: &str) -> Result<Vec<u8>, ()> {
    if s.len() != 64 || !s.is_ascii() {
        return Err(());
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|_| ()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_good_for_its_address_and_its_time_only() {
        let csrf = Csrf::new();
        let ip: IpAddr = "10.42.0.100".parse().unwrap();
        let t = csrf.token(ip, 1_000);
        assert!(csrf.check(&t, ip, 1_500));
        assert!(!csrf.check(&t, "10.42.0.101".parse().unwrap(), 1_500));
        assert!(!csrf.check(&t, ip, 1_000 + VALID_SECONDS + 1));
        assert!(!Csrf::new().check(&t, ip, 1_500), "another key");
        for bad in ["", ".", "1000.", "x.y", "1000.zz", &t.replace('a', "b")] {
            assert!(!csrf.check(bad, ip, 1_500) || bad == t, "{bad}");
        }
    }
}
