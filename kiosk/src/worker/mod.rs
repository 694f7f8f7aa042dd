//! The kiosk's back room: one thread for everything that may wait on a disk
//! or a device, so a touch never waits on the printer.
//!
//! Each document is kept in the print spool (SQLite) before it is sent, so
//! a fault or a power cut loses nothing; it is sent with the transport's
//! timeouts, and the outcome comes back as a [`Report`]. While the printer
//! has a fault the thread asks it every few seconds how it is, so the
//! status light clears by itself once someone refills the paper. Staff
//! calls are recorded here too, for the technician.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::Duration;

use anjungan::Lang;
use anjungan::alert;
use anjungan::catalog::Catalog;
use anjungan::config::Printer;
use anjungan::print::documents::{self, TicketFace};
use anjungan::print::spool::{self, Kind};
use anjungan::print::transport::{self, Fault};
use anjungan::print::{Paper, to_escpos};
use anjungan::queue;
use anjungan::store::Store;
use anjungan::wifi::voucher;
use chrono::NaiveDateTime;

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

/// Most Wi-Fi voucher slips the kiosk prints in an hour: plenty for a busy
/// office, too few for one person to empty the paper roll for fun.
pub const VOUCHERS_PER_HOUR: u32 = 30;

/// A document a citizen asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Document {
    /// The service's receipt: what to bring, the steps, the office.
    Receipt { service: String },
    /// The next queue number of the service's prefix, and its ticket.
    Ticket { service: String, prefix: String },
    /// A new Wi-Fi voucher of `minutes` for the network `network`, and its slip.
    Voucher { minutes: u32, network: String },
}

/// A taken queue number as the screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number {
    /// `A004`.
    pub number: String,
    pub waiting_ahead: u32,
}

/// A document as it came out (or is kept), with what on it belongs to the
/// citizen: the screen shows a number or a code even when the paper failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slip {
    Receipt,
    Ticket(Number),
    /// The voucher's code, `ABCD-EFGH`.
    Voucher(String),
}

impl Slip {
    pub fn kind(&self) -> Kind {
        match self {
            Slip::Receipt => Kind::Receipt,
            Slip::Ticket(_) => Kind::Ticket,
            Slip::Voucher(_) => Kind::Voucher,
        }
    }
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

fn now() -> NaiveDateTime {
    chrono::Local::now().naive_local()
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
                        send(Report::Printer(status.clone()));
                    }
                    fault = status.err();
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let Some(store) = store.as_mut() else {
            match request {
                Request::Print { visit, .. } => send(Report::Broken {
                    visit,
                    slip: None,
                    message: "the kiosk's database cannot be opened".into(),
                }),
                Request::Again { visit, slip, .. } => send(Report::Broken {
                    visit,
                    slip: Some(slip),
                    message: "the kiosk's database cannot be opened".into(),
                }),
                Request::CallStaff { detail } => {
                    eprintln!(
                        "anjungan-kiosk: a citizen called for staff ({detail}); not recorded: no database"
                    )
                }
                Request::Abandon { .. } => {}
            }
            continue;
        };
        let report = match request {
            Request::Print {
                visit,
                lang,
                catalog,
                document,
            } => print(store, setup, visit, lang, &catalog, &document),
            Request::Again { visit, slip, jobs } => deliver(store, setup, visit, slip, jobs),
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
        };
        match &report {
            Report::Done { on_paper: true, .. } => fault = None,
            Report::Failed { fault: f, .. } => fault = Some(f.clone()),
            _ => {}
        }
        send(report);
    }
}

