//! Enrolment: a device gets a random token once (`device add`); the hub
//! keeps only its SHA-256, so a copy of the database lets nobody push as a
//! device. Tokens are 256 random bits: a plain hash is enough, there is
//! nothing to guess.

use deadpool_postgres::Pool;
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// Enrols `id` and returns its token, to be put in the device's
/// `[sync] token_file`. A revoked device may be enrolled again.
pub async fn add(pool: &Pool, id: &str) -> Result<String> {
    check_id(id)?;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the kernel's random source is available");
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let client = pool.get().await?;
    let n = client
        .execute(
            "INSERT INTO device (id, token_sha256) VALUES ($1, $2)
             ON CONFLICT (id) DO UPDATE SET token_sha256 = excluded.token_sha256,
                 revoked_at = NULL, added_at = now()
             WHERE device.revoked_at IS NOT NULL",
            &[&id, &hash(&token)],
        )
        .await?;
    if n == 0 {
        return Err(Error::DeviceExists(id.to_owned()));
    }
    Ok(token)
}

/// Refuses `id`'s token from now on; its events stay.
pub async fn revoke(pool: &Pool, id: &str) -> Result<()> {
    let client = pool.get().await?;
    let n = client
        .execute(
            "UPDATE device SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
            &[&id],
        )
        .await?;
    if n == 0 {
        return Err(Error::NoSuchDevice(id.to_owned()));
    }
    Ok(())
}

/// The device whose token this is, if it is enrolled and not revoked.
pub async fn authenticate(pool: &Pool, token: &str) -> Result<String> {
    let client = pool.get().await?;
    let row = client
        .query_opt(
            "SELECT id FROM device WHERE token_sha256 = $1 AND revoked_at IS NULL",
            &[&hash(token)],
        )
        .await?;
    row.map(|r| r.get(0)).ok_or(Error::Unauthorized)
}

/// One enrolled device, for `device list`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Device {
    pub id: String,
    pub revoked: bool,
    /// RFC 3339, or none before its first push.
    pub last_contact: Option<String>,
    pub last_agent: Option<String>,
}

pub async fn list(pool: &Pool) -> Result<Vec<Device>> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT id, revoked_at IS NOT NULL,
                    to_char(last_contact AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                    last_agent
             FROM device ORDER BY id",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Device {
            id: r.get(0),
            revoked: r.get(1),
            last_contact: r.get(2),
            last_agent: r.get(3),
        })
        .collect())
}

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.trim().as_bytes()).to_vec()
}

/// A device id as `[device] id` allows: short, printable, no spaces.
fn check_id(id: &str) -> Result<()> {
    let ok = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::BadBatch(format!(
            "device id {id:?}: use 1 to 64 letters, digits, '-', '_' or '.'"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_short_and_plain() {
        assert!(check_id("kec-cibinong-01").is_ok());
        assert!(check_id("").is_err());
        assert!(check_id("a b").is_err());
        assert!(check_id(&"x".repeat(65)).is_err());
    }

    #[test]
    fn the_hash_ignores_the_newline_of_a_token_file() {
        assert_eq!(hash("abc\n"), hash("abc"));
        assert_ne!(hash("abc"), hash("abd"));
    }
}
