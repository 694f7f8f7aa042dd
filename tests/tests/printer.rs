//! Printing to a network printer (TCP port 9100) that answers real-time
//! status requests, and what happens when it is out of paper, drops the
//! connection mid-job or never answers: the job is kept and offered again,
//! the fault is logged, and nothing waits longer than the timeout.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use anjungan::config::Printer;
use anjungan::print::documents;
use anjungan::print::send;
use anjungan::print::spool::{self, Kind};
use anjungan::print::transport::Fault;
use anjungan::print::{Document, Paper, Style, interpret, to_escpos};
use anjungan::store::Store;
use tests::printer::{Mode, TestPrinter};
use tests::{Device, stderr, stdout};

fn document() -> Vec<u8> {
    let mut d = Document::new(Paper::Mm58);
    d.text("Akta kelahiran", Style::default())
        .qr("https://lapor.go.id", 4)
        .cut();
    to_escpos(&d)
}

/// 09:00 on 30 November 2026 in the test machine's zone: the command
/// line's `--at` below is read in that zone too, so both count the same
/// day's numbers.
fn now() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap()
        .and_local_timezone(chrono::Local)
        .unwrap()
        .fixed_offset()
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("anjungan.db")).unwrap();
    (dir, store)
}

#[test]
fn a_ready_printer_prints_exactly_the_document() {
    let printer = TestPrinter::start(Mode::Ready);
    let (_dir, mut store) = store();
    let bytes = document();
    let job = spool::submit(&mut store, Kind::Receipt, "akta-kelahiran", &bytes, now()).unwrap();
    assert_eq!(
        send::deliver(&mut store, &printer.printer(), job, now()).unwrap(),
        Ok(())
    );
    assert!(spool::pending(&store).unwrap().is_empty());
    // Let the printer's thread take the last bytes.
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        interpret(&printer.received()).unwrap(),
        interpret(&bytes).unwrap()
    );
}

#[test]
fn out_of_paper_keeps_the_job_until_the_paper_is_back() {
    let printer = TestPrinter::start(Mode::PaperOut);
    let (_dir, mut store) = store();
    let job = spool::submit(
        &mut store,
        Kind::Ticket,
        "A001 akta-kelahiran",
        &document(),
        now(),
    )
    .unwrap();
    let outcome = send::deliver(&mut store, &printer.printer(), job, now()).unwrap();
    assert_eq!(outcome, Err(Fault::PaperOut));
    assert!(
        printer.received().is_empty(),
        "nothing is sent to a printer without paper"
    );
    let pending = spool::pending(&store).unwrap();
    assert_eq!(
        (pending.len(), pending[0].last_fault.as_deref()),
        (1, Some("paper-out"))
    );
    assert_eq!(spool::faults(&store, 1).unwrap()[0].1, "paper-out");

    printer.set(Mode::Ready);
    assert_eq!(
        send::deliver(&mut store, &printer.printer(), job, now()).unwrap(),
        Ok(())
    );
    assert!(spool::pending(&store).unwrap().is_empty());
}

#[test]
fn a_connection_dropped_mid_job_keeps_the_job() {
    let printer = TestPrinter::start(Mode::DropMidJob);
    let (_dir, mut store) = store();
    let big: Vec<u8> = document().repeat(2000);
    let job = spool::submit(&mut store, Kind::Receipt, "big", &big, now()).unwrap();
    let outcome = send::deliver(&mut store, &printer.printer(), job, now()).unwrap();
    assert!(
        matches!(outcome, Err(Fault::Unreachable(_)) | Err(Fault::NoAnswer)),
        "{outcome:?}"
    );
    assert_eq!(spool::pending(&store).unwrap().len(), 1);
}

