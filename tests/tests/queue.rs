//! Counter staff with the real `anjungan` binary on a real database:
//! tickets taken with `anjungan receipt --ticket` (as the kiosk takes
//! them), numbers called, recalled and skipped with `anjungan queue`, the
//! waiting falling in `anjungan queue status --json` and on the next
//! ticket printed.

use anjungan::print::{Printed, interpret};
use serde_json::Value;
use tests::{Device, stderr, stdout};

const SERVICE: &str = "akta-kelahiran";

fn prefix() -> String {
    let catalog = anjungan::catalog::Catalog::new(anjungan::catalog::demo::bundle(), None);
    catalog
        .service(SERVICE)
        .unwrap()
        .queue_prefix
        .clone()
        .unwrap()
}

/// Takes a ticket now and returns its printed lines.
fn ticket(device: &Device) -> Vec<String> {
    let out = device.path("ticket.bin");
    let run = device.run(
        "anjungan",
        &[
            "receipt",
            "--ticket",
            SERVICE,
            "--lang",
            "en",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    interpret(&std::fs::read(out).unwrap())
        .unwrap()
        .items
        .into_iter()
        .filter_map(|i| match i {
            Printed::Line { text, .. } => Some(text),
            _ => None,
        })
        .collect()
}

fn waiting_line(lines: &[String]) -> &str {
    lines
        .iter()
        .find(|l| l.contains("waiting ahead"))
        .unwrap_or_else(|| panic!("no waiting line in {lines:?}"))
}

/// `anjungan queue ARGS`: (success, stdout, stderr).
fn queue(device: &Device, args: &[&str]) -> (bool, String, String) {
    let mut all = vec!["queue"];
    all.extend_from_slice(args);
    let out = device.run("anjungan", &all);
    (out.status.success(), stdout(&out), stderr(&out))
}

fn status(device: &Device, prefix: &str) -> Value {
    let (ok, out, err) = queue(device, &["status", "--json"]);
    assert!(ok, "{err}");
    let all: Value = serde_json::from_str(&out).unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .find(|s| s["prefix"] == prefix)
        .unwrap_or_else(|| panic!("no {prefix} in {out}"))
        .clone()
}

#[test]
fn calling_numbers_makes_the_waiting_fall() {
    let device = Device::new();
    let p = prefix();
    for _ in 0..4 {
        ticket(&device);
    }
    let s = status(&device, &p);
    assert_eq!(
        (s["waiting"].as_u64(), s["taken"].as_u64()),
        (Some(4), Some(4))
    );
    assert!(s["last_called"].is_null(), "{s}");

    let (ok, out, err) = queue(&device, &["call", &p.to_lowercase(), "--counter", "2"]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), format!("{p}001 counter 2"));
    let (ok, out, _) = queue(&device, &["call", &p]);
    assert!(ok);
    assert_eq!(out.trim(), format!("{p}002"));
    let s = status(&device, &p);
    assert_eq!(s["waiting"].as_u64(), Some(2), "{s}");
    assert_eq!(s["last_called"], format!("{p}002"));

    // A ticket printed now has the two not yet called ahead of it.
    assert_eq!(
        waiting_line(&ticket(&device)),
        "2 people are waiting ahead of you"
    );

    let (ok, out, _) = queue(&device, &["recall", &p, "--counter", "2"]);
    assert!(ok);
    assert_eq!(out.trim(), format!("{p}001 counter 2"));
    // Counter 2's citizen did not come: skipped, the next called there.
    let (ok, out, err) = queue(&device, &["skip", &p, "--counter", "2"]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), format!("{p}003 counter 2"));
    assert!(err.contains(&format!("skipped {p}001")), "{err}");
    let s = status(&device, &p);
    assert_eq!(
        (s["waiting"].as_u64(), s["counter"].as_u64()),
        (Some(2), Some(2)),
        "{s}"
    );
    assert_eq!(
        waiting_line(&ticket(&device)),
        "2 people are waiting ahead of you"
    );
}

#[test]
fn nobody_waiting_or_an_unknown_prefix_is_one_line_and_a_failure() {
    let device = Device::new();
    let p = prefix();
    let (ok, out, err) = queue(&device, &["call", &p]);
    assert!(!ok && out.is_empty(), "{out}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("nobody waits"), "{err}");

    let (ok, _, err) = queue(&device, &["call", "QQ"]);
    assert!(!ok);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("\"QQ\"") && err.contains(&p), "{err}");

    let (ok, _, err) = queue(&device, &["recall", &p]);
    assert!(!ok);
    assert!(err.contains(&format!("anjungan queue call {p}")), "{err}");

    let (ok, _, err) = queue(&device, &["call", &p, "--counter", "100"]);
    assert!(!ok, "{err}");
}
