//! The citizen's paper as the session keeps it: where it is
//! ([`Printing`]) and what on it is theirs ([`Slip`]). Plain values shared
//! by the session, the print thread's reports and the print card, so the
//! session knows nothing of the thread.

use anjungan::print::spool::Kind;
use anjungan::print::transport::Fault;

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
    /// A filed complaint's reference, `ADU-7K4P-9MXR`: stored before its
    /// slip is printed, so it is the citizen's whatever the printer does.
    Complaint(String),
}

impl Slip {
    pub fn kind(&self) -> Kind {
        match self {
            Slip::Receipt => Kind::Receipt,
            Slip::Ticket(_) => Kind::Ticket,
            Slip::Voucher(_) => Kind::Voucher,
            Slip::Complaint(_) => Kind::Complaint,
        }
    }
}

/// Where the citizen's paper is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Printing {
    #[default]
    Idle,
    /// Asked for; the printer has not answered yet.
    Busy { kind: Kind },
    /// Printed, or (`on_paper` false, no printer) a number shown on screen.
    Done { slip: Slip, on_paper: bool },
    /// The printer has a fault: the documents (`jobs`) are kept and can be
    /// sent again; a ticket's number or a voucher's code stays theirs.
    Failed {
        slip: Slip,
        fault: Fault,
        jobs: Vec<i64>,
    },
    /// The kiosk printed as many Wi-Fi vouchers as it may this hour.
    Limited,
    /// Something other than the printer went wrong; `slip` is what was
    /// taken before it did, if anything.
    Broken { slip: Option<Slip> },
}

impl Printing {
    pub fn is_busy(&self) -> bool {
        matches!(self, Printing::Busy { .. })
    }

    /// The slip shown, if any.
    pub fn slip(&self) -> Option<&Slip> {
        match self {
            Printing::Done { slip, .. } | Printing::Failed { slip, .. } => Some(slip),
            Printing::Broken { slip } => slip.as_ref(),
            Printing::Idle | Printing::Busy { .. } | Printing::Limited => None,
        }
    }

    /// A voucher's code reached the citizen (on paper or on screen): one
    /// per person.
    pub fn gave_voucher(&self) -> bool {
        matches!(self.slip(), Some(Slip::Voucher(_)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_voucher_code_shown_after_a_fault_counts_as_given() {
        let code = Slip::Voucher("ABCD-EFGH".into());
        assert!(
            Printing::Done {
                slip: code.clone(),
                on_paper: true
            }
            .gave_voucher()
        );
        assert!(
            Printing::Failed {
                slip: code.clone(),
                fault: Fault::PaperOut,
                jobs: vec![1]
            }
            .gave_voucher()
        );
        assert!(Printing::Broken { slip: Some(code) }.gave_voucher());
        assert!(!Printing::Limited.gave_voucher());
        assert!(!Printing::Broken { slip: None }.gave_voucher());
        assert!(
            !Printing::Done {
                slip: Slip::Receipt,
                on_paper: true
            }
            .gave_voucher()
        );
    }
}
