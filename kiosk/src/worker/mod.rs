//! The kiosk's back room: one thread for everything that may wait on a disk
//! or a device, so a touch never waits on the printer. This module is the
//! thread's plumbing (requests in, [`Report`]s out, the UI thread woken,
//! the printer asked how it is); what a request makes is in `rules`.
//!
//! While the printer has a fault the thread asks it every few seconds how
//! it is, so the status light clears by itself once someone refills the
//! paper. Staff calls, finished surveys and complaint look-ups are done
//! here too, off the UI thread.

mod rules;

pub use rules::{Document, VOUCHERS_PER_HOUR};

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::Duration;

use anjungan::Lang;
use anjungan::alert;
use anjungan::catalog::Catalog;
use anjungan::config::Printer;
use anjungan::print::Paper;
use anjungan::print::spool;
use anjungan::print::transport::{self, Fault};
use anjungan::store::Store;
use anjungan::voice::Channel;
use anjungan::voice::complaint;
use anjungan::voice::survey::{self, Response};
use chrono::{DateTime, FixedOffset};

use crate::complaint::Lookup;
use crate::paper::Slip;

/// How often a printer with a fault is asked whether it is back.
pub const RECHECK: Duration = Duration::from_secs(10);
/// How often a printer that works is asked how it is, so the status light
/// shows paper running out before the next citizen finds it.
pub const CHECK: Duration = Duration::from_secs(60);

/// What the worker needs to know, from the configuration.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The shared database (`data_dir/anjungan.db`).
    pub store: PathBuf,
    /// `[kiosk] printer`.
    pub printer: Printer,
    /// `[kiosk] paper_mm`.
    pub paper: Paper,
    /// `[device] id`, printed in each footer.
    pub device_id: String,
}

enum Request {
    Print {
        visit: u64,
        lang: Lang,
        catalog: Arc<Catalog>,
        document: Document,
    },
    Again {
        visit: u64,
        slip: Slip,
        jobs: Vec<i64>,
    },
    CallStaff {
        detail: String,
    },
    Abandon {
        jobs: Vec<i64>,
    },
    Survey {
        response: Response,
    },
    LookUp {
        visit: u64,
        typed: String,
    },
}

/// What happened to a request; `visit` tells which citizen asked, so a
/// report that arrives after the idle reset is not shown to the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// Printed; or, with no printer configured, a number taken to be shown
    /// on screen only (`on_paper` false).
    Done {
        visit: u64,
        slip: Slip,
        on_paper: bool,
    },
    /// The printer has a fault. The documents are kept (`jobs`) and can be
    /// sent again; a ticket's number or a voucher's code is taken and stays
    /// the citizen's.
    Failed {
        visit: u64,
        slip: Slip,
        fault: Fault,
        jobs: Vec<i64>,
    },
    /// More voucher slips than [`VOUCHERS_PER_HOUR`]: none was made.
    Limited { visit: u64 },
    /// The database refused. `slip` is what was taken before it did (a
    /// number committed with its ticket stays the citizen's), if anything.
    Broken {
        visit: u64,
        slip: Option<Slip>,
        message: String,
    },
    /// Asked on its own (at start, or again after a fault): the printer
    /// can print, or has this fault.
    Printer(Result<(), Fault>),
    /// Where the complaint with the reference typed is.
    LookedUp { visit: u64, lookup: Lookup },
}

/// The handle the kiosk keeps: requests go in, reports come out.
pub struct Worker {
    requests: Sender<Request>,
    reports: Receiver<Report>,
}

impl Worker {
    /// Starts the thread. `wake` is called after each report is queued, to
    /// get the UI thread to read it (`slint::invoke_from_event_loop`).
    pub fn start(setup: Setup, wake: impl Fn() + Send + 'static) -> Worker {
        let (requests, inbox) = channel();
        let (outbox, reports) = channel();
        std::thread::Builder::new()
            .name("kiosk-worker".into())
            .spawn(move || {
                let send = |r: Report| {
                    if outbox.send(r).is_ok() {
                        wake();
                    }
                };
                serve(&setup, &inbox, send);
            })
            .expect("a thread can be started");
        Worker { requests, reports }
    }

