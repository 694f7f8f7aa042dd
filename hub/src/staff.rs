//! Staff of the region who may read the hub's pages: added from the
//! command line (`anjungan-hub staff add NAME`, the password on stdin),
//! kept as argon2id hashes by the same function as the device's dashboard
//! password (`anjungan::password`).

use deadpool_postgres::Pool;

use crate::{Error, Result};

/// One login, for `staff list`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Member {
    pub name: String,
    /// RFC 3339, UTC.
    pub added_at: String,
    pub last_login: Option<String>,
}

/// Longest name: it is typed at the login and shown on every page.
pub const MAX_NAME: usize = 64;

/// A login name: short, printable, no spaces (an e-mail address fits).
pub fn check_name(name: &str) -> Result<()> {
    let ok = (1..=MAX_NAME).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.@".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::Staff(format!(
            "staff name {name:?}: use 1 to {MAX_NAME} letters, digits, '-', '_', '.' or '@'"
        )))
    }
}

/// Adds `name` with `password` (checked as the dashboard's: at least 10
/// characters).
pub async fn add(pool: &Pool, name: &str, password: &str) -> Result<()> {
    check_name(name)?;
    anjungan::password::check_new(password).map_err(|e| Error::Password(e.to_string()))?;
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || anjungan::password::hash(&password))
        .await?
        .map_err(|e| Error::Password(e.to_string()))?;
    let client = pool.get().await?;
    let n = client
        .execute(
            "INSERT INTO staff (name, password) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            &[&name, &hash],
        )
        .await?;
    if n == 0 {
        return Err(Error::StaffExists(name.to_owned()));
    }
    Ok(())
}

/// Removes `name`; its logins end at once (their sessions go with it).
pub async fn remove(pool: &Pool, name: &str) -> Result<()> {
    let client = pool.get().await?;
    let n = client
        .execute("DELETE FROM staff WHERE name = $1", &[&name])
        .await?;
    if n == 0 {
        return Err(Error::Staff(format!(
            "there is no staff {name}; see them with `anjungan-hub staff list`"
        )));
    }
    Ok(())
}

pub async fn list(pool: &Pool) -> Result<Vec<Member>> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT name, to_char(added_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                    to_char(last_login AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')
             FROM staff ORDER BY name",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Member {
            name: r.get(0),
            added_at: r.get(1),
            last_login: r.get(2),
        })
        .collect())
}

/// A hash no password matches, checked when the name is unknown so that a
/// wrong name takes as long as a wrong password (names are not told).
fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        anjungan::password::hash("no staff has this password, it is random anyway")
            .expect("hashing works")
    })
}

/// Whether `password` is `name`'s. Slow on purpose (argon2id), on a
/// thread of its own.
pub async fn check(pool: &Pool, name: &str, password: &str) -> Result<bool> {
    let stored: Option<String> = {
        let client = pool.get().await?;
        client
            .query_opt("SELECT password FROM staff WHERE name = $1", &[&name])
            .await?
            .map(|r| r.get(0))
    };
    let known = stored.is_some();
    let password = password.to_owned();
    let right = tokio::task::spawn_blocking(move || {
        let stored: &str = match &stored {
            Some(hash) => hash,
            None => decoy(),
        };
        anjungan::password::matches(stored, &password)
    })
    .await?
    .map_err(|e| Error::Password(e.to_string()))?;
    Ok(known && right)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_short_and_plain() {
        assert!(check_name("siti.rahma@bandung.go.id").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("a b").is_err());
        assert!(check_name("<b>").is_err());
        assert!(check_name(&"x".repeat(MAX_NAME + 1)).is_err());
    }
}
