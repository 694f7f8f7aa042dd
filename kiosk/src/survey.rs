//! A citizen's satisfaction survey as the session keeps it: the nine
//! elements one per screen, then four optional questions about the
//! respondent, then thanks. Plain state, tested without a window; nothing
//! is recorded until the citizen finishes, when [`Survey::choose`],
//! [`Survey::skip`] or [`Survey::send_now`] hand back the form to record.

use anjungan::voice::survey::{
    AgeBand, Answers, Education, Element, Occupation, Profile, Response, Sex,
};

/// The questions about the respondent, after the nine elements. Each is
/// optional; none asks for a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum About {
    Sex,
    Age,
    Education,
    Occupation,
}

impl About {
    pub const ALL: [About; 4] = [About::Sex, About::Age, About::Education, About::Occupation];

    /// 1 to 4, as the screen counts them.
    pub fn number(self) -> usize {
        self as usize + 1
    }

    fn next(self) -> Option<About> {
        About::ALL.get(self.number()).copied()
    }

    fn previous(self) -> Option<About> {
        About::ALL.get(self.number().checked_sub(2)?).copied()
    }

    /// The words of its choices, in order.
    pub fn choices(self, lang: anjungan::Lang) -> Vec<&'static str> {
        match self {
            About::Sex => Sex::ALL.iter().map(|v| v.label(lang)).collect(),
            About::Age => AgeBand::ALL.iter().map(|v| v.label(lang)).collect(),
            About::Education => Education::ALL.iter().map(|v| v.label(lang)).collect(),
            About::Occupation => Occupation::ALL.iter().map(|v| v.label(lang)).collect(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// One of the nine elements.
    Element(Element),
    /// One of the questions about the respondent.
    About(About),
    /// Finished; the form went to be recorded (if anything was answered).
    Thanks,
    /// This citizen already answered about this service (or as many
    /// surveys as one visit may give): nothing more is taken.
    Already,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survey {
    /// The catalog service it is about; `None`: the office as a whole.
    pub service: Option<String>,
    pub step: Step,
    pub answers: Answers,
    pub profile: Profile,
}

impl Survey {
    pub fn new(service: Option<String>) -> Survey {
        Survey {
            service,
            step: Step::Element(Element::Requirements),
            answers: Answers::default(),
            profile: Profile::default(),
        }
    }

    /// A survey that takes nothing: this one was given already.
    pub fn already(service: Option<String>) -> Survey {
        Survey {
            step: Step::Already,
            ..Survey::new(service)
        }
    }

    /// The citizen tapped choice `index` (0-based: score `index + 1` of an
    /// element, or the profile's code in its list). Moves on; returns the
    /// form when that finished the survey. A choice that does not exist
    /// changes nothing.
    pub fn choose(&mut self, index: usize) -> Option<Response> {
        match self.step {
            Step::Element(e) => {
                let score = u8::try_from(index + 1).ok()?;
                self.answers.set(e, Some(score)).ok()?;
            }
            Step::About(about) => {
                let p = &mut self.profile;
                match about {
                    About::Sex => p.sex = Some(*Sex::ALL.get(index)?),
                    About::Age => p.age = Some(*AgeBand::ALL.get(index)?),
                    About::Education => p.education = Some(*Education::ALL.get(index)?),
                    About::Occupation => p.occupation = Some(*Occupation::ALL.get(index)?),
                }
            }
            Step::Thanks | Step::Already => return None,
        }
        self.advance()
    }

    /// On without answering (a skipped element stays unanswered; an
    /// answer given before is taken back).
    pub fn skip(&mut self) -> Option<Response> {
        match self.step {
            Step::Element(e) => {
                let _ = self.answers.set(e, None);
            }
            Step::About(about) => {
                let p = &mut self.profile;
                match about {
                    About::Sex => p.sex = None,
                    About::Age => p.age = None,
                    About::Education => p.education = None,
                    About::Occupation => p.occupation = None,
                }
            }
            Step::Thanks | Step::Already => return None,
        }
        self.advance()
    }

    /// Back one question, keeping the answers; false on the first one
    /// (the citizen leaves the survey).
    pub fn previous(&mut self) -> bool {
        self.step = match self.step {
            Step::Element(e) => match Element::from_number(e.number() - 1) {
                Some(before) => Step::Element(before),
                None => return false,
            },
            Step::About(about) => match about.previous() {
                Some(before) => Step::About(before),
                None => Step::Element(Element::Facilities),
            },
            Step::Thanks | Step::Already => return false,
        };
        true
    }

    /// "Send" on a question about the respondent: the rest of them are
    /// left unanswered and the survey ends.
    pub fn send_now(&mut self) -> Option<Response> {
        match self.step {
            Step::About(_) => self.end(),
            _ => None,
        }
    }

    /// The choice given on the current question, if any (0-based).
    pub fn chosen(&self) -> Option<usize> {
        fn index<T: PartialEq>(all: &[T], v: T) -> Option<usize> {
            all.iter().position(|x| *x == v)
        }
        match self.step {
            Step::Element(e) => self.answers.get(e).map(|s| usize::from(s) - 1),
            Step::About(About::Sex) => self.profile.sex.and_then(|v| index(Sex::ALL, v)),
            Step::About(About::Age) => self.profile.age.and_then(|v| index(AgeBand::ALL, v)),
            Step::About(About::Education) => self
                .profile
                .education
                .and_then(|v| index(Education::ALL, v)),
            Step::About(About::Occupation) => self
                .profile
                .occupation
                .and_then(|v| index(Occupation::ALL, v)),
            Step::Thanks | Step::Already => None,
        }
    }

    pub fn is_finished(&self) -> bool {
        matches!(self.step, Step::Thanks | Step::Already)
    }

    fn advance(&mut self) -> Option<Response> {
        self.step = match self.step {
            Step::Element(e) => match Element::from_number(e.number() + 1) {
                Some(next) => Step::Element(next),
                None => Step::About(About::Sex),
            },
            Step::About(about) => match about.next() {
                Some(next) => Step::About(next),
                None => return self.end(),
            },
            done => done,
        };
        None
    }

    /// Thanks; the form, when at least one element was answered (a form
    /// with none says nothing about the service).
    fn end(&mut self) -> Option<Response> {
        self.step = Step::Thanks;
        (self.answers.answered() > 0).then(|| Response {
            answers: self.answers,
            service: self.service.clone(),
            profile: self.profile,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nine_elements_then_four_about_you_then_the_form() {
        let mut s = Survey::new(Some("akta-kelahiran".into()));
        assert_eq!(s.step, Step::Element(Element::Requirements));
        assert_eq!(s.choose(3), None);
        assert_eq!(s.skip(), None);
        for _ in 3..=9 {
            assert_eq!(s.choose(1), None);
        }
        assert_eq!(s.step, Step::About(About::Sex));
        assert_eq!(s.choose(1), None);
        assert_eq!(s.skip(), None);
        assert_eq!(s.choose(2), None);
        let form = s.choose(0).expect("the last question sends the form");
        assert_eq!(s.step, Step::Thanks);
        assert_eq!(
            form.answers.scores(),
            [
                Some(4),
                None,
                Some(2),
                Some(2),
                Some(2),
                Some(2),
                Some(2),
                Some(2),
                Some(2)
            ]
        );
        assert_eq!(form.service.as_deref(), Some("akta-kelahiran"));
        assert_eq!(form.profile.sex, Some(Sex::Female));
        assert_eq!(form.profile.age, None);
        assert_eq!(form.profile.education, Some(Education::Senior));
        assert_eq!(form.profile.occupation, Some(Occupation::CivilServant));
        assert_eq!(s.choose(0), None, "nothing more after thanks");
    }

    #[test]
    fn back_keeps_answers_and_leaves_from_the_first_question() {
        let mut s = Survey::new(None);
        s.choose(2);
        assert!(s.previous());
        assert_eq!(s.chosen(), Some(2), "the answer shows again");
        assert!(!s.previous(), "before the first question: leave");
        for _ in 0..9 {
            s.skip();
        }
        assert!(s.previous());
        assert_eq!(s.step, Step::Element(Element::Facilities));
    }

    #[test]
    fn sending_early_or_answering_nothing() {
        let mut s = Survey::new(None);
        assert_eq!(s.send_now(), None, "only from the questions about you");
        s.choose(3);
        for _ in 1..9 {
            s.skip();
        }
        let form = s.send_now().expect("sent without a profile");
        assert_eq!(form.answers.answered(), 1);
        assert_eq!(form.profile, Profile::default());

        let mut empty = Survey::new(None);
        for _ in 0..13 {
            assert_eq!(empty.skip(), None);
        }
        assert_eq!(empty.step, Step::Thanks, "thanks, and nothing to record");
    }

    #[test]
    fn choices_that_do_not_exist_change_nothing() {
        let mut s = Survey::new(None);
        assert_eq!(s.choose(4), None);
        assert_eq!(s.step, Step::Element(Element::Requirements));
        for _ in 0..9 {
            s.skip();
        }
        assert_eq!(s.choose(Sex::ALL.len()), None);
        assert_eq!(s.step, Step::About(About::Sex));
        assert_eq!(
            About::Age.choices(anjungan::Lang::Id).len(),
            AgeBand::ALL.len()
        );
    }
}
