//! A citizen's complaint as the session keeps it: the form in steps
//! (what it is about, the text, an optional contact with consent), the
//! reference once filed, and a look-up by reference. Plain state, tested
//! without a window; filing and looking up happen on the print thread.

use anjungan::voice::Channel;
use anjungan::voice::complaint::{Category, Draft, Invalid, Progress, Status};

/// Longest text typed on the kiosk: a few sentences on the on-screen
/// keyboard (the domain keeps up to `complaint::MAX_TEXT`).
pub const MAX_TEXT: usize = 500;
/// Longest contact: a phone number or an e-mail address.
pub const MAX_CONTACT: usize = 60;
/// Longest reference typed for a look-up (`ADU-7K4P-9MXR` and some slack).
pub const MAX_REFERENCE: usize = 16;
/// Complaints one visit may send: enough for a real one and a correction,
/// too few to flood the inbox from the screen.
pub const PER_VISIT: u32 = 2;

/// Where the national channel is (the QR code on every complaint screen).
pub const LAPOR_URL: &str = "https://www.lapor.go.id";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Step {
    /// What it is about: a category (and the service, when preset).
    #[default]
    Category,
    Write,
    /// The optional contact and the consent to keep it; then send.
    Contact,
    /// Filed: the reference is the citizen's.
    Sent,
    /// Typing a reference to see where a complaint is.
    Lookup,
    /// This visit sent as many complaints as it may.
    Limit,
}

/// What the citizen must fix before sending; the view words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Empty,
    /// Neither a phone number nor an e-mail address.
    Contact,
    /// A contact without the consent to keep it.
    Consent,
}

/// Where a look-up is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Lookup {
    #[default]
    Typing,
    Asking,
    Found {
        reference: String,
        status: Status,
        note: Option<String>,
    },
    NotFound,
    /// The database could not be asked.
    Broken,
}

