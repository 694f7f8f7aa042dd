//! The one SQLite database every program shares (`data_dir/anjungan.db`).
//!
//! The kiosk, the portal and the command line open it at the same time, so
//! every connection uses WAL (readers never block the writer), a busy
//! timeout (writers queue instead of failing) and `synchronous = FULL` (a
//! committed ticket or survey answer survives a power cut).

use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{M, Migrations};

use crate::config::Config;
use crate::{Error, Result};

static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(include_str!("../migrations/0001_catalog.sql")),
        M::up(include_str!("../migrations/0002_wifi.sql")),
        M::up(include_str!("../migrations/0003_printing.sql")),
        M::up(include_str!("../migrations/0004_alert.sql")),
        M::up(include_str!("../migrations/0005_abandoned_jobs.sql")),
        M::up(include_str!("../migrations/0006_print_job_by_kind.sql")),
        M::up(include_str!("../migrations/0007_wifi_kicked.sql")),
    ])
});

/// How long a writer waits for another program's transaction to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens the database the configuration names, creating `data_dir` and
    /// the schema on first use.
    pub fn open_for(config: &Config) -> Result<Store> {
        let dir = &config.device.data_dir;
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            what: "cannot create the data directory",
            path: dir.clone(),
            source,
        })?;
        Store::open(&config.database_path())
    }

    /// Opens (or creates) the database at `path` and brings its schema up
    /// to date.
    pub fn open(path: &Path) -> Result<Store> {
        let fail = |source| Error::Store {
            path: path.to_owned(),
            source,
        };
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(fail)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(fail)?;
        // Programs starting together would otherwise race to create the
        // schema: each reads version 0, one of them fails. The schema is
        // brought up to date under a file lock, held only for this.
        let lock_path = path.with_extension("db-migrate.lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .and_then(|f| f.lock().map(|()| f))
            .map_err(|source| Error::Io {
                what: "cannot lock the database for its schema update",
                path: lock_path.clone(),
                source,
            })?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;",
        )
        .map_err(fail)?;
        MIGRATIONS
            .to_latest(&mut conn)
            .map_err(|source| Error::Migration {
                path: path.to_owned(),
                source,
            })?;
        drop(lock);
        Ok(Store {
            conn,
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Wraps a SQLite error with the database it came from.
    pub(crate) fn err(&self, source: rusqlite::Error) -> Error {
        Error::Store {
            path: self.path.clone(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        MIGRATIONS.validate().unwrap();
    }

    #[test]
    fn opens_with_wal_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.db")).unwrap();
        let mode: String = store
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = store
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        // A second open of a migrated database is a no-op.
        drop(store);
        Store::open(&dir.path().join("a.db")).unwrap();
    }

    #[test]
    fn unwritable_place_names_the_path() {
        let e = Store::open(Path::new("/proc/anjungan/none.db"))
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("/proc/anjungan/none.db"), "{e}");
    }
}
