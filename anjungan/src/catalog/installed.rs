//! The catalog installed on this device: importing a bundle into the store
//! in one transaction, and loading what is installed (or the demo catalog).
//! A catalog pulled from the region (`sync::pull`) is installed the same
//! way, with where it came from ([`Signed`]) in the same transaction.

use rusqlite::{OptionalExtension, params};

use super::model::Bundle;
use super::{Catalog, Refusal, bundle, demo};
use crate::store::Store;
use crate::{Error, Result, timestamp};

/// What was installed, when and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// Increases at every install; programs compare it to notice a new catalog.
    pub generation: i64,
    /// RFC 3339, UTC (`timestamp`).
    pub installed_at: String,
    /// The file or URL it came from.
    pub source: String,
    pub published: String,
    pub region_name: String,
    pub services: usize,
}

/// A pulled catalog's provenance, kept with it: what the next pull compares
/// (ETag, signature) and the signed time no older catalog may undercut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The server's validator of the bundle, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// SHA-256 (hex) of the `.minisig` file the bundle was verified with.
    pub signature_sha256: String,
    /// The signature's trusted timestamp, Unix seconds.
    pub signed_at: i64,
}

/// Validates `bytes` as a bundle and installs it in place of the current
/// catalog, atomically. A refused bundle changes nothing but the import log.
pub fn import(store: &mut Store, bytes: &[u8], source: &str) -> Result<Installed> {
    import_signed(store, bytes, source, None)
}

/// [`import`], for a bundle whose signature was verified: `signed` is kept
/// with it in the same transaction.
pub fn import_signed(
    store: &mut Store,
    bytes: &[u8],
    source: &str,
    signed: Option<&Signed>,
) -> Result<Installed> {
    match bundle::parse(bytes) {
        Ok(b) => install_signed(store, &b, source, signed),
        Err(refusal) => {
            log(store, source, "refused", &refusal.to_string())?;
            Err(Error::CatalogRefused(refusal))
        }
    }
}

/// Installs an already validated bundle.
pub fn install(store: &mut Store, b: &Bundle, source: &str) -> Result<Installed> {
    install_signed(store, b, source, None)
}

fn install_signed(
    store: &mut Store,
    b: &Bundle,
    source: &str,
    signed: Option<&Signed>,
) -> Result<Installed> {
    let json = bundle::to_json(b);
    let now = timestamp::format(&chrono::Utc::now());
    let detail = format!(
        "\"{}\" published {}, {} services",
        b.region.name,
        b.published,
        b.services.len()
    );
    // One transaction, write lock taken up front (`Store::transaction`): two
    // imports at once queue behind the busy timeout instead of failing
    // half-way, and a failure leaves the previous catalog as it was.
    let generation = store.transaction(|tx| {
        let generation: i64 = tx.query_row(
            "SELECT COALESCE(MAX(generation), 0) + 1 FROM catalog",
            [],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT INTO catalog (slot, generation, bundle, published, region_code, region_name,
                                  services, installed_at, source,
                                  etag, signature_sha256, signed_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (slot) DO UPDATE SET
                generation = excluded.generation, bundle = excluded.bundle,
                published = excluded.published, region_code = excluded.region_code,
                region_name = excluded.region_name, services = excluded.services,
                installed_at = excluded.installed_at, source = excluded.source,
                etag = excluded.etag, signature_sha256 = excluded.signature_sha256,
                signed_at = excluded.signed_at",
            params![
                generation,
                json,
                b.published,
                b.region.code,
                b.region.name,
                b.services.len() as i64,
                now,
                source,
                signed.and_then(|s| s.etag.as_deref()),
                signed.map(|s| s.signature_sha256.as_str()),
                signed.map(|s| s.signed_at),
            ],
        )?;
        if let Some(signed) = signed {
            tx.execute(
                "INSERT INTO catalog_signed_mark (slot, signed_at) VALUES (1, ?1)
                 ON CONFLICT (slot) DO UPDATE SET
                    signed_at = MAX(signed_at, excluded.signed_at)",
                [signed.signed_at],
            )?;
        }
        tx.execute(
            "INSERT INTO catalog_log (at, source, outcome, detail) VALUES (?1, ?2, 'installed', ?3)",
            params![now, source, detail],
        )?;
        Ok(generation)
    })?;
    Ok(Installed {
        generation,
        installed_at: now,
        source: source.to_owned(),
        published: b.published.clone(),
        region_name: b.region.name.clone(),
        services: b.services.len(),
    })
}

fn log(store: &mut Store, source: &str, outcome: &str, detail: &str) -> Result<()> {
    let now = timestamp::format(&chrono::Utc::now());
    store.run(|conn| {
        conn.execute(
            "INSERT INTO catalog_log (at, source, outcome, detail) VALUES (?1, ?2, ?3, ?4)",
            params![now, source, outcome, detail],
        )
    })?;
    Ok(())
}

/// The provenance of the installed catalog and its source, when a pull
/// installed it; `None` for one imported by hand or the demo catalog.
pub fn signed(store: &Store) -> Result<Option<(String, Signed)>> {
    store.run(|conn| {
        conn.query_row(
            "SELECT source, etag, signature_sha256, signed_at FROM catalog
             WHERE slot = 1 AND signature_sha256 IS NOT NULL AND signed_at IS NOT NULL",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    Signed {
                        etag: r.get(1)?,
                        signature_sha256: r.get(2)?,
                        signed_at: r.get(3)?,
                    },
                ))
            },
        )
        .optional()
    })
}