fn print(
    store: &mut Store,
    setup: &Setup,
    visit: u64,
    lang: Lang,
    catalog: &Catalog,
    document: &Document,
) -> Report {
    let now = now();
    let by = documents::Printer {
        device_id: &setup.device_id,
        now,
    };
    let broken = |e: anjungan::Error| Report::Broken {
        visit,
        slip: None,
        message: e.to_string(),
    };
    let (service_id, prefix) = match document {
        Document::Voucher { minutes, network } => {
            return match voucher(store, setup, visit, lang, catalog, *minutes, network, &by) {
                Ok(report) => report,
                Err(e) => broken(e),
            };
        }
        Document::Receipt { service } => (service, None),
        Document::Ticket { service, prefix } => (service, Some(prefix)),
    };
    let Some(service) = catalog.service(service_id) else {
        return Report::Broken {
            visit,
            slip: None,
            message: format!("there is no service \"{service_id}\" in the catalog"),
        };
    };
    match prefix {
        None => {
            if setup.printer == Printer::None {
                return Report::Failed {
                    visit,
                    slip: Slip::Receipt,
                    fault: Fault::NotConfigured,
                    jobs: Vec::new(),
                };
            }
            let bytes = to_escpos(&documents::receipt(
                catalog,
                service,
                lang.code(),
                setup.paper,
                &by,
            ));
            match spool::submit(store, Kind::Receipt, &service.id, &bytes, now) {
                Ok(job) => deliver(store, setup, visit, Slip::Receipt, vec![job]),
                Err(e) => broken(e),
            }
        }
        Some(prefix) if setup.printer == Printer::None => {
            match queue::take(store, prefix, &service.id, now) {
                Ok(t) => Report::Done {
                    visit,
                    slip: Slip::Ticket(Number {
                        number: t.number(),
                        waiting_ahead: t.waiting_ahead,
                    }),
                    on_paper: false,
                },
                Err(e) => broken(e),
            }
        }
        Some(prefix) => {
            let taken = spool::submit_ticket(store, prefix, &service.id, now, |t| {
                let face = TicketFace {
                    number: &t.number(),
                    waiting_ahead: t.waiting_ahead,
                };
                to_escpos(&documents::ticket(
                    catalog,
                    service,
                    &face,
                    lang.code(),
                    setup.paper,
                    &by,
                ))
            });
            match taken {
                Ok((t, job)) => {
                    let slip = Slip::Ticket(Number {
                        number: t.number(),
                        waiting_ahead: t.waiting_ahead,
                    });
                    deliver(store, setup, visit, slip, vec![job])
                }
                Err(e) => broken(e),
            }
        }
    }
}

/// A new voucher and its slip, within the hourly limit. The voucher is
/// issued before its slip is kept: a crash between the two leaves a code
/// nobody holds, which is harmless.
#[allow(clippy::too_many_arguments)]
fn voucher(
    store: &mut Store,
    setup: &Setup,
    visit: u64,
    lang: Lang,
    catalog: &Catalog,
    minutes: u32,
    network: &str,
    by: &documents::Printer,
) -> anjungan::Result<Report> {
    if setup.printer == Printer::None {
        return Ok(Report::Failed {
            visit,
            slip: Slip::Receipt,
            fault: Fault::NotConfigured,
            jobs: Vec::new(),
        });
    }
    let hour_ago = by.now - chrono::Duration::hours(1);
    if spool::kept_since(store, Kind::Voucher, hour_ago)? >= VOUCHERS_PER_HOUR {
        return Ok(Report::Limited { visit });
    }
    let minutes = minutes.clamp(1, voucher::MAX_MINUTES);
    let issued = voucher::issue(store, 1, minutes, chrono::Utc::now().timestamp())?;
    let code = issued[0].code.clone();
    let bytes = to_escpos(&documents::voucher(
        catalog,
        &code,
        minutes,
        network,
        lang.code(),
        setup.paper,
        by,
    ));
    let job = spool::submit(store, Kind::Voucher, &code, &bytes, by.now)?;
    Ok(deliver(store, setup, visit, Slip::Voucher(code), vec![job]))
}

/// Sends kept jobs in order; the first fault stops the rest (they would
/// meet it too) and keeps them all.
fn deliver(store: &mut Store, setup: &Setup, visit: u64, slip: Slip, jobs: Vec<i64>) -> Report {
    for (i, &job) in jobs.iter().enumerate() {
        match spool::deliver(store, &setup.printer, job, now()) {
            Ok(Ok(())) => {}
            Ok(Err(fault)) => {
                return Report::Failed {
                    visit,
                    slip,
                    fault,
                    jobs: jobs[i..].to_vec(),
                };
            }
            Err(e) => {
                return Report::Broken {
                    visit,
                    slip: Some(slip),
                    message: e.to_string(),
                };
            }
        }
    }
    Report::Done {
        visit,
        slip,
        on_paper: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anjungan::catalog::demo;

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
        for expected in ["B001", "B002"] {
            w.print(
                1,
                Lang::Id,
                catalog(),
                Document::Ticket {
                    service: "akta-kelahiran".into(),
                    prefix: "B".into(),
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
                prefix: "A".into(),
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
        assert_eq!(number.number, "A001");
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
        assert!(printed.text(Paper::Mm58).contains("A001"));
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