    /// Asks for a document; false when the thread is gone (then no report
    /// will come).
    pub fn print(&self, visit: u64, lang: Lang, catalog: Arc<Catalog>, document: Document) -> bool {
        self.send(Request::Print {
            visit,
            lang,
            catalog,
            document,
        })
    }

    /// Sends kept documents again (after "Print again"); false when the
    /// thread is gone.
    pub fn again(&self, visit: u64, slip: Slip, jobs: Vec<i64>) -> bool {
        self.send(Request::Again { visit, slip, jobs })
    }

    pub fn call_staff(&self, detail: &str) -> bool {
        self.send(Request::CallStaff {
            detail: detail.to_string(),
        })
    }

    /// Gives up kept documents whose citizen has gone.
    pub fn abandon(&self, jobs: Vec<i64>) {
        if !jobs.is_empty() {
            self.send(Request::Abandon { jobs });
        }
    }

    /// Records a finished survey (channel kiosk); no report comes back:
    /// the citizen has been thanked already.
    pub fn record_survey(&self, response: Response) -> bool {
        self.send(Request::Survey { response })
    }

    /// Asks where the complaint with the reference `typed` is; a
    /// [`Report::LookedUp`] answers.
    pub fn look_up(&self, visit: u64, typed: &str) -> bool {
        self.send(Request::LookUp {
            visit,
            typed: typed.to_string(),
        })
    }

    /// The reports that arrived, oldest first; never waits.
    pub fn reports(&self) -> Vec<Report> {
        self.reports.try_iter().collect()
    }

    /// Waits up to `timeout` for the next report (tests, and nothing else:
    /// the UI thread is woken instead).
    pub fn wait(&self, timeout: Duration) -> Option<Report> {
        self.reports.recv_timeout(timeout).ok()
    }

    fn send(&self, request: Request) -> bool {
        // The thread only ends when this handle is dropped; a send can only
        // fail if it panicked.
        let sent = self.requests.send(request).is_ok();
        if !sent {
            eprintln!("anjungan-kiosk: the print worker has stopped");
        }
        sent
    }
}

fn now() -> DateTime<FixedOffset> {
    chrono::Local::now().fixed_offset()
}

/// Keeps what the printer said for the dashboard and `/metrics`.
fn note_state(store: Option<&Store>, status: &Result<(), Fault>) {
    if let Some(store) = store
        && let Err(e) = spool::record_state(store, status.as_ref().map(|_| ()), now())
    {
        eprintln!("anjungan-kiosk: cannot note the printer's state: {e}");
    }
}

