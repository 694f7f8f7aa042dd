//! The survey and complaints: a finished survey goes to the print thread
//! to be recorded, a complaint to be stored (and its slip printed, as
//! other paper), a look-up to be answered. What the screens show is in
//! the session; here only what leaves the UI thread.

use anjungan::print::spool::Kind;
use anjungan::voice::survey::Response;

use super::Kiosk;
use crate::complaint::{Lookup, Step};
use crate::session::{Screen, Session};
use crate::survey::Survey;
use crate::worker::Document;

impl Kiosk {
    /// "Survey" on a service's page: about that service.
    pub fn survey_service(&self) {
        let service = self.service_on_screen();
        self.update(|s| s.start_survey(service));
    }

    /// "Complaint" on a service's page: about that service.
    pub fn complain_about_service(&self) {
        let service = self.service_on_screen();
        self.update(|s| s.start_complaint(service));
    }

    /// The header's "Back" (and the survey's): a step back inside the
    /// survey or the complaint form, else the screen before.
    pub fn step_back(&self) {
        self.update(Session::step_back);
    }

    /// A change to the survey on screen; a finished form is recorded.
    pub fn in_survey(&self, change: impl FnOnce(&mut Survey) -> Option<Response>) {
        let mut form = None;
        self.update(|s| form = s.in_survey(change));
        let Some(response) = form else {
            return;
        };
        let sent = self
            .inner
            .devices
            .borrow()
            .as_ref()
            .is_some_and(|d| d.worker.record_survey(response.clone()));
        if !sent {
            eprintln!("anjungan-kiosk: a survey is lost: the worker is not running");
        }
    }

    /// "Send" on the complaint form: checked on the form; a valid one
    /// goes to be stored, and its reference comes back on the print card.
    pub fn send_complaint(&self) {
        let draft = {
            let mut state = self.inner.state.borrow_mut();
            let s = &mut state.session;
            if s.screen != Screen::Complaint || !s.may_complain() {
                return;
            }
            s.complaint.draft()
        };
        match draft {
            Some(draft) => self.ask(Kind::Complaint, Document::Complaint { draft }),
            // What to fix is on the form now.
            None => self.render(),
        }
    }

    /// "Look up" with the reference typed.
    pub fn look_up_complaint(&self) {
        let (visit, typed) = {
            let state = self.inner.state.borrow();
            let form = &state.session.complaint;
            if form.step != Step::Lookup || form.typed.is_empty() || form.lookup == Lookup::Asking {
                return;
            }
            (state.visit, form.typed.clone())
        };
        let asked = self
            .inner
            .devices
            .borrow()
            .as_ref()
            .is_some_and(|d| d.worker.look_up(visit, &typed));
        self.update(|s| {
            s.complaint.lookup = if asked {
                Lookup::Asking
            } else {
                Lookup::Broken
            }
        });
    }

    /// The print thread's answer to a look-up, if its citizen is still here.
    pub(super) fn looked_up(&self, visit: u64, lookup: Lookup) {
        if visit == self.inner.state.borrow().visit {
            self.update(|s: &mut Session| {
                if s.complaint.lookup == Lookup::Asking {
                    s.complaint.lookup = lookup
                }
            });
        }
    }
}
