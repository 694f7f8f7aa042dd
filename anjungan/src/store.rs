//! The one SQLite database every program shares (`data_dir/anjungan.db`).
//!
//! The kiosk, the portal and the command line open it at the same time, so
//! every connection uses WAL (readers never block the writer), a busy
//! timeout (writers queue instead of failing) and `synchronous = FULL` (a
//! committed queue number or print job survives a power cut).
//!
//! The connection stays inside [`Store`]: the domain's modules run their SQL
//! through [`Store::run`] and [`Store::transaction`], which turn every SQLite
//! error into [`Error::Store`] naming the file; programs outside the crate
//! have only the modules' functions, never SQL.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
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
        M::up(include_str!("../migrations/0008_utc_times.sql")),
        M::up(include_str!("../migrations/0009_voice.sql")),
        M::up(include_str!("../migrations/0010_radius.sql")),
        M::up(include_str!("../migrations/0011_queue_calling.sql")),
        M::up(include_str!("../migrations/0012_dashboard.sql")),
        M::up(include_str!("../migrations/0013_sync.sql")),
        M::up(include_str!("../migrations/0014_outbox.sql")),
        M::up(include_str!("../migrations/0015_complaint_updates.sql")),
        M::up(include_str!("../migrations/0016_limits.sql")),
    ])
});

/// How long a writer waits for another program's transaction to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Store {
    conn: Connection,
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
        let fail = |source| error(path, source);
        create_shared(path)?;
        let lock_path = path.with_extension("db-migrate.lock");
        create_shared(&lock_path)?;
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

    /// Reads the schema from the file: a cheap proof that the database
    /// answers, for a service's watchdog ping.
    pub fn answers(&self) -> Result<()> {
        self.run(|c| c.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(())))
    }

    /// Runs `f` on the connection: for reads and single statements, which
    /// SQLite makes atomic by themselves.
    pub(crate) fn run<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        f(&self.conn).map_err(|source| error(&self.path, source))
    }

    /// Runs `f` in one transaction, committed when `f` succeeds and rolled
    /// back otherwise. IMMEDIATE takes the write lock up front, so a read
    /// followed by a write (the next queue number) never races another
    /// program's, and writers queue behind the busy timeout instead of
    /// failing half-way.
    pub(crate) fn transaction<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction) -> rusqlite::Result<T>,
    ) -> Result<T> {
        let fail = |source| error(&self.path, source);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        let value = f(&tx).map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(value)
    }

    /// [`Store::transaction`] for modules whose callers hold the store
    /// shared (`&Store`): alerts, printer faults, Wi-Fi sessions write their
    /// outbox event with the thing itself. The connection is never shared
    /// between threads (`Store` is not `Sync`), so nothing else can start a
    /// transaction on it meanwhile.
    pub(crate) fn transaction_shared<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction) -> rusqlite::Result<T>,
    ) -> Result<T> {
        let fail = |source| error(&self.path, source);
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(fail)?;
        let value = f(&tx).map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(value)
    }
}

/// Creates `path` empty with mode 0660 when it does not exist yet, whatever
/// the umask: the kiosk, the portal and a technician's `sudo anjungan` share
/// the database through the data directory's group (setgid on the device),
/// so whichever of them comes first must leave it writable by the group.
/// SQLite then gives the -wal and -shm files the database's mode (and, run
/// as root, its owner).
fn create_shared(path: &Path) -> Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let io = |source| Error::Io {
        what: "cannot create the database file",
        path: path.to_owned(),
        source,
    };
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o660)
        .open(path)
    {
        Ok(file) => file
            .set_permissions(std::fs::Permissions::from_mode(0o660))
            .map_err(io),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io(e)),
    }
}