#[test]
fn a_printer_that_never_answers_does_not_hang_the_kiosk() {
    let printer = TestPrinter::start(Mode::Silent);
    let (_dir, mut store) = store();
    let job = spool::submit(&mut store, Kind::Receipt, "x", &document(), now()).unwrap();
    let started = Instant::now();
    let outcome = send::deliver(&mut store, &printer.printer(), job, now()).unwrap();
    assert_eq!(outcome, Err(Fault::NoAnswer));
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(spool::pending(&store).unwrap().len(), 1);
}

#[test]
fn a_printer_that_is_not_there_is_reported() {
    // A port nothing listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (_dir, mut store) = store();
    let job = spool::submit(&mut store, Kind::Receipt, "x", &document(), now()).unwrap();
    let printer = Printer::Tcp {
        host: "127.0.0.1".into(),
        port,
    };
    assert!(matches!(
        send::deliver(&mut store, &printer, job, now()).unwrap(),
        Err(Fault::Unreachable(_))
    ));
}

/// Set in the child process of the crash test: the database to take a
/// number in before dying.
const CRASH_AFTER_TAKE: &str = "ANJUNGAN_TEST_CRASH_AFTER_TAKE";

/// The power goes (here: the process aborts) after a queue number is taken
/// and before its ticket reaches the printer. The number and its ticket are
/// both kept; `anjungan printer retry` prints that very ticket, and the
/// next citizen gets the next number.
#[test]
fn a_crash_between_taking_a_number_and_printing_it_loses_nothing() {
    if let Ok(db) = std::env::var(CRASH_AFTER_TAKE) {
        let catalog = anjungan::catalog::Catalog::new(anjungan::catalog::demo::bundle(), None);
        let service = catalog.service("akta-kelahiran").unwrap();
        let mut store = Store::open(std::path::Path::new(&db)).unwrap();
        let prefix = service.queue_prefix.as_deref().unwrap();
        spool::submit_ticket(&mut store, prefix, &service.id, now(), |t| {
            let face = documents::TicketFace {
                number: &t.number(),
                waiting_ahead: t.waiting_ahead,
            };
            let by = documents::Printer {
                device_id: "test-device",
                now: now().naive_local(),
            };
            to_escpos(&documents::ticket(
                &catalog,
                service,
                &face,
                "id",
                Paper::Mm58,
                &by,
            ))
        })
        .unwrap();
        std::process::abort();
    }

    let printer = TestPrinter::start(Mode::Ready);
    let device = Device::with_config(&format!(
        "[kiosk]\nprinter = \"{}\"\n",
        printer.config_value()
    ));
    let data = device.path("data");
    std::fs::create_dir_all(&data).unwrap();
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_crash_between_taking_a_number_and_printing_it_loses_nothing",
            "--test-threads=1",
        ])
        .env(CRASH_AFTER_TAKE, data.join("anjungan.db"))
        .output()
        .unwrap();
    assert!(!child.status.success(), "the child was to die mid-way");
    assert!(printer.received().is_empty(), "nothing reached the printer");

    let faults = device.run("anjungan", &["printer", "faults"]);
    assert!(
        stdout(&faults).contains("waiting  ticket AC001 akta-kelahiran"),
        "{}",
        stdout(&faults)
    );
    let retry = device.run("anjungan", &["printer", "retry"]);
    assert!(retry.status.success(), "{}", stderr(&retry));
    assert!(
        stdout(&retry).contains("Printed ticket AC001"),
        "{}",
        stdout(&retry)
    );
    std::thread::sleep(Duration::from_millis(100));
    let printed = interpret(&printer.received()).unwrap().text(Paper::Mm58);
    assert!(printed.contains("AC001"), "{printed}");

    let out = device.path("next.bin");
    let next = device.run(
        "anjungan",
        &[
            "receipt",
            "--ticket",
            "akta-kelahiran",
            "--at",
            "2026-11-30T09:05",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(next.status.success(), "{}", stderr(&next));
    let next = interpret(&std::fs::read(&out).unwrap())
        .unwrap()
        .text(Paper::Mm58);
    assert!(next.contains("AC002"), "the next number follows: {next}");
}
