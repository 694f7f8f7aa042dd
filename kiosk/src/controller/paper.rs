//! The citizen's paper: the requests a tap makes of the print thread
//! (one at a time), and the thread's reports applied to the session and
//! the status light. What each request makes is decided on the thread
//! (`worker`'s rules); here only which request, and what the card shows.

use anjungan::print::spool::Kind;

use super::Kiosk;
use crate::gpio::Light;
use crate::paper::{Printing, Slip};
use crate::session::Screen;
use crate::worker::{Document, Report, Worker};

impl Kiosk {
    /// The service on screen, if any.
    pub(super) fn service_on_screen(&self) -> Option<String> {
        match &self.inner.state.borrow().session.screen {
            Screen::Service(id) => Some(id.clone()),
            _ => None,
        }
    }

    /// "Print": the receipt of the service on screen.
    pub fn print_receipt(&self) {
        if let Some(service) = self.service_on_screen() {
            self.ask(Kind::Receipt, Document::Receipt { service });
        }
    }

    /// "Take a number": the next queue number of the service on screen
    /// (offered only for a service with a queue; the print thread's rules
    /// decide that too).
    pub fn take_number(&self) {
        if let Some(service) = self.service_on_screen() {
            self.ask(Kind::Ticket, Document::Ticket { service });
        }
    }

    /// "Wi-Fi voucher" on the home screen: one per person.
    pub fn print_voucher(&self) {
        let offered = {
            let state = self.inner.state.borrow();
            self.inner.settings.voucher_offered(&state.session)
        };
        let Some(minutes) = offered else {
            return;
        };
        let network = self.inner.settings.wifi_name.clone();
        self.ask(Kind::Voucher, Document::Voucher { minutes, network });
    }

    pub(super) fn ask(&self, kind: Kind, document: Document) {
        let (visit, lang, catalog, before) = {
            let state = self.inner.state.borrow();
            if state.session.printing.is_busy() {
                return; // one paper at a time; the card says it is coming
            }
            let s = &state.session;
            (
                state.visit,
                s.lang,
                state.catalog.clone(),
                s.printing.clone(),
            )
        };
        // Paper kept from a fault before is given up, as on closing its card.
        self.abandon(before);
        self.hand_over(kind, None, |w| w.print(visit, lang, catalog, document));
    }

    /// Hands a request to the worker: the card says the paper is on its
    /// way, or, with no worker to take it, that the kiosk has a problem
    /// (still showing `kept`, what the citizen already has).
    fn hand_over(&self, kind: Kind, kept: Option<Slip>, send: impl FnOnce(&Worker) -> bool) {
        let sent = self
            .inner
            .devices
            .borrow()
            .as_ref()
            .is_some_and(|d| send(&d.worker));
        self.update(|s| {
            s.printing = if sent {
                Printing::Busy { kind }
            } else {
                Printing::Broken { slip: kept }
            }
        });
    }

    /// "Print again" after a fault: the kept documents, same numbers.
    pub fn print_again(&self) {
        let (visit, printing) = {
            let state = self.inner.state.borrow();
            (state.visit, state.session.printing.clone())
        };
        let Printing::Failed { slip, jobs, .. } = printing else {
            return;
        };
        if jobs.is_empty() {
            return;
        }
        let kept = slip.clone();
        self.hand_over(slip.kind(), Some(kept), |w| w.again(visit, slip, jobs));
    }

    /// Closes the print card (not while the paper is on its way). Paper
    /// kept after a fault is given up: its citizen has seen their number
    /// and moved on, and nobody should find it printed later.
    pub fn close_print(&self) {
        let printing = self.inner.state.borrow().session.printing.clone();
        if printing.is_busy() {
            return;
        }
        self.abandon(printing);
        self.update(|s| s.printing = Printing::Idle);
    }

    pub(super) fn abandon(&self, printing: Printing) {
        if let (Printing::Failed { jobs, .. }, Some(d)) =
            (printing, self.inner.devices.borrow().as_ref())
        {
            d.worker.abandon(jobs);
        }
    }

    pub(super) fn apply(&self, report: Report) {
        let light = match &report {
            Report::Done { on_paper: true, .. } | Report::Printer(Ok(())) => Some(Light::Ready),
            Report::Failed { .. } | Report::Printer(Err(_)) => Some(Light::PrinterProblem),
            _ => None,
        };
        if let (Some(light), Some(d)) = (light, self.inner.devices.borrow().as_ref()) {
            d.panel.set_light(light);
        }
        let current = self.inner.state.borrow().visit;
        let printing = match report {
            Report::Done {
                visit,
                slip,
                on_paper,
            } if visit == current => Printing::Done { slip, on_paper },
            Report::Failed {
                visit,
                slip,
                fault,
                jobs,
            } if visit == current => {
                eprintln!("anjungan-kiosk: {fault}; the paper waits to be printed again");
                Printing::Failed { slip, fault, jobs }
            }
            // The citizen who asked has gone: nobody is there to take it.
            Report::Failed { jobs, .. } => {
                if let Some(d) = self.inner.devices.borrow().as_ref() {
                    d.worker.abandon(jobs);
                }
                return;
            }
            Report::Limited { visit } if visit == current => {
                eprintln!("anjungan-kiosk: the hourly limit of Wi-Fi voucher slips is reached");
                Printing::Limited
            }
            Report::Broken {
                visit,
                slip,
                message,
            } => {
                eprintln!("anjungan-kiosk: cannot print: {message}");
                if visit != current {
                    return;
                }
                Printing::Broken { slip }
            }
            Report::Printer(Err(fault)) => {
                eprintln!("anjungan-kiosk: {fault}");
                return;
            }
            Report::LookedUp { visit, lookup } => {
                self.looked_up(visit, lookup);
                return;
            }
            _ => return,
        };
        self.update(|s| {
            s.voucher_taken |= printing.gave_voucher();
            // A complaint is filed once, whatever became of its slip
            // ("Print again" reports the same reference again).
            if let Some(Slip::Complaint(reference)) = printing.slip()
                && s.complaint.reference.as_deref() != Some(reference)
            {
                s.complaint_filed(reference);
            }
            s.printing = printing
        });
    }
}
