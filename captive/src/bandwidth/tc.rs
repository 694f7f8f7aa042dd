//! The adapter from `plan`'s lines to the kernel: iproute2's `tc` (and
//! `ip` for the IFB device) run as child processes, as `nft` is. Not the
//! `rtnetlink` crate: its traffic-control messages cover qdiscs and a few
//! filters but no HTB classes, whose rate tables we would have to compute
//! and encode ourselves; `tc` is on every Debian system (iproute2), it is
//! what a technician types to look (`tc -s class show dev wlan0`), and its
//! errors name the line that failed.

use std::io::Write;
use std::process::{Command, Stdio};

use super::Shaper;
use super::plan::{self, Devices, Leaf};
use crate::{Error, Result};

pub struct Tc {
    devices: Devices,
    leaf: std::sync::Mutex<Leaf>,
}

impl Tc {
    pub fn new(interface: &str) -> Tc {
        Tc {
            devices: Devices::new(interface),
            leaf: std::sync::Mutex::new(Leaf::FqCodel),
        }
    }
}

fn fail(message: String) -> Error {
    Error::Shaping { message }
}

/// Runs `program` with `args`, `input` on its standard input; its error
/// output when it fails.
fn run(program: &str, args: &[&str], input: Option<&str>) -> Result<()> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(format!("cannot run {program}: {e}")))?;
    if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
        stdin
            .write_all(text.as_bytes())
            .map_err(|e| fail(format!("cannot write to {program}: {e}")))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| fail(format!("{program} did not finish: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(fail(format!(
            "{program} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

fn batch(lines: &[String], force: bool) -> Result<()> {
    if lines.is_empty() {
        return Ok(());
    }
    let mut text = lines.join("\n");
    text.push('\n');
    let args: &[&str] = if force {
        &["-force", "-batch", "-"]
    } else {
        &["-batch", "-"]
    };
    run("tc", args, Some(&text))
}

impl Shaper for Tc {
    fn reset(&self) -> Result<()> {
        let d = &self.devices;
        // Made if missing ("File exists" otherwise, which is fine).
        let _ = run("ip", &["link", "add", &d.ifb, "type", "ifb"], None);
        run("ip", &["link", "set", &d.ifb, "up"], None)?;
        // Whatever a previous run left goes: the visitors' classes are
        // made again from the database by the next sync.
        let _ = batch(&plan::teardown(d), true);
        // fq_codel if this kernel has it (a probe on the IFB's root).
        let leaf = match run(
            "tc",
            &[
                "qdisc", "add", "dev", &d.ifb, "root", "handle", "1:", "fq_codel",
            ],
            None,
        ) {
            Ok(()) => {
                run("tc", &["qdisc", "del", "dev", &d.ifb, "root"], None)?;
                Leaf::FqCodel
            }
            Err(e) => {
                tracing::info!(error = %e, "this kernel has no fq_codel; each visitor's class gets a plain FIFO");
                Leaf::Fifo
            }
        };
        *self.leaf.lock().unwrap_or_else(|e| e.into_inner()) = leaf;
        batch(&plan::setup(d), false)
    }

    fn apply(&self, changes: &[(std::net::Ipv4Addr, plan::Rates, plan::Rates)]) -> Result<()> {
        let leaf = *self.leaf.lock().unwrap_or_else(|e| e.into_inner());
        let lines: Vec<String> = changes
            .iter()
            .flat_map(|(ip, before, after)| plan::change(&self.devices, *ip, *before, *after, leaf))
            .collect();
        batch(&lines, false)
    }
}