/// The newest signed time ever installed (Unix seconds), which a pulled
/// catalog must not be older than; `None` before the first pull installed.
pub fn signed_mark(store: &Store) -> Result<Option<i64>> {
    store.run(|conn| {
        conn.query_row(
            "SELECT signed_at FROM catalog_signed_mark WHERE slot = 1",
            [],
            |r| r.get(0),
        )
        .optional()
    })
}

/// Keeps a new ETag for the installed catalog, when the server's validator
/// changed but the signed bundle did not.
pub fn set_etag(store: &Store, etag: Option<&str>) -> Result<()> {
    store.run(|conn| {
        conn.execute(
            "UPDATE catalog SET etag = ?1 WHERE slot = 1 AND signature_sha256 IS NOT NULL",
            [etag],
        )
    })?;
    Ok(())
}

/// The generation of the installed catalog, 0 when none is installed: a
/// cheap query programs poll to pick up a newly installed catalog.
pub fn generation(store: &Store) -> Result<i64> {
    store.run(|conn| {
        conn.query_row(
            "SELECT COALESCE(MAX(generation), 0) FROM catalog",
            [],
            |r| r.get(0),
        )
    })
}

/// What is installed, without reading the bundle; `None` on the demo
/// catalog.
pub fn installed(store: &Store) -> Result<Option<Installed>> {
    store.run(|conn| {
        conn.query_row(
            "SELECT generation, published, region_name, services, installed_at, source
             FROM catalog WHERE slot = 1",
            [],
            |r| {
                Ok(Installed {
                    generation: r.get(0)?,
                    published: r.get(1)?,
                    region_name: r.get(2)?,
                    services: r.get::<_, i64>(3)? as usize,
                    installed_at: r.get(4)?,
                    source: r.get(5)?,
                })
            },
        )
        .optional()
    })
}