fn serve(setup: &Setup, inbox: &Receiver<Request>, send: impl Fn(Report)) {
    let mut store = match Store::open(&setup.store) {
        Ok(s) => Some(s),
        Err(e) => {
            eprintln!("anjungan-kiosk: printing and queue numbers are off: {e}");
            None
        }
    };
    // Known at start, so the status light tells the truth before anyone prints.
    let mut fault = match &setup.printer {
        Printer::None => None,
        printer => {
            let status = transport::status(printer);
            note_state(store.as_ref(), &status);
            send(Report::Printer(status.clone()));
            status.err()
        }
    };
    loop {
        let request = match inbox.recv_timeout(if fault.is_some() { RECHECK } else { CHECK }) {
            Ok(r) => r,
            Err(RecvTimeoutError::Timeout) => {
                if setup.printer != Printer::None {
                    let status = transport::status(&setup.printer);
                    if status.as_ref().err() != fault.as_ref() {
                        if let (Err(f), Some(store)) = (&status, store.as_ref())
                            && let Err(e) = spool::record_fault(store, f, now())
                        {
                            eprintln!("anjungan-kiosk: cannot log the printer fault: {e}");
                        }
                        note_state(store.as_ref(), &status);
                        send(Report::Printer(status.clone()));
                    }
                    fault = status.err();
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let Some(store) = store.as_mut() else {
            let (visit, slip) = match request {
                Request::Print { visit, .. } => (visit, None),
                Request::Again { visit, slip, .. } => (visit, Some(slip)),
                Request::CallStaff { detail } => {
                    eprintln!(
                        "anjungan-kiosk: a citizen called for staff ({detail}); not recorded: no database"
                    );
                    continue;
                }
                Request::Abandon { .. } => continue,
                Request::Survey { .. } => {
                    eprintln!("anjungan-kiosk: a survey is lost: no database");
                    continue;
                }
                Request::LookUp { visit, .. } => {
                    send(Report::LookedUp {
                        visit,
                        lookup: Lookup::Broken,
                    });
                    continue;
                }
            };
            send(Report::Broken {
                visit,
                slip,
                message: "the kiosk's database cannot be opened".into(),
            });
            continue;
        };
        let report = match request {
            Request::Print {
                visit,
                lang,
                catalog,
                document,
            } => rules::print(store, setup, visit, lang, &catalog, &document),
            Request::Again { visit, slip, jobs } => rules::deliver(store, setup, visit, slip, jobs),
            Request::CallStaff { detail } => {
                eprintln!("anjungan-kiosk: a citizen called for staff ({detail})");
                if let Err(e) = alert::raise(store, alert::Kind::CallStaff, &detail, now()) {
                    eprintln!("anjungan-kiosk: cannot record the staff call: {e}");
                }
                continue;
            }
            Request::Abandon { jobs } => {
                if let Err(e) = spool::abandon(store, &jobs, now()) {
                    eprintln!("anjungan-kiosk: cannot give up jobs {jobs:?}: {e}");
                }
                continue;
            }
            Request::Survey { response } => {
                if let Err(e) = survey::record(store, &response, Channel::Kiosk, now()) {
                    eprintln!("anjungan-kiosk: cannot record a survey: {e}");
                }
                continue;
            }
            Request::LookUp { visit, typed } => {
                let lookup = match complaint::look_up(store, &typed) {
                    Ok(found) => Lookup::from_progress(found),
                    Err(e) => {
                        eprintln!("anjungan-kiosk: cannot look up a complaint: {e}");
                        Lookup::Broken
                    }
                };
                Report::LookedUp { visit, lookup }
            }
        };
        match &report {
            Report::Done { on_paper: true, .. } => fault = None,
            Report::Failed { fault: f, .. } => fault = Some(f.clone()),
            _ => {}
        }
        send(report);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anjungan::catalog::demo;
    use anjungan::wifi::voucher;

    fn setup(dir: &tempfile::TempDir, printer: Printer) -> Setup {
        Setup {
            store: dir.path().join("k.db"),
            printer,
            paper: Paper::Mm58,
            device_id: "test-kiosk".into(),
        }
    }

    fn catalog() -> Arc<Catalog> {
        Arc::new(Catalog::new(demo::bundle(), None))
    }

    const WAIT: Duration = Duration::from_secs(20);

    #[test]
    fn a_receipt_reaches_a_file_printer() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("printer.bin");
        let w = Worker::start(setup(&dir, Printer::File(out.clone())), || {});
        assert_eq!(w.wait(WAIT), Some(Report::Printer(Ok(()))));
        let service = "akta-kelahiran".to_string();
        w.print(7, Lang::En, catalog(), Document::Receipt { service });
        assert_eq!(
            w.wait(WAIT),
            Some(Report::Done {
                visit: 7,
                slip: Slip::Receipt,
                on_paper: true
            })
        );
        let printed = anjungan::print::interpret(&std::fs::read(&out).unwrap()).unwrap();
        assert!(
            printed.text(Paper::Mm58).contains("Birth certificate"),
            "{}",
            printed.text(Paper::Mm58)
        );
    }

    #[test]
    fn without_a_printer_a_number_is_taken_and_no_receipt_kept() {
        let dir = tempfile::tempdir().unwrap();
        let w = Worker::start(setup(&dir, Printer::None), || {});
        for expected in ["AC001", "AC002"] {
            w.print(
                1,
                Lang::Id,
                catalog(),
                Document::Ticket {
                    service: "akta-kelahiran".into(),
                },
            );
            match w.wait(WAIT) {
                Some(Report::Done {
                    slip: Slip::Ticket(n),
                    on_paper: false,
                    ..
                }) => assert_eq!(n.number, expected),
                other => panic!("{other:?}"),
            }
        }
        w.print(
            1,
            Lang::Id,
            catalog(),
            Document::Receipt {
                service: "akta-kelahiran".into(),
            },
        );
        assert!(matches!(
            w.wait(WAIT),
            Some(Report::Failed {
                fault: Fault::NotConfigured,
                ..
            })
        ));
        let store = Store::open(&dir.path().join("k.db")).unwrap();
        assert!(spool::pending(&store).unwrap().is_empty());
    }

    #[test]
    fn a_fault_keeps_the_ticket_and_its_number_for_print_again() {
        let dir = tempfile::tempdir().unwrap();
        // A file in a directory that does not exist yet: unreachable.
        let out = dir.path().join("later").join("printer.bin");
        let w = Worker::start(setup(&dir, Printer::File(out.clone())), || {});
        assert!(matches!(w.wait(WAIT), Some(Report::Printer(Err(_)))));
        w.print(
            3,
            Lang::Id,
            catalog(),
            Document::Ticket {
                service: "akta-kelahiran".into(),
            },
        );
        let Some(Report::Failed {
            slip: Slip::Ticket(number),
            jobs,
            ..
        }) = w.wait(WAIT)
        else {
            panic!("the ticket should wait for the printer")
        };
        assert_eq!(number.number, "AC001");
        assert_eq!(jobs.len(), 1);

        std::fs::create_dir(out.parent().unwrap()).unwrap();
        w.again(3, Slip::Ticket(number.clone()), jobs);
        assert_eq!(
            w.wait(WAIT),
            Some(Report::Done {
                visit: 3,
                slip: Slip::Ticket(number),
                on_paper: true
            })
        );
        let printed = anjungan::print::interpret(&std::fs::read(&out).unwrap()).unwrap();
        assert!(printed.text(Paper::Mm58).contains("AC001"));
    }

    #[test]
    fn voucher_slips_carry_a_real_code_and_stop_at_the_hourly_limit() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("printer.bin");
        let w = Worker::start(setup(&dir, Printer::File(out.clone())), || {});
        assert_eq!(w.wait(WAIT), Some(Report::Printer(Ok(()))));
        let ask = || {
            w.print(
                9,
                Lang::Id,
                catalog(),
                Document::Voucher {
                    minutes: 120,
                    network: "Banyumas Free".into(),
                },
            );
            w.wait(WAIT)
        };
        let Some(Report::Done {
            slip: Slip::Voucher(code),
            on_paper: true,
            ..
        }) = ask()
        else {
            panic!("a voucher slip should print")
        };
        let store = Store::open(&dir.path().join("k.db")).unwrap();
        let v = voucher::find(&store, &code)
            .unwrap()
            .expect("the code is real");
        assert_eq!(v.minutes, 120);
        let printed = anjungan::print::interpret(&std::fs::read(&out).unwrap()).unwrap();
        assert!(printed.text(Paper::Mm58).contains(&code));
        assert!(
            printed
                .qr_codes()
                .contains(&"WIFI:T:nopass;S:Banyumas Free;;")
        );

        for _ in 1..VOUCHERS_PER_HOUR {
            assert!(matches!(ask(), Some(Report::Done { .. })));
        }
        assert_eq!(ask(), Some(Report::Limited { visit: 9 }));
    }
}
