//! The technician's dashboard password: set with `anjungan admin password`,
//! kept in the store as an argon2id hash only, checked at the dashboard's
//! login. There is no default: until one is set, nobody can log in.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rusqlite::{OptionalExtension, params};

use crate::store::Store;
use crate::{Error, Result, timestamp};

/// Shorter passwords fall to a guessing attack on a stolen database.
pub const MIN_CHARS: usize = 10;
/// Hashing cost grows with length: the bound keeps a login form from being
/// a way to burn the device's CPU.
pub const MAX_BYTES: usize = 256;

/// What a presented password turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// No password has been set yet: nobody can log in.
    NotSet,
    Wrong,
    Right,
}

/// Checks a new password's length, then stores its hash in place of any
/// earlier one. Existing dashboard sessions are the portal's to end.
pub fn set(store: &Store, password: &str, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(Error::AdminPassword(format!(
            "the password has {chars} characters; use at least {MIN_CHARS} (a few words are easiest to type)"
        )));
    }
    if password.len() > MAX_BYTES {
        return Err(Error::AdminPassword(format!(
            "the password is longer than {MAX_BYTES} bytes; use a shorter one"
        )));
    }
    let hash = hash(password)?;
    store.run(|conn| {
        conn.execute(
            "INSERT INTO admin_password (slot, hash, set_at) VALUES (1, ?1, ?2)
             ON CONFLICT (slot) DO UPDATE SET hash = excluded.hash, set_at = excluded.set_at",
            params![hash, timestamp::format(&now)],
        )
    })?;
    Ok(())
}

/// Whether a password has been set.
pub fn is_set(store: &Store) -> Result<bool> {
    Ok(stored(store)?.is_some())
}

/// Checks `presented` against the stored hash. Slow on purpose (argon2id's
/// cost): call it off an async runtime's workers.
pub fn verify(store: &Store, presented: &str) -> Result<Verdict> {
    let Some(stored) = stored(store)? else {
        return Ok(Verdict::NotSet);
    };
    if presented.len() > MAX_BYTES {
        return Ok(Verdict::Wrong);
    }
    let parsed = PasswordHash::new(&stored).map_err(|e| {
        Error::AdminPassword(format!(
            "the stored hash is damaged ({e}); set the password again with `sudo anjungan admin password`"
        ))
    })?;
    Ok(
        match Argon2::default().verify_password(presented.as_bytes(), &parsed) {
            Ok(()) => Verdict::Right,
            Err(_) => Verdict::Wrong,
        },
    )
}

fn stored(store: &Store) -> Result<Option<String>> {
    store.run(|conn| {
        conn.query_row("SELECT hash FROM admin_password WHERE slot = 1", [], |r| {
            r.get(0)
        })
        .optional()
    })
}

/// argon2id with the crate's defaults (19 MiB, 2 passes: OWASP's minimum),
/// a fresh random salt each time.
fn hash(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| {
        Error::AdminPassword(format!(
            "the kernel's random source failed ({e}); try again"
        ))
    })?;
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| Error::AdminPassword(format!("cannot make a salt ({e})")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::AdminPassword(format!("cannot hash the password ({e})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_password_until_one_is_set_then_only_it_is_right() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.db")).unwrap();
        assert!(!is_set(&store).unwrap());
        assert_eq!(verify(&store, "").unwrap(), Verdict::NotSet);
        assert_eq!(verify(&store, "anything at all").unwrap(), Verdict::NotSet);

        let now = chrono::Utc::now();
        set(&store, "kuda lumping merah", now).unwrap();
        assert!(is_set(&store).unwrap());
        assert_eq!(
            verify(&store, "kuda lumping merah").unwrap(),
            Verdict::Right
        );
        assert_eq!(verify(&store, "kuda lumping biru").unwrap(), Verdict::Wrong);
        assert_eq!(verify(&store, "").unwrap(), Verdict::Wrong);
        assert_eq!(verify(&store, &"x".repeat(10_000)).unwrap(), Verdict::Wrong);

        // Only the hash is kept, and a new one replaces the old.
        let kept = stored(&store).unwrap().unwrap();
        assert!(kept.starts_with("$argon2id$"), "{kept}");
        assert!(!kept.contains("kuda"));
        set(&store, "sate ayam pak kumis", now).unwrap();
        assert_eq!(
            verify(&store, "kuda lumping merah").unwrap(),
            Verdict::Wrong
        );
        assert_eq!(
            verify(&store, "sate ayam pak kumis").unwrap(),
            Verdict::Right
        );
    }

    #[test]
    fn too_short_or_too_long_passwords_are_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.db")).unwrap();
        let now = chrono::Utc::now();
        let e = set(&store, "pendek", now).unwrap_err().to_string();
        assert!(e.contains("at least 10"), "{e}");
        let e = set(&store, &"y".repeat(MAX_BYTES + 1), now)
            .unwrap_err()
            .to_string();
        assert!(e.contains("shorter"), "{e}");
        assert!(!is_set(&store).unwrap());
    }
}
