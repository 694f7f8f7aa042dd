//! Receipts, queue tickets and voucher slips as the printer gets them:
//! `anjungan receipt` writes the bytes, and the tests read them back with
//! the ESC/POS interpreter, i.e. what the printer would print.
//!
//! Golden files: `tests/golden/*.txt` (the printout as text) and
//! `tests/golden/*.png` (its picture). `UPDATE_GOLDEN=1` rewrites them.

use std::path::{Path, PathBuf};

use anjungan::print::{Paper, Printed, interpret};
use tests::{Device, stderr};

const AT: &str = "2026-11-30T09:05";

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("golden")
}

fn check_golden(name: &str, actual: &[u8]) {
    let path = golden_dir().join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read(&path)
        .unwrap_or_else(|_| panic!("{} is missing; run with UPDATE_GOLDEN=1", path.display()));
    assert!(
        expected == actual,
        "{name} differs from its golden file; look at the new output and run with UPDATE_GOLDEN=1 if it is right"
    );
}

/// Runs `anjungan receipt ARGS --out ... --png ...` and returns the bytes and the PNG.
fn receipt(device: &Device, args: &[&str]) -> (Vec<u8>, Vec<u8>) {
    let out = device.path("receipt.bin");
    let png = device.path("receipt.png");
    let mut all: Vec<&str> = vec!["receipt"];
    all.extend_from_slice(args);
    all.extend_from_slice(&[
        "--at",
        AT,
        "--out",
        out.to_str().unwrap(),
        "--png",
        png.to_str().unwrap(),
    ]);
    let run = device.run("anjungan", &all);
    assert!(run.status.success(), "{}", stderr(&run));
    (std::fs::read(out).unwrap(), std::fs::read(png).unwrap())
}

#[test]
fn service_receipts_match_their_goldens() {
    let device = Device::new();
    for (lang, width) in [("id", "58"), ("en", "58"), ("id", "80"), ("en", "80")] {
        let (bytes, png) = receipt(
            &device,
            &[
                "--service",
                "akta-kelahiran",
                "--lang",
                lang,
                "--width",
                width,
            ],
        );
        let paper = Paper::from_mm(width.parse().unwrap()).unwrap();
        let printout = interpret(&bytes).unwrap();
        assert!(printout.widest_line() <= paper.columns());
        check_golden(
            &format!("receipt-akta-kelahiran-{lang}-{width}.txt"),
            printout.text(paper).as_bytes(),
        );
        check_golden(&format!("receipt-akta-kelahiran-{lang}-{width}.png"), &png);
    }
}

#[test]
fn a_receipt_says_what_to_bring_and_where_to_go_online() {
    let device = Device::new();
    let catalog = anjungan::catalog::Catalog::new(anjungan::catalog::demo::bundle(), None);
    let service = catalog
        .services()
        .iter()
        .find(|s| s.requirements.len() >= 3)
        .unwrap();
    let (bytes, _) = receipt(
        &device,
        &["--service", &service.id, "--lang", "en", "--width", "58"],
    );
    let printout = interpret(&bytes).unwrap();
    let text = printout.text(Paper::Mm58);
    assert!(text.contains("Requirements"), "{text}");
    let boxes = text.lines().filter(|l| l.starts_with("[ ] ")).count();
    assert_eq!(boxes, service.requirements.len(), "{text}");
    assert_eq!(
        printout.qr_codes(),
        [service.online_url.as_deref().unwrap()]
    );
    assert_eq!(printout.items.last(), Some(&Printed::Cut));
}

#[test]
fn queue_tickets_count_up_and_show_the_number_big() {
    let device = Device::new();
    let mut numbers = Vec::new();
    for _ in 0..3 {
        let (bytes, _) = receipt(&device, &["--ticket", "akta-kelahiran", "--width", "58"]);
        let printout = interpret(&bytes).unwrap();
        let big = printout
            .items
            .iter()
            .find_map(|i| match i {
                Printed::Line { text, style } if style.width >= 2 => Some(text.clone()),
                _ => None,
            })
            .unwrap();
        numbers.push(big);
    }
    let catalog = anjungan::catalog::Catalog::new(anjungan::catalog::demo::bundle(), None);
    let prefix = catalog
        .service("akta-kelahiran")
        .unwrap()
        .queue_prefix
        .clone()
        .unwrap();
    assert_eq!(numbers, [1, 2, 3].map(|n| format!("{prefix}{n:03}")));
}