impl Lookup {
    pub fn from_progress(found: Option<Progress>) -> Lookup {
        match found {
            Some(p) => Lookup::Found {
                reference: p.reference.to_string(),
                status: p.status,
                note: p.note,
            },
            None => Lookup::NotFound,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Form {
    pub step: Step,
    /// The catalog service it is about (preset from a service's page).
    pub service: Option<String>,
    pub category: Option<Category>,
    pub text: String,
    pub contact: String,
    pub consent: bool,
    pub problem: Option<Problem>,
    /// The filed complaint's reference, as shown (`ADU-7K4P-9MXR`).
    pub reference: Option<String>,
    /// The reference typed for a look-up.
    pub typed: String,
    /// The step the look-up was opened from, to go back to.
    before_lookup: Step,
    pub lookup: Lookup,
}

impl Form {
    /// A new form; `sent` complaints already went from this visit.
    pub fn new(service: Option<String>, sent: u32) -> Form {
        Form {
            step: if sent >= PER_VISIT {
                Step::Limit
            } else {
                Step::Category
            },
            service,
            ..Form::default()
        }
    }

    pub fn choose_category(&mut self, index: usize) {
        if self.step == Step::Category
            && let Some(c) = Category::ALL.get(index)
        {
            self.category = Some(*c);
            self.step = Step::Write;
        }
    }

    /// "Not about this service": the complaint is about the office.
    pub fn forget_service(&mut self) {
        self.service = None;
    }

    pub fn open_lookup(&mut self) {
        if self.step == Step::Lookup {
            return;
        }
        self.before_lookup = self.step;
        self.step = Step::Lookup;
        self.lookup = Lookup::Typing;
    }

    /// A key of the on-screen keyboard into the field of the step.
    /// Returns whether anything changed.
    pub fn type_key(&mut self, key: &str) -> bool {
        let mut chars = key.chars();
        let (Some(c), None) = (chars.next(), chars.next()) else {
            return false;
        };
        let (field, max, allowed): (&mut String, usize, fn(char) -> bool) = match self.step {
            Step::Write => (&mut self.text, MAX_TEXT, |c| {
                c.is_alphanumeric() || " .,?!-/()".contains(c)
            }),
            Step::Contact => (&mut self.contact, MAX_CONTACT, |c| {
                c.is_ascii_alphanumeric() || " @.-_+".contains(c)
            }),
            Step::Lookup => (&mut self.typed, MAX_REFERENCE, |c| {
                c.is_ascii_alphanumeric() || c == '-'
            }),
            _ => return false,
        };
        if !allowed(c) || field.chars().count() >= max {
            return false;
        }
        if c == ' ' && (field.is_empty() || field.ends_with(' ')) {
            return false;
        }
        if self.step == Step::Lookup {
            field.extend(c.to_uppercase());
            self.lookup = Lookup::Typing;
        } else {
            field.push(c);
        }
        self.problem = None;
        true
    }

    pub fn backspace(&mut self) -> bool {
        let changed = match self.step {
            Step::Write => self.text.pop().is_some(),
            Step::Contact => self.contact.pop().is_some(),
            Step::Lookup => self.typed.pop().is_some(),
            _ => false,
        };
        if changed && self.step == Step::Lookup {
            self.lookup = Lookup::Typing;
        }
        changed
    }

    pub fn clear(&mut self) -> bool {
        let field = match self.step {
            Step::Write => &mut self.text,
            Step::Contact => &mut self.contact,
            Step::Lookup => &mut self.typed,
            _ => return false,
        };
        let changed = !field.is_empty();
        field.clear();
        changed
    }

    /// "Next" under the text: on to the contact, unless it is empty.
    pub fn next(&mut self) {
        if self.step != Step::Write {
            return;
        }
        if self.text.trim().is_empty() {
            self.problem = Some(Problem::Empty);
        } else {
            self.step = Step::Contact;
        }
    }

    pub fn set_consent(&mut self, on: bool) {
        self.consent = on;
        self.problem = None;
    }

    /// "Send": the complaint checked whole, or what to fix (shown on the
    /// form, nothing sent).
    pub fn draft(&mut self) -> Option<Draft> {
        if self.step != Step::Contact {
            return None;
        }
        let contact = Some(self.contact.as_str()).filter(|c| !c.trim().is_empty());
        let checked = Draft::new(
            &self.text,
            self.category.unwrap_or(Category::Other),
            self.service.as_deref(),
            contact,
            self.consent,
            Channel::Kiosk,
        );
        match checked {
            Ok(draft) => Some(draft),
            Err(invalid) => {
                let (step, problem) = match invalid {
                    Invalid::ContactWithoutConsent => (Step::Contact, Problem::Consent),
                    Invalid::Contact => (Step::Contact, Problem::Contact),
                    // Cannot happen from this form (bounded, checked at
                    // "Next", a catalog id); shown as an empty text.
                    Invalid::Empty | Invalid::TooLong { .. } | Invalid::Service(_) => {
                        (Step::Write, Problem::Empty)
                    }
                };
                self.step = step;
                self.problem = Some(problem);
                None
            }
        }
    }

    /// The complaint was stored: the reference is shown, the text and
    /// contact forgotten (they are in the database, not on the screen).
    pub fn filed(&mut self, reference: &str) {
        *self = Form {
            step: Step::Sent,
            reference: Some(reference.to_string()),
            ..Form::default()
        };
    }

    /// Back one step inside the form; false when there is none (the
    /// citizen leaves the complaint screen).
    pub fn back(&mut self) -> bool {
        self.step = match self.step {
            Step::Write => Step::Category,
            Step::Contact => Step::Write,
            Step::Lookup => self.before_lookup,
            Step::Category | Step::Sent | Step::Limit => return false,
        };
        self.problem = None;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(form: &mut Form, text: &str) {
        for c in text.chars() {
            form.type_key(&c.to_string());
        }
    }

    #[test]
    fn category_text_contact_then_a_draft() {
        let mut f = Form::new(Some("akta-kelahiran".into()), 0);
        assert_eq!(f.step, Step::Category);
        f.choose_category(1);
        assert_eq!(f.category, Some(Category::Staff));
        f.next();
        assert_eq!(f.problem, Some(Problem::Empty), "nothing written yet");
        typed(&mut f, "  antrean lama<>; sekali!");
        assert_eq!(
            f.text, "antrean lama sekali!",
            "no leading space, no markup"
        );
        f.next();
        assert_eq!(f.step, Step::Contact);
        typed(&mut f, "budi@contoh.id");
        assert!(f.draft().is_none());
        assert_eq!(f.problem, Some(Problem::Consent));
        f.set_consent(true);
        let draft = f.draft().expect("a valid complaint");
        let expected = Draft::new(
            "antrean lama sekali!",
            Category::Staff,
            Some("akta-kelahiran"),
            Some("budi@contoh.id"),
            true,
            Channel::Kiosk,
        )
        .unwrap();
        assert_eq!(draft, expected);
        f.filed("ADU-7K4P-9MXR");
        assert_eq!(f.step, Step::Sent);
        assert!(f.text.is_empty() && f.contact.is_empty(), "forgotten");
    }

    #[test]
    fn fields_are_bounded() {
        let mut f = Form::new(None, 0);
        f.choose_category(0);
        typed(&mut f, &"a".repeat(MAX_TEXT + 50));
        assert_eq!(f.text.chars().count(), MAX_TEXT);
        f.next();
        typed(&mut f, &"1".repeat(MAX_CONTACT + 5));
        assert_eq!(f.contact.len(), MAX_CONTACT);
        f.open_lookup();
        typed(&mut f, "adu-7k4p-9mxr-zzzzzz");
        assert_eq!(f.typed, "ADU-7K4P-9MXR-ZZ");
    }

    #[test]
    fn a_bad_contact_is_said_and_nothing_sent() {
        let mut f = Form::new(None, 0);
        f.choose_category(6);
        typed(&mut f, "halo");
        f.next();
        typed(&mut f, "12");
        f.set_consent(true);
        assert!(f.draft().is_none());
        assert_eq!(f.problem, Some(Problem::Contact));
        f.clear();
        assert!(f.draft().is_some(), "no contact is fine");
    }

    #[test]
    fn a_visit_sends_at_most_per_visit() {
        assert_eq!(Form::new(None, PER_VISIT - 1).step, Step::Category);
        assert_eq!(Form::new(None, PER_VISIT).step, Step::Limit);
    }
}
