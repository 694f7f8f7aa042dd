//! Passwords of people who log in to a page (the device's dashboard, the
//! region's hub): the rules a new one must meet, its argon2id hash as a PHC
//! string, and the check of a presented one. One function each, so the
//! device and the hub hash alike.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::{Error, Result};

/// Shorter passwords fall to a guessing attack on a stolen database.
pub const MIN_CHARS: usize = 10;
/// Hashing cost grows with length: the bound keeps a login form from being
/// a way to burn the CPU.
pub const MAX_BYTES: usize = 256;

/// Refuses a new password that is too short or too long, saying why.
pub fn check_new(password: &str) -> Result<()> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(Error::Password(format!(
            "the password has {chars} characters; use at least {MIN_CHARS} (a few words are easiest to type)"
        )));
    }
    if password.len() > MAX_BYTES {
        return Err(Error::Password(format!(
            "the password is longer than {MAX_BYTES} bytes; use a shorter one"
        )));
    }
    Ok(())
}

/// argon2id with the crate's defaults (19 MiB, 2 passes: OWASP's minimum),
/// a fresh random salt each time. Slow on purpose: call it off an async
/// runtime's workers.
pub fn hash(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| {
        Error::Password(format!(
            "the kernel's random source failed ({e}); try again"
        ))
    })?;
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| Error::Password(format!("cannot make a salt ({e})")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Password(format!("cannot hash the password ({e})")))
}

/// Whether `presented` is the password of the PHC string `stored`. A
/// presented password longer than [`MAX_BYTES`] is wrong without hashing.
/// `Err` only for a stored hash that does not parse. Slow on purpose.
pub fn matches(stored: &str, presented: &str) -> Result<bool> {
    if presented.len() > MAX_BYTES {
        return Ok(false);
    }
    let parsed = PasswordHash::new(stored)
        .map_err(|e| Error::Password(format!("the stored hash is damaged ({e})")))?;
    Ok(Argon2::default()
        .verify_password(presented.as_bytes(), &parsed)
        .is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_hash_is_kept_and_only_the_password_matches_it() {
        let stored = hash("kuda lumping merah").unwrap();
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(!stored.contains("kuda"));
        assert!(matches(&stored, "kuda lumping merah").unwrap());
        assert!(!matches(&stored, "kuda lumping biru").unwrap());
        assert!(!matches(&stored, &"x".repeat(10_000)).unwrap());
        assert_ne!(stored, hash("kuda lumping merah").unwrap(), "salted");
        assert!(matches("not a hash", "x").is_err());
    }

    #[test]
    fn new_passwords_are_bounded_with_the_reason() {
        assert!(
            check_new("pendek")
                .unwrap_err()
                .to_string()
                .contains("at least 10")
        );
        let long = "y".repeat(MAX_BYTES + 1);
        assert!(
            check_new(&long)
                .unwrap_err()
                .to_string()
                .contains("shorter")
        );
        assert!(check_new("sate ayam pak kumis").is_ok());
    }
}