#[test]
fn concurrent_ticket_takers_never_share_or_skip_a_number() {
    let device = Device::new();
    // Create the database first so the takers race on numbers, not schema.
    assert!(
        device
            .run("anjungan", &["catalog", "status"])
            .status
            .success()
    );
    let children: Vec<_> = (0..4)
        .map(|i| {
            let out = device.path(&format!("t{i}.bin"));
            std::thread::spawn({
                let cmd_out = out.clone();
                let mut cmds: Vec<_> = (0..5)
                    .map(|_| {
                        device.command(
                            "anjungan",
                            &[
                                "receipt",
                                "--ticket",
                                "ktp-el-baru",
                                "--out",
                                cmd_out.to_str().unwrap(),
                            ],
                        )
                    })
                    .collect();
                move || {
                    let mut seen = Vec::new();
                    for cmd in &mut cmds {
                        let run = cmd.output().unwrap();
                        assert!(
                            run.status.success(),
                            "{}",
                            String::from_utf8_lossy(&run.stderr)
                        );
                        let printout = interpret(&std::fs::read(&cmd_out).unwrap()).unwrap();
                        let number = printout
                            .items
                            .iter()
                            .find_map(|i| match i {
                                Printed::Line { text, style } if style.width >= 2 => {
                                    Some(text.clone())
                                }
                                _ => None,
                            })
                            .unwrap();
                        seen.push(number);
                    }
                    seen
                }
            })
        })
        .collect();
    let mut all: Vec<u32> = children
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .map(|n| {
            n.trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .parse()
                .unwrap()
        })
        .collect();
    all.sort_unstable();
    assert_eq!(all, (1..=20).collect::<Vec<u32>>());
}

#[test]
fn voucher_slips_carry_the_code_and_a_joining_qr() {
    let device = Device::with_config("[captive]\nssid = \"Banyumas Free\"\n");
    let issued = device.run(
        "anjungan",
        &[
            "voucher",
            "issue",
            "--count",
            "1",
            "--minutes",
            "90",
            "--json",
        ],
    );
    assert!(issued.status.success(), "{}", stderr(&issued));
    let vouchers: serde_json::Value = serde_json::from_slice(&issued.stdout).unwrap();
    let code = vouchers[0]["code"].as_str().unwrap().to_owned();
    let (bytes, _) = receipt(
        &device,
        &["--voucher", &code, "--lang", "en", "--width", "80"],
    );
    let printout = interpret(&bytes).unwrap();
    let text = printout.text(Paper::Mm80);
    assert!(
        text.contains(&code) && text.contains("90 minutes") && text.contains("Banyumas Free"),
        "{text}"
    );
    assert_eq!(printout.qr_codes(), ["WIFI:T:nopass;S:Banyumas Free;;"]);
}

#[test]
fn unknown_service_or_voucher_says_what_to_do() {
    let device = Device::new();
    let out = device.path("x.bin");
    let run = device.run(
        "anjungan",
        &[
            "receipt",
            "--service",
            "no-such",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(!run.status.success());
    assert!(
        stderr(&run).contains("anjungan catalog search"),
        "{}",
        stderr(&run)
    );
    let run = device.run(
        "anjungan",
        &[
            "receipt",
            "--voucher",
            "AAAA-BBBB",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(!run.status.success());
    assert!(
        stderr(&run).contains("anjungan voucher issue"),
        "{}",
        stderr(&run)
    );
}

/// A service without a `queue_prefix` takes no queue numbers: the kiosk
/// offers none, and the command line refuses rather than numbering the
/// ticket in another queue (it used to fall back to `A`).
#[test]
fn a_service_without_a_queue_takes_no_ticket() {
    let device = Device::new();
    let mut bundle = anjungan::catalog::demo::bundle();
    let service = bundle
        .services
        .iter_mut()
        .find(|s| s.id == "akta-kelahiran")
        .unwrap();
    service.queue_prefix = None;
    let file = device.path("no-queue.json");
    std::fs::write(&file, anjungan::catalog::to_json(&bundle)).unwrap();
    let (imported, message) = device.import(&file);
    assert!(imported, "{message}");

    let out = device.path("x.bin");
    let run = device.run(
        "anjungan",
        &[
            "receipt",
            "--ticket",
            "akta-kelahiran",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(!run.status.success());
    assert!(
        stderr(&run).contains("takes no queue numbers")
            && stderr(&run).contains("anjungan receipt --service akta-kelahiran"),
        "{}",
        stderr(&run)
    );
    assert!(!out.exists(), "nothing written");
}
