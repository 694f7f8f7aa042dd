//! A throw-away PostgreSQL cluster for one test: Debian's server binaries,
//! a data directory and a Unix socket in a temporary directory, no TCP;
//! stopped and removed when dropped. As root the server runs as `nobody`
//! (PostgreSQL refuses to run as root).

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use tests::Need;

/// Where Debian's `postgresql` package puts the server, newest first.
const PG_CTL: [&str; 3] = [
    "/usr/lib/postgresql/17/bin/pg_ctl",
    "/usr/lib/postgresql/16/bin/pg_ctl",
    "/usr/lib/postgresql/15/bin/pg_ctl",
];
const NOBODY: u32 = 65534;

pub struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    user: Option<u32>,
}

impl Postgres {
    /// Starts a cluster, or `None` when the machine has no PostgreSQL and
    /// the suite is not strict (`tests::can_run`).
    pub fn start() -> Option<Postgres> {
        let pg_ctl = PG_CTL
            .into_iter()
            .find(|p| Path::new(p).exists())
            .unwrap_or(PG_CTL[2]);
        if !tests::can_run(
            "the hub's tests against PostgreSQL (apt-get install postgresql)",
            &[Need::Program(pg_ctl)],
        ) {
            return None;
        }
        let bin = Path::new(pg_ctl).parent().unwrap().to_owned();
        let dir = tempfile::Builder::new()
            .prefix("anjungan-pg")
            .tempdir()
            .unwrap();
        let user = tests::is_root().then_some(NOBODY);
        if let Some(uid) = user {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(uid)).unwrap();
        }
        let pg = Postgres { dir, bin, user };
        pg.run(
            "initdb",
            &[
                "-D",
                &pg.data(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        let options = format!(
            "-c listen_addresses='' -c unix_socket_directories='{}' -c max_connections=300 -c fsync=off -c full_page_writes=off",
            pg.socket_dir().display()
        );
        let log = pg.dir.path().join("log").display().to_string();
        pg.run(
            "pg_ctl",
            &["-D", &pg.data(), "-l", &log, "-w", "-o", &options, "start"],
        );
        Some(pg)
    }

    /// The connection string of database `name` (made by [`Postgres::create`]).
    pub fn config(&self, name: &str) -> String {
        format!(
            "host={} user=postgres dbname={name}",
            self.socket_dir().display()
        )
    }

    /// Makes an empty database.
    pub fn create(&self, name: &str) -> String {
        self.run(
            "createdb",
            &[
                "-h",
                &self.socket_dir().display().to_string(),
                "-U",
                "postgres",
                name,
            ],
        );
        self.config(name)
    }

    /// Runs `sql` in database `name` with psql (what a test cannot make
    /// happen otherwise: a device silent for hours).
    pub fn sql(&self, name: &str, sql: &str) {
        self.run(
            "psql",
            &[
                "-h",
                &self.socket_dir().display().to_string(),
                "-U",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                name,
                "-c",
                sql,
            ],
        );
    }

    fn socket_dir(&self) -> PathBuf {
        self.dir.path().to_owned()
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(self.bin.join(program));
        if let Some(uid) = self.user {
            c.uid(uid).gid(uid);
        }
        c.current_dir(self.dir.path());
        c
    }

    fn run(&self, program: &str, args: &[&str]) {
        let out = self.command(program).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["-D", &self.data(), "-m", "immediate", "stop"])
            .output();
    }
}
