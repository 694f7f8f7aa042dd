//! The catalogs the hub serves to its devices (`GET /v1/catalog.json` and
//! its `.minisig`). `anjungan-hub catalog publish` takes a bundle only if a
//! device would install it: the signature verified with the region's
//! public key by the device's own code, then the bundle parsed and
//! validated by the device's own code, and signed no earlier than the
//! catalog published now. Every publication is kept; the newest is served.

use deadpool_postgres::Pool;
use sha2::{Digest, Sha256};

use anjungan::catalog;
use anjungan::sync::pull::MAX_SIGNATURE_BYTES;
use anjungan::sync::signature;

use crate::{Error, Result};

/// What a publish stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Publication {
    pub id: i64,
    /// The bundle's own `published`.
    pub published: String,
    pub region_name: String,
    pub services: i64,
    /// RFC 3339, UTC: the signature's trusted time.
    pub signed_at: String,
    /// RFC 3339, UTC: when the hub took it.
    pub published_at: String,
    /// Hex SHA-256 of the `.minisig`: what a device that installed it reports.
    pub signature_sha256: String,
    /// Devices (not revoked) whose last status names this catalog.
    pub installed_on: i64,
}

/// The newest catalog file for a device: its bytes (absent when the
/// device's `If-None-Match` matched) and its ETag.
pub struct Served {
    pub etag: String,
    pub bytes: Option<Vec<u8>>,
}

/// The public key's base64 line: given as is, or read from a minisign
/// `.pub` file (its last line that is not a comment).
pub fn public_key(given: &str) -> Result<String> {
    let path = std::path::Path::new(given);
    if !path.is_file() {
        return Ok(given.trim().to_owned());
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::Publish(format!(
            "cannot read the public key {}: {e}",
            path.display()
        ))
    })?;
    text.lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
        .map(str::to_owned)
        .ok_or_else(|| {
            Error::Publish(format!(
                "{} holds no public key; give the second line of the region's NAME.pub",
                path.display()
            ))
        })
}

/// Checks `bundle` and its `signature` (from the file `signature_name`) as
/// a device would, then stores them as the catalog devices pull.
pub async fn publish(
    pool: &Pool,
    bundle: &[u8],
    signature_text: &[u8],
    signature_name: &str,
    public_key: &str,
) -> Result<Publication> {
    if signature_text.len() > MAX_SIGNATURE_BYTES {
        return Err(Error::Publish(format!(
            "{signature_name} is larger than the {MAX_SIGNATURE_BYTES} bytes a device accepts; give the .minisig file"
        )));
    }
    let Ok(sig) = std::str::from_utf8(signature_text) else {
        return Err(Error::Publish(format!(
            "{signature_name} is not a minisign signature; give the .minisig that `anjungan catalog sign` or `minisign -S` wrote"
        )));
    };
    if minisign_key_is_bad(public_key) {
        return Err(Error::Publish(format!(
            "{public_key:?} is not a minisign public key; give the second line of the region's NAME.pub (or the file)"
        )));
    }
    // In the device's order: the signature before a byte is parsed.
    let verified = signature::verify(public_key, bundle, sig, signature_name)
        .map_err(|f| Error::Publish(format!("a device would refuse it: {f}")))?;
    let parsed = catalog::parse(bundle)
        .map_err(|r| Error::Publish(format!("a device would refuse the catalog: {r}")))?;
    let bundle_sha256 = hex(&Sha256::digest(bundle));
    let signature_sha256 = hex(&Sha256::digest(signature_text));
    let services = parsed.services.len() as i64;
    let region_name = parsed.region.name.clone();

    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    // One publisher at a time: the check of the newest and the insert agree.
    tx.execute("LOCK TABLE catalog_publication IN EXCLUSIVE MODE", &[])
        .await?;
    let newest = tx
        .query_opt(
            "SELECT extract(epoch FROM signed_at)::bigint, signature_sha256
             FROM catalog_publication ORDER BY id DESC LIMIT 1",
            &[],
        )
        .await?;
    if let Some(row) = newest {
        let (newest_at, newest_sig): (i64, String) = (row.get(0), row.get(1));
        if newest_sig == signature_sha256 {
            return Err(Error::Publish(
                "this catalog and signature are published already; devices have it or get it at their next pull".into(),
            ));
        }
        if verified.signed_at < newest_at {
            return Err(Error::Publish(format!(
                "it was signed at {}, before the catalog published now (signed at {}); a device never installs an older catalog over a newer one: sign it again",
                moment(verified.signed_at),
                moment(newest_at)
            )));
        }
    }
    let row = tx
        .query_one(
            "INSERT INTO catalog_publication
                 (bundle, signature, bundle_sha256, signature_sha256, published, region_name, services, signed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, to_timestamp($8::bigint))
             RETURNING id",
            &[
                &bundle,
                &sig,
                &bundle_sha256,
                &signature_sha256,
                &parsed.published,
                &region_name,
                &(services as i32),
                &verified.signed_at,
            ],
        )
        .await?;
    let id: i64 = row.get(0);
    tx.commit().await?;
    // The pool may hold one connection (the command line's): give it back
    // before `history` takes one.
    drop(client);
    history(pool, 1)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| {
            Error::Publish(
                "published, but another publication came at once; see the catalog page".into(),
            )
        })
}