/// The installed catalog, or the built-in demo catalog on a fresh device.
pub fn load(store: &Store) -> Result<Catalog> {
    let row = store.run(|conn| {
        conn.query_row(
            "SELECT generation, bundle, published, region_name, services, installed_at, source
             FROM catalog WHERE slot = 1",
            [],
            |r| {
                Ok((
                    Installed {
                        generation: r.get(0)?,
                        published: r.get(2)?,
                        region_name: r.get(3)?,
                        services: r.get::<_, i64>(4)? as usize,
                        installed_at: r.get(5)?,
                        source: r.get(6)?,
                    },
                    r.get::<_, String>(1)?,
                ))
            },
        )
        .optional()
    })?;
    match row {
        None => Ok(Catalog::new(demo::bundle(), None)),
        Some((installed, json)) => {
            let b = bundle::parse(json.as_bytes()).map_err(|r: Refusal| {
                Error::StoredCatalogDamaged {
                    path: store.path().to_owned(),
                    message: r.to_string(),
                }
            })?;
            Ok(Catalog::new(b, Some(installed)))
        }
    }
}

/// The import log, newest first: `(at, source, outcome, detail)`, `at` in
/// RFC 3339, UTC.
pub fn history(store: &Store, limit: usize) -> Result<Vec<(String, String, String, String)>> {
    store.run(|conn| {
        conn.prepare(
            "SELECT at, source, outcome, detail FROM catalog_log ORDER BY id DESC LIMIT ?1",
        )?
        .query_map([limit as i64], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("anjungan.db")).unwrap();
        (dir, store)
    }

    #[test]
    fn fresh_device_shows_the_demo() {
        let (_dir, store) = store();
        let catalog = load(&store).unwrap();
        assert!(catalog.is_demo());
        assert_eq!(generation(&store).unwrap(), 0);
    }

    #[test]
    fn import_replaces_and_counts_generations() {
        let (_dir, mut store) = store();
        let mut b = demo::bundle();
        b.services.truncate(3);
        let json = bundle::to_json(&b);
        let first = import(&mut store, json.as_bytes(), "a.json").unwrap();
        assert_eq!(first.generation, 1);
        let second = import(&mut store, json.as_bytes(), "b.json").unwrap();
        assert_eq!(second.generation, 2);
        let catalog = load(&store).unwrap();
        assert_eq!(catalog.services().len(), 3);
        assert_eq!(catalog.installed().unwrap().source, "b.json");
    }

    #[test]
    fn a_signed_install_keeps_its_provenance_and_raises_the_mark() {
        let (_dir, mut store) = store();
        let json = bundle::to_json(&demo::bundle());
        let signed = |at| Signed {
            etag: Some("\"v1\"".into()),
            signature_sha256: format!("{at:064x}"),
            signed_at: at,
        };
        import_signed(
            &mut store,
            json.as_bytes(),
            "https://r/c.json",
            Some(&signed(20)),
        )
        .unwrap();
        assert_eq!(
            self::signed(&store).unwrap(),
            Some(("https://r/c.json".into(), signed(20)))
        );
        assert_eq!(signed_mark(&store).unwrap(), Some(20));
        set_etag(&store, Some("\"v2\"")).unwrap();
        assert_eq!(
            self::signed(&store).unwrap().unwrap().1.etag.as_deref(),
            Some("\"v2\"")
        );
        // The mark is never lowered, not by an older signed install nor by
        // a catalog imported by hand, which has no provenance.
        import_signed(&mut store, json.as_bytes(), "u", Some(&signed(10))).unwrap();
        assert_eq!(signed_mark(&store).unwrap(), Some(20));
        import(&mut store, json.as_bytes(), "by-hand.json").unwrap();
        assert_eq!(self::signed(&store).unwrap(), None);
        assert_eq!(signed_mark(&store).unwrap(), Some(20));
        set_etag(&store, Some("x")).unwrap();
        assert_eq!(
            self::signed(&store).unwrap(),
            None,
            "no ETag without a signature"
        );
    }

    #[test]
    fn refusal_is_logged_and_changes_nothing() {
        let (_dir, mut store) = store();
        let e = import(&mut store, b"{", "broken.json").unwrap_err();
        assert!(matches!(e, Error::CatalogRefused(_)));
        assert!(load(&store).unwrap().is_demo());
        let log = history(&store, 10).unwrap();
        assert_eq!(log[0].2, "refused");
        assert_eq!(log[0].1, "broken.json");
    }
}
