//! What a citizen's request makes, on the print thread: which document,
//! whether it may be printed at all (no printer, the hourly limit of
//! voucher slips), the queue number, voucher or complaint it takes, and
//! its sending.
//! The document itself is composed by `anjungan::print::Composer`, as the
//! command line composes it.
//!
//! Each document is kept in the print spool (SQLite) before it is sent, so
//! a fault or a power cut loses nothing; it is sent with the transport's
//! timeouts.

use anjungan::Lang;
use anjungan::catalog::Catalog;
use anjungan::config::Printer;
use anjungan::print::send;
use anjungan::print::spool::{self, Kind};
use anjungan::print::transport::Fault;
use anjungan::print::{Composer, documents, to_escpos};
use anjungan::queue;
use anjungan::store::Store;
use anjungan::voice::complaint::{self, Draft};
use anjungan::wifi::voucher;
use chrono::{DateTime, FixedOffset};

use super::{Report, Setup, now};
use crate::paper::{Number, Slip};

/// Most Wi-Fi voucher slips the kiosk prints in an hour: plenty for a busy
/// office, too few for one person to empty the paper roll for fun.
pub const VOUCHERS_PER_HOUR: u32 = 30;

/// A document a citizen asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Document {
    /// The service's receipt: what to bring, the steps, the office.
    Receipt { service: String },
    /// The next queue number of the service, and its ticket.
    Ticket { service: String },
    /// A new Wi-Fi voucher of `minutes` for the network `network`, and its slip.
    Voucher { minutes: u32, network: String },
    /// A complaint to store, and the slip with its reference.
    Complaint { draft: Draft },
}

pub(super) fn print(
    store: &mut Store,
    setup: &Setup,
    visit: u64,
    lang: Lang,
    catalog: &Catalog,
    document: &Document,
) -> Report {
    let at = now();
    let compose = Composer {
        catalog,
        lang,
        paper: setup.paper,
        by: documents::Printer {
            device_id: &setup.device_id,
            now: at.naive_local(),
        },
    };
    let made = match document {
        Document::Receipt { service } => receipt(store, setup, visit, &compose, service, at),
        Document::Ticket { service } => ticket(store, setup, visit, &compose, service, at),
        Document::Voucher { minutes, network } => {
            voucher(store, setup, visit, &compose, (*minutes, network), at)
        }
        Document::Complaint { draft } => complaint(store, setup, visit, &compose, draft, at),
    };
    made.unwrap_or_else(|e| Report::Broken {
        visit,
        slip: None,
        message: e.to_string(),
    })
}

/// With no printer there is no paper to offer; the card says so.
fn no_printer(visit: u64) -> Report {
    Report::Failed {
        visit,
        slip: Slip::Receipt,
        fault: Fault::NotConfigured,
        jobs: Vec::new(),
    }
}

fn receipt(
    store: &mut Store,
    setup: &Setup,
    visit: u64,
    compose: &Composer,
    service: &str,
    at: DateTime<FixedOffset>,
) -> anjungan::Result<Report> {
    let document = compose.receipt(service)?;
    if setup.printer == Printer::None {
        return Ok(no_printer(visit));
    }
    let job = spool::submit(store, Kind::Receipt, service, &to_escpos(&document), at)?;
    Ok(deliver(store, setup, visit, Slip::Receipt, vec![job]))
}

/// A queue number; with a printer, its ticket, kept in the same
/// transaction as the number. Without one the number is shown on screen.
fn ticket(
    store: &mut Store,
    setup: &Setup,
    visit: u64,
    compose: &Composer,
    service: &str,
    at: DateTime<FixedOffset>,
) -> anjungan::Result<Report> {
    let (service, prefix) = compose.queue(service)?;
    let shown = |t: &queue::Ticket| {
        Slip::Ticket(Number {
            number: t.number(),
            waiting_ahead: t.waiting_ahead,
        })
    };
    if setup.printer == Printer::None {
        let taken = queue::take(store, prefix, &service.id, at)?;
        return Ok(Report::Done {
            visit,
            slip: shown(&taken),
            on_paper: false,
        });
    }
    let (taken, job) = spool::submit_ticket(store, prefix, &service.id, at, |t| {
        to_escpos(&compose.ticket(service, t))
    })?;
    Ok(deliver(store, setup, visit, shown(&taken), vec![job]))
}

/// A new voucher and its slip, within the hourly limit. The voucher is
/// issued before its slip is kept: a crash between the two leaves a code
/// nobody holds, which is harmless.
fn voucher(
    store: &mut Store,
    setup: &Setup,
    visit: u64,
    compose: &Composer,
    (minutes, network): (u32, &str),
    at: DateTime<FixedOffset>,
) -> anjungan::Result<Report> {
    if setup.printer == Printer::None {
        return Ok(no_printer(visit));
    }
    if spool::kept_since(store, Kind::Voucher, at - chrono::Duration::hours(1))?
        >= VOUCHERS_PER_HOUR
    {
        return Ok(Report::Limited { visit });
    }
    let minutes = minutes.clamp(1, voucher::MAX_MINUTES);
    let issued = voucher::issue(store, 1, minutes, at.timestamp())?;
    let code = issued[0].code.clone();
    let bytes = to_escpos(&compose.voucher(&code, minutes, network));
    let job = spool::submit(store, Kind::Voucher, &code, &bytes, at)?;
    Ok(deliver(store, setup, visit, Slip::Voucher(code), vec![job]))
}

/// A complaint stored with its reference; with a printer, the slip. The
/// complaint is committed first: if its slip cannot be kept, the
/// reference is still shown.
fn complaint(
    store: &mut Store,
    setup: &Setup,
    visit: u64,
    compose: &Composer,
    draft: &Draft,
    at: DateTime<FixedOffset>,
) -> anjungan::Result<Report> {
    let filed = complaint::submit(store, draft, at)?;
    let reference = filed.reference.to_string();
    let slip = Slip::Complaint(reference.clone());
    if setup.printer == Printer::None {
        return Ok(Report::Done {
            visit,
            slip,
            on_paper: false,
        });
    }
    let bytes = to_escpos(&compose.complaint(&filed));
    match spool::submit(store, Kind::Complaint, &reference, &bytes, at) {
        Ok(job) => Ok(deliver(store, setup, visit, slip, vec![job])),
        Err(e) => Ok(Report::Broken {
            visit,
            slip: Some(slip),
            message: e.to_string(),
        }),
    }
}

/// Sends kept jobs in order; the first fault stops the rest (they would
/// meet it too) and keeps them all.
pub(super) fn deliver(
    store: &mut Store,
    setup: &Setup,
    visit: u64,
    slip: Slip,
    jobs: Vec<i64>,
) -> Report {
    for (i, &job) in jobs.iter().enumerate() {
        match send::deliver(store, &setup.printer, job, now()) {
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