fn minisign_key_is_bad(key: &str) -> bool {
    signature::key_id(key).is_none()
}

/// The last `limit` publications, newest first, with how many devices
/// report having each installed.
pub async fn history(pool: &Pool, limit: i64) -> Result<Vec<Publication>> {
    let client = pool.get().await?;
    let rows = client
        .query(
            "SELECT p.id, p.published, p.region_name, p.services::bigint,
                    to_char(p.signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                    to_char(p.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                    p.signature_sha256,
                    (SELECT count(*) FROM device_status s JOIN device d ON d.id = s.device
                     WHERE d.revoked_at IS NULL
                       AND s.status -> 'catalog' ->> 'signature_sha256' = p.signature_sha256)
             FROM catalog_publication p ORDER BY p.id DESC LIMIT $1",
            &[&limit],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Publication {
            id: r.get(0),
            published: r.get(1),
            region_name: r.get(2),
            services: r.get(3),
            signed_at: r.get(4),
            published_at: r.get(5),
            signature_sha256: r.get(6),
            installed_on: r.get(7),
        })
        .collect())
}

/// The newest bundle (`signature: false`) or its `.minisig` (`true`), with
/// its strong ETag; the bytes are left out when `if_none_match` names it.
/// `None` before anything is published.
pub async fn newest(
    pool: &Pool,
    signature: bool,
    if_none_match: Option<&str>,
) -> Result<Option<Served>> {
    let client = pool.get().await?;
    let (tag_sql, body_sql) = if signature {
        (
            "SELECT signature_sha256 FROM catalog_publication ORDER BY id DESC LIMIT 1",
            "SELECT signature_sha256, convert_to(signature, 'UTF8') FROM catalog_publication ORDER BY id DESC LIMIT 1",
        )
    } else {
        (
            "SELECT bundle_sha256 FROM catalog_publication ORDER BY id DESC LIMIT 1",
            "SELECT bundle_sha256, bundle FROM catalog_publication ORDER BY id DESC LIMIT 1",
        )
    };
    // The tag is read first, so a 304 never loads the bundle.
    let Some(row) = client.query_opt(tag_sql, &[]).await? else {
        return Ok(None);
    };
    let etag = format!("\"{}\"", row.get::<_, String>(0));
    if if_none_match.is_some_and(|header| matches_etag(header, &etag)) {
        return Ok(Some(Served { etag, bytes: None }));
    }
    // A publication in between: the newer one is served, with its own tag.
    let row = client.query_opt(body_sql, &[]).await?;
    Ok(row.map(|r| Served {
        etag: format!("\"{}\"", r.get::<_, String>(0)),
        bytes: Some(r.get(1)),
    }))
}

/// The newest published catalog, parsed; `None` before one is published.
pub async fn newest_bundle(pool: &Pool) -> Result<Option<catalog::Bundle>> {
    let Some(Served {
        bytes: Some(bytes), ..
    }) = newest(pool, false, None).await?
    else {
        return Ok(None);
    };
    // It was parsed before it was stored; failing now means the parser changed.
    catalog::parse(&bytes).map(Some).map_err(|r| {
        Error::Publish(format!(
            "the newest published catalog cannot be read any more ({r}); publish it again"
        ))
    })
}

/// Whether an `If-None-Match` header names `etag` (or is `*`). The weak
/// form matches too (RFC 9110: the weak comparison for GET).
pub fn matches_etag(header: &str, etag: &str) -> bool {
    header
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn moment(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| anjungan::timestamp::format(&t))
        .unwrap_or_else(|| unix.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_names_the_tag_in_a_list_weak_or_star() {
        let tag = "\"ab12\"";
        assert!(matches_etag("\"ab12\"", tag));
        assert!(matches_etag("\"x\", W/\"ab12\"", tag));
        assert!(matches_etag("*", tag));
        assert!(!matches_etag("\"ab13\"", tag));
        assert!(!matches_etag("ab12", tag));
    }

    #[test]
    fn a_public_key_is_the_line_given_or_the_last_line_of_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("region.pub");
        std::fs::write(
            &file,
            "untrusted comment: minisign public key 1234\nRWQkey\n",
        )
        .unwrap();
        assert_eq!(public_key(file.to_str().unwrap()).unwrap(), "RWQkey");
        assert_eq!(public_key(" RWQother ").unwrap(), "RWQother");
    }
}
