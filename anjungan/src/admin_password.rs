//! The technician's dashboard password: set with `anjungan admin password`,
//! kept in the store as an argon2id hash only, checked at the dashboard's
//! login. There is no default: until one is set, nobody can log in.

use rusqlite::{OptionalExtension, params};

use crate::store::Store;
use crate::{Error, Result, password, timestamp};

pub use crate::password::{MAX_BYTES, MIN_CHARS};

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
    password::check_new(password).map_err(admin)?;
    let hash = password::hash(password).map_err(admin)?;
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
    match password::matches(&stored, presented) {
        Ok(true) => Ok(Verdict::Right),
        Ok(false) => Ok(Verdict::Wrong),
        Err(e) => Err(Error::AdminPassword(format!(
            "{}; set the password again with `sudo anjungan admin password`",
            bare(e)
        ))),
    }
}

/// The shared module's words, under this module's error.
fn admin(e: Error) -> Error {
    Error::AdminPassword(bare(e))
}

fn bare(e: Error) -> String {
    match e {
        Error::Password(message) => message,
        other => other.to_string(),
    }
}

fn stored(store: &Store) -> Result<Option<String>> {
    store.run(|conn| {
        conn.query_row("SELECT hash FROM admin_password WHERE slot = 1", [], |r| {
            r.get(0)
        })
        .optional()
    })
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
