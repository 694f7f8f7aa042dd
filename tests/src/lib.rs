//! Helpers for the end-to-end tests: finding the built programs and running
//! them against a configuration of their own in a temporary directory.

pub mod printer;
pub mod region;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

/// The directory cargo puts the workspace's programs in (`target/debug`),
/// found from the test executable itself (`target/debug/deps/...`).
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its own path");
    let deps = exe
        .parent()
        .expect("test executables live in target/<profile>/deps");
    deps.parent().expect("deps has a parent").to_owned()
}

/// The path of one of the workspace's programs, built (once per test
/// process) so a test never runs a program older than the code under test.
///
/// `tests/run.sh` sets `ANJUNGAN_TEST_BUILD` to the selection its
/// `cargo test` builds (`--workspace --all-targets`). Building the program
/// with that same selection is then a no-op, because cargo unifies crate
/// features over what is selected: `cargo build -p captive` alone picks
/// other features for shared dependencies and rebuilds dozens of them, which
/// cost a cold CI run more than ten minutes. Without the variable (one test
/// file run by hand) only the package of the program is built.
pub fn program(name: &str) -> PathBuf {
    static BUILT: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if !built.iter().any(|b| b == name) {
        let package = match name {
            "anjungan" => "anjungan",
            "anjungan-kiosk" => "kiosk",
            "anjungan-captive" => "captive",
            other => panic!("unknown program {other}"),
        };
        let selection: Vec<String> = match std::env::var("ANJUNGAN_TEST_BUILD") {
            Ok(args) if !args.trim().is_empty() => {
                args.split_whitespace().map(str::to_owned).collect()
            }
            _ => ["-p", package, "--bin", name]
                .into_iter()
                .map(str::to_owned)
                .collect(),
        };
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "--quiet"]).args(&selection);
        // What cargo set for this test's own crate is not for the build:
        // build scripts that watch such variables (ring's) would see them
        // change and run again, about 95 s each time.
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy();
            if [
                "CARGO_PKG_",
                "CARGO_MANIFEST_",
                "CARGO_CRATE_",
                "CARGO_BIN_",
                "CARGO_TARGET_TMPDIR",
            ]
            .iter()
            .any(|p| key.starts_with(p))
                || key == "CARGO_PRIMARY_PACKAGE"
            {
                build.env_remove(key.as_ref());
            }
        }
        let status = build.status().expect("cargo runs");
        assert!(
            status.success(),
            "building {name} (cargo build {}) failed",
            selection.join(" ")
        );
        built.push(name.to_owned());
    }
    bin_dir().join(name)
}

/// A device of its own: a data directory and a configuration file pointing
/// at it, in a temporary directory removed when dropped.
pub struct Device {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
}

impl Device {
    pub fn new() -> Device {
        Device::with_config("")
    }