/// The one conversion of a SQLite error: it names the database it came from.
fn error(path: &Path, source: rusqlite::Error) -> Error {
    Error::Store {
        path: path.to_owned(),
        source,
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
        store.answers().unwrap();
        // A second open of a migrated database is a no-op.
        drop(store);
        Store::open(&dir.path().join("a.db")).unwrap();
    }

    /// The kiosk (user `anjungan`) and the portal or a technician's `sudo`
    /// (root, umask 022) must not lock each other out of the database.
    #[test]
    fn database_files_are_shared_with_the_group_whatever_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("anjungan.db");
        let old = rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
        let store = Store::open(&path);
        rustix::process::umask(old);
        let store = store.unwrap();
        store
            .run(|c| c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);"))
            .unwrap();
        for name in [
            "anjungan.db",
            "anjungan.db-wal",
            "anjungan.db-shm",
            "anjungan.db-migrate.lock",
        ] {
            let mode = std::fs::metadata(dir.path().join(name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o660, "{name}: {mode:o}");
        }
    }

    /// Set in the child process of the test below, which runs in WIB.
    const IN_WIB: &str = "ANJUNGAN_TEST_IN_WIB";

    /// A device that kept local times without an offset (before migration
    /// 0008), in Western Indonesian Time: its rows become UTC, and counting
    /// the last hour's voucher slips reads old and new rows alike.
    #[test]
    fn local_times_of_before_become_utc() {
        if std::env::var_os(IN_WIB).is_none() {
            // SQLite converts with the process's time zone, read at start:
            // run this test again in a process that is in WIB.
            let name = "store::tests::local_times_of_before_become_utc";
            let child = std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", name, "--test-threads=1"])
                .env(IN_WIB, "1")
                .env("TZ", "WIB-7")
                .output()
                .unwrap();
            let out = String::from_utf8_lossy(&child.stdout);
            assert!(
                child.status.success() && out.contains("1 passed"),
                "{out}{}",
                String::from_utf8_lossy(&child.stderr)
            );
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let mut conn = Connection::open(&path).unwrap();
        MIGRATIONS.to_version(&mut conn, 6).unwrap();
        conn.execute_batch(
            "INSERT INTO queue_ticket (day, prefix, seq, service, taken_at, called_at)
                 VALUES ('2026-11-30', 'A', 1, 'svc', '2026-11-30T08:00:00', '2026-11-30T08:10:00');
             INSERT INTO print_job (kind, label, bytes, created_at, printed_at)
                 VALUES ('voucher', 'two hours ago', x'', '2026-11-30T07:30:00', '2026-11-30T07:30:01'),
                        ('voucher', 'half an hour ago', x'', '2026-11-30T08:30:00', NULL);
             INSERT INTO printer_fault (at, fault, detail)
                 VALUES ('2026-11-30T00:15:00', 'paper-out', ''), ('edited by hand', 'x', '');
             INSERT INTO alert (at, kind, detail) VALUES ('2026-11-30T08:45:00', 'call-staff', '');",
        )
        .unwrap();
        drop(conn);

        let store = Store::open(&path).unwrap();
        let texts = |sql: &str| -> Vec<String> {
            store
                .run(|c| c.prepare(sql)?.query_map([], |r| r.get(0))?.collect())
                .unwrap()
        };
        assert_eq!(
            texts("SELECT taken_at || ' ' || called_at FROM queue_ticket"),
            ["2026-11-30T01:00:00Z 2026-11-30T01:10:00Z"]
        );
        assert_eq!(
            texts(
                "SELECT created_at || ' ' || COALESCE(printed_at, '-') FROM print_job ORDER BY id"
            ),
            [
                "2026-11-30T00:30:00Z 2026-11-30T00:30:01Z",
                "2026-11-30T01:30:00Z -"
            ]
        );
        // A quarter past midnight WIB is the day before in UTC; a value
        // that was never a time stays as it was.
        assert_eq!(
            texts("SELECT at FROM printer_fault ORDER BY id"),
            ["2026-11-29T17:15:00Z", "edited by hand"]
        );
        assert_eq!(texts("SELECT at FROM alert"), ["2026-11-30T01:45:00Z"]);

        // At 09:00 WIB the last hour holds one slip of before, not two.
        let nine = chrono::DateTime::parse_from_rfc3339("2026-11-30T09:00:00+07:00").unwrap();
        let hour_ago = nine - chrono::Duration::hours(1);
        let kept =
            crate::print::spool::kept_since(&store, crate::print::spool::Kind::Voucher, hour_ago);
        assert_eq!(kept.unwrap(), 1);
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
