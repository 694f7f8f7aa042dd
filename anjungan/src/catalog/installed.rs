//! The catalog installed on this device: importing a bundle into the store
//! in one transaction, and loading what is installed (or the demo catalog).

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

/// Validates `bytes` as a bundle and installs it in place of the current
/// catalog, atomically. A refused bundle changes nothing but the import log.
pub fn import(store: &mut Store, bytes: &[u8], source: &str) -> Result<Installed> {
    match bundle::parse(bytes) {
        Ok(b) => install(store, &b, source),
        Err(refusal) => {
            log(store, source, "refused", &refusal.to_string())?;
            Err(Error::CatalogRefused(refusal))
        }
    }
}

/// Installs an already validated bundle.
pub fn install(store: &mut Store, b: &Bundle, source: &str) -> Result<Installed> {
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
                                  services, installed_at, source)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (slot) DO UPDATE SET
                generation = excluded.generation, bundle = excluded.bundle,
                published = excluded.published, region_code = excluded.region_code,
                region_name = excluded.region_name, services = excluded.services,
                installed_at = excluded.installed_at, source = excluded.source",
            params![
                generation,
                json,
                b.published,
                b.region.code,
                b.region.name,
                b.services.len() as i64,
                now,
                source
            ],
        )?;
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
