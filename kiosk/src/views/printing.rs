//! `PrintAdapter`: the card over the screen while the citizen's paper
//! prints, and what came of it. A problem goes to the view as a value
//! ([`Problem`]); the view says it in the citizen's language (`@tr`).

use anjungan::print::spool::Kind;
use anjungan::print::transport::Fault;
use slint::ComponentHandle;

use crate::controller::{Bind, Kiosk};
use crate::paper::{Printing, Slip};
use crate::ui::{KioskWindow, PrintAdapter, PrintState, Problem};

pub fn bind(w: &KioskWindow, b: &Bind) {
    let p = w.global::<PrintAdapter>();
    p.on_print_again(b.on(Kiosk::print_again));
    p.on_close(b.on(Kiosk::close_print));
}

pub fn render(w: &KioskWindow, printing: &Printing, available: bool) {
    let p = w.global::<PrintAdapter>();
    p.set_available(available);
    let (state, kind) = match printing {
        Printing::Idle => (PrintState::Idle, None),
        Printing::Busy { kind } => (PrintState::Busy, Some(*kind)),
        Printing::Done { slip, .. } => (PrintState::Done, Some(slip.kind())),
        Printing::Failed { slip, .. } => (PrintState::Failed, Some(slip.kind())),
        Printing::Limited => (PrintState::Failed, Some(Kind::Voucher)),
        Printing::Broken { slip } => (PrintState::Failed, slip.as_ref().map(Slip::kind)),
    };
    let slip = printing.slip();
    let (number, waiting_ahead) = match slip {
        Some(Slip::Ticket(n)) => (n.number.as_str(), n.waiting_ahead as i32),
        _ => ("", 0),
    };
    let code = match slip {
        Some(Slip::Voucher(code)) => code.as_str(),
        _ => "",
    };
    let reference = match slip {
        Some(Slip::Complaint(reference)) => reference.as_str(),
        _ => "",
    };
    p.set_state(state);
    p.set_ticket(kind == Some(Kind::Ticket));
    p.set_voucher(kind == Some(Kind::Voucher));
    p.set_number(number.into());
    p.set_waiting_ahead(waiting_ahead);
    p.set_code(code.into());
    p.set_complaint(kind == Some(Kind::Complaint));
    p.set_reference(reference.into());
    p.set_on_paper(matches!(printing, Printing::Done { on_paper: true, .. }));
    p.set_problem(problem(printing));
    p.set_can_retry(matches!(printing, Printing::Failed { jobs, .. } if !jobs.is_empty()));
}

/// What the citizen is told went wrong.
fn problem(printing: &Printing) -> Problem {
    match printing {
        Printing::Failed {
            fault: Fault::PaperOut,
            ..
        } => Problem::PaperOut,
        Printing::Failed {
            fault: Fault::CoverOpen,
            ..
        } => Problem::CoverOpen,
        Printing::Failed { .. } => Problem::Printer,
        Printing::Limited => Problem::VouchersUsedUp,
        Printing::Broken { .. } => Problem::Kiosk,
        Printing::Idle | Printing::Busy { .. } | Printing::Done { .. } => Problem::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_way_paper_fails_has_its_own_words() {
        let failed = |fault| Printing::Failed {
            slip: Slip::Receipt,
            fault,
            jobs: vec![1],
        };
        assert_eq!(problem(&failed(Fault::PaperOut)), Problem::PaperOut);
        assert_eq!(problem(&failed(Fault::CoverOpen)), Problem::CoverOpen);
        assert_eq!(problem(&failed(Fault::NoAnswer)), Problem::Printer);
        assert_eq!(problem(&failed(Fault::NotConfigured)), Problem::Printer);
        assert_eq!(problem(&Printing::Limited), Problem::VouchersUsedUp);
        assert_eq!(problem(&Printing::Broken { slip: None }), Problem::Kiosk);
        assert_eq!(problem(&Printing::Idle), Problem::None);
    }
}