    /// A device whose configuration file also holds `extra` TOML.
    pub fn with_config(extra: &str) -> Device {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let config = dir.path().join("anjungan.toml");
        let data = dir.path().join("data");
        std::fs::write(
            &config,
            format!(
                "[device]\nid = \"test-device\"\ndata_dir = \"{}\"\n{extra}",
                data.display()
            ),
        )
        .expect("the configuration is written");
        Device { dir, config }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `program` with `--config` for this device and `args`.
    pub fn run(&self, program_name: &str, args: &[&str]) -> Output {
        self.command(program_name, args)
            .output()
            .expect("the program runs")
    }

    pub fn command(&self, program_name: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(program(program_name));
        cmd.arg("--config").arg(&self.config).args(args);
        cmd.env_remove("ANJUNGAN_CONFIG");
        cmd
    }

    /// `anjungan catalog export` of this device, as text.
    pub fn export(&self) -> String {
        let out = self.run("anjungan", &["catalog", "export"]);
        assert!(
            out.status.success(),
            "export failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("the export is UTF-8")
    }

    /// `anjungan catalog import FILE`, returning (success, stderr).
    pub fn import(&self, file: &Path) -> (bool, String) {
        let out = self.run(
            "anjungan",
            &["catalog", "import", file.to_str().expect("UTF-8 path")],
        );
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

impl Default for Device {
    fn default() -> Self {
        Device::new()
    }
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Set by `tests/run.sh` (and so CI): a test that lacks what it needs
/// fails instead of skipping, so a suite cannot pass by testing nothing.
pub const STRICT_ENV: &str = "ANJUNGAN_TEST_STRICT";

/// Something of the machine a test needs beyond cargo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Network namespaces, nftables, binding port 80.
    Root,
    /// A program on `PATH`, e.g. `nft` or `chromium`.
    Program(&'static str),
    /// A program on `PATH` that has no `--version` (`freeradius`,
    /// `radclient`): there as an executable file is enough.
    Installed(&'static str),
    /// A program on `PATH` that answers this argument, not `--version`,
    /// with success (`minisign -v`).
    ProgramAsked(&'static str, &'static str),
}

impl Need {
    fn present(self) -> bool {
        match self {
            Need::Root => is_root(),
            Need::Program(name) => Need::ProgramAsked(name, "--version").present(),
            Need::ProgramAsked(name, arg) => Command::new(name)
                .arg(arg)
                .output()
                .is_ok_and(|o| o.status.success()),
            Need::Installed(name) => {
                use std::os::unix::fs::PermissionsExt;
                std::env::var_os("PATH").is_some_and(|path| {
                    std::env::split_paths(&path).any(|dir| {
                        std::fs::metadata(dir.join(name))
                            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
                    })
                })
            }
        }
    }

    fn describe(self) -> String {
        match self {
            Need::Root => "root".to_owned(),
            Need::Program(name) | Need::ProgramAsked(name, _) | Need::Installed(name) => {
                format!("the program {name}")
            }
        }
    }
}

/// Whether a test that needs `needs` (for `why`) can run here. When it
/// cannot, the test returns early with a "skipped" line, or, with
/// `ANJUNGAN_TEST_STRICT=1`, panics saying what is missing.
pub fn can_run(why: &str, needs: &[Need]) -> bool {
    let missing: Vec<Need> = needs.iter().copied().filter(|n| !n.present()).collect();
    decide_skip(why, &missing, strict())
}

fn strict() -> bool {
    std::env::var_os(STRICT_ENV).is_some_and(|v| !v.is_empty() && v != "0")
}

/// The decision of `can_run`, apart from looking at the machine.
fn decide_skip(why: &str, missing: &[Need], strict: bool) -> bool {
    if missing.is_empty() {
        return true;
    }
    let missing: Vec<String> = missing.iter().map(|n| n.describe()).collect();
    let message = format!(
        "{why} needs {}; run the suite as root with its packages installed: sudo tests/run.sh (or sudo -E cargo test ...)",
        missing.join(" and ")
    );
    if strict {
        panic!("{STRICT_ENV} is set, so this test may not skip: {message}");
    }
    eprintln!("skipped: {message}");
    false
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

#[cfg(test)]
mod skip_tests {
    use super::*;

    #[test]
    fn nothing_missing_runs() {
        assert!(decide_skip("x", &[], true));
        assert!(decide_skip("x", &[], false));
    }

    #[test]
    fn something_missing_skips_when_not_strict() {
        assert!(!decide_skip("the bed", &[Need::Root], false));
    }

    #[test]
    #[should_panic(
        expected = "ANJUNGAN_TEST_STRICT is set, so this test may not skip: the browser test needs root and the program chromium; run the suite as root"
    )]
    fn something_missing_fails_when_strict() {
        decide_skip(
            "the browser test",
            &[Need::Root, Need::Program("chromium")],
            true,
        );
    }

    #[test]
    fn programs_are_found_on_the_path() {
        assert!(Need::Program("bash").present());
        assert!(!Need::Program("no-such-program-anjungan").present());
    }
}
