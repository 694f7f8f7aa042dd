//! Printing to a network printer (TCP port 9100) that answers real-time
//! status requests, and what happens when it is out of paper, drops the
//! connection mid-job or never answers: the job is kept and offered again,
//! the fault is logged, and nothing waits longer than the timeout.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anjungan::config::Printer;
use anjungan::print::spool::{self, Kind};
use anjungan::print::transport::Fault;
use anjungan::print::{Document, Paper, Style, interpret, to_escpos};
use anjungan::store::Store;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Ready,
    PaperOut,
    DropMidJob,
    Silent,
}

/// A test printer on loopback: answers DLE EOT with status bytes for its
/// mode and records every other byte it receives.
struct TestPrinter {
    port: u16,
    mode: Arc<Mutex<Mode>>,
    received: Arc<Mutex<Vec<u8>>>,
}

impl TestPrinter {
    fn start(mode: Mode) -> TestPrinter {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(Mutex::new(mode));
        let received = Arc::new(Mutex::new(Vec::new()));
        let (m, r) = (mode.clone(), received.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mode = *m.lock().unwrap();
                let r = r.clone();
                std::thread::spawn(move || serve(&mut stream, mode, &r));
            }
        });
        TestPrinter {
            port,
            mode,
            received,
        }
    }

    fn printer(&self) -> Printer {
        Printer::Tcp {
            host: "127.0.0.1".into(),
            port: self.port,
        }
    }

    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    fn received(&self) -> Vec<u8> {
        self.received.lock().unwrap().clone()
    }
}

fn serve(stream: &mut std::net::TcpStream, mode: Mode, received: &Mutex<Vec<u8>>) {
    let mut job_bytes = 0usize;
    let mut buf = [0u8; 1];
    let mut pending = Vec::new();
    while let Ok(1) = stream.read(&mut buf) {
        pending.push(buf[0]);
        if pending.starts_with(&[0x10, 0x04]) {
            if pending.len() < 3 {
                continue;
            }
            let n = pending[2];
            pending.clear();
            let answer = match (mode, n) {
                (Mode::Silent, _) => continue,
                (Mode::PaperOut, 2) => 0x32,
                (Mode::PaperOut, 4) => 0x72,
                (Mode::PaperOut, 1) => 0x1a,
                _ => 0x12,
            };
            if stream.write_all(&[answer]).is_err() {
                return;
            }
            continue;
        }
        if pending.len() == 1 && pending[0] == 0x10 {
            continue;
        }
        received.lock().unwrap().append(&mut pending);
        job_bytes += 1;
        if mode == Mode::DropMidJob && job_bytes > 20 {
            return;
        }
    }
}

fn document() -> Vec<u8> {
    let mut d = Document::new(Paper::Mm58);
    d.text("Akta kelahiran", Style::default())
        .qr("https://lapor.go.id", 4)
        .cut();
    to_escpos(&d)
}

fn now() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap()
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
        spool::deliver(&mut store, &printer.printer(), job, now()).unwrap(),
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
    let outcome = spool::deliver(&mut store, &printer.printer(), job, now()).unwrap();
    assert_eq!(outcome, Err(Fault::PaperOut));
    assert_eq!(
        Fault::PaperOut.for_citizen("id"),
        "Kertas habis, silakan hubungi petugas."
    );
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
        spool::deliver(&mut store, &printer.printer(), job, now()).unwrap(),
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
    let outcome = spool::deliver(&mut store, &printer.printer(), job, now()).unwrap();
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
    let outcome = spool::deliver(&mut store, &printer.printer(), job, now()).unwrap();
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
        spool::deliver(&mut store, &printer, job, now()).unwrap(),
        Err(Fault::Unreachable(_))
    ));
}
