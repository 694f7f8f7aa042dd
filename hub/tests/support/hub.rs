//! The real `anjungan-hub` program over a test's database: enrolling
//! devices, and serving in a child process that a test can kill.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

pub const PROGRAM: &str = env!("CARGO_BIN_EXE_anjungan-hub");

/// Runs `anjungan-hub ARGS` over `database`; its standard output.
pub fn run(database: &str, args: &[&str]) -> String {
    let out = try_run(database, args, "");
    assert!(
        out.status.success(),
        "anjungan-hub {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `anjungan-hub ARGS` over `database` with `stdin` as its input,
/// whatever its exit status.
pub fn try_run(database: &str, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(PROGRAM)
        .arg("--database")
        .arg(database)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Adds staff `name` with `password` (`anjungan-hub staff add`).
pub fn add_staff(database: &str, name: &str, password: &str) {
    let out = try_run(database, &["staff", "add", name], &format!("{password}\n"));
    assert!(
        out.status.success(),
        "staff add: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A serving hub; killed (SIGKILL) when dropped.
pub struct Hub {
    child: Child,
    pub addr: SocketAddr,
}

impl Hub {
    /// Starts `anjungan-hub serve` on `listen` (port 0: any) and waits until
    /// it listens.
    pub fn start(database: &str, listen: &str) -> Hub {
        Hub::start_with(database, listen, &[])
    }

    /// As [`Hub::start`], with more arguments to `serve`.
    pub fn start_with(database: &str, listen: &str, args: &[&str]) -> Hub {
        let mut child = Command::new(PROGRAM)
            .arg("--database")
            .arg(database)
            .args(["serve", "--listen", listen])
            .args(args)
            .env("RUST_LOG", "warn,hub=info,anjungan_hub=info")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("the hub says where it listens before anything else")
                .unwrap();
            if let Some((_, addr)) = line.split_once("listening on ") {
                break addr.trim().parse().unwrap();
            }
        };
        // Keep draining its log so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Hub { child, addr }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// SIGKILL, as a power cut or the OOM killer would.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
