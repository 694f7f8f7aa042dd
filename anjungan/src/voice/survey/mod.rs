//! The community satisfaction survey (Survei Kepuasan Masyarakat): nine
//! elements answered 1 to 4, any of them skipped; the channel; the service
//! it is about; the respondent's optional profile. `record` keeps one
//! answered form; `ikm` is the regulation's formula over counts; `report`
//! selects and counts; `import` reads typed-in paper forms; `html` makes
//! the page a region publishes.

mod element;
pub mod html;
pub mod ikm;
pub mod import;
pub mod profile;
mod record;
pub mod report;
pub mod synthetic;

pub use element::Element;
pub use ikm::{Grade, Ikm, Tally};
pub use profile::{AgeBand, Education, Occupation, Profile, Sex};
pub use record::{Once, answered_today, record, record_once};

pub use super::Channel;

/// The scores of one form: for each element 1 to 4, or `None` where it
/// was left unanswered. Only valid scores get in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Answers([Option<u8>; 9]);

impl Answers {
    /// `scores[0]` is element 1 (`u1`).
    pub fn new(scores: [Option<u8>; 9]) -> Result<Answers, Invalid> {
        let mut answers = Answers::default();
        for (e, score) in Element::ALL.into_iter().zip(scores) {
            answers.set(e, score)?;
        }
        Ok(answers)
    }

    pub fn set(&mut self, element: Element, score: Option<u8>) -> Result<(), Invalid> {
        if let Some(s) = score
            && !(1..=4).contains(&s)
        {
            return Err(Invalid::Score { element, score: s });
        }
        self.0[element.index()] = score;
        Ok(())
    }

    pub fn get(&self, element: Element) -> Option<u8> {
        self.0[element.index()]
    }

    pub fn scores(&self) -> [Option<u8>; 9] {
        self.0
    }

    /// How many elements have a score.
    pub fn answered(&self) -> usize {
        self.0.iter().flatten().count()
    }
}

/// One answered form, as the kiosk, the portal or a paper row gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Response {
    pub answers: Answers,
    /// The catalog service it is about; `None`: the office as a whole.
    pub service: Option<String>,
    pub profile: Profile,
}

/// Why a form cannot be recorded. The kiosk and the portal say it in the
/// citizen's language with [`Invalid::say`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("element {} has the score {score}; scores are 1 to 4", element.number())]
    Score { element: Element, score: u8 },
    #[error("no element was answered; answer at least one")]
    Empty,
    #[error("\"{0}\" is not a service id (lower-case letters, digits and '-', at most 64)")]
    Service(String),
}

impl Invalid {
    /// One line for the citizen.
    pub fn say(&self, lang: crate::Lang) -> &'static str {
        match self {
            Invalid::Score { .. } => lang.choose(
                "Pilih salah satu dari empat jawaban.",
                "Choose one of the four answers.",
            ),
            Invalid::Empty => lang.choose(
                "Jawab setidaknya satu pertanyaan.",
                "Answer at least one question.",
            ),
            Invalid::Service(_) => lang.choose(
                "Layanan itu tidak dikenal; pilih layanan dari daftar.",
                "That service is unknown; choose one from the list.",
            ),
        }
    }
}

impl Response {
    /// The rules every channel keeps: at least one answer, a service id
    /// of the catalog's form.
    pub fn check(&self) -> Result<(), Invalid> {
        if self.answers.answered() == 0 {
            return Err(Invalid::Empty);
        }
        if let Some(s) = &self.service
            && super::service_id(s).is_none()
        {
            return Err(Invalid::Service(s.chars().take(80).collect()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_scores_one_to_four_and_at_least_one_answer() {
        let a = Answers::new([
            Some(4),
            None,
            Some(1),
            None,
            None,
            None,
            None,
            None,
            Some(3),
        ])
        .unwrap();
        assert_eq!(a.answered(), 3);
        assert_eq!(a.get(Element::Facilities), Some(3));
        assert_eq!(
            Answers::new([None, None, None, None, None, Some(5), None, None, None]),
            Err(Invalid::Score {
                element: Element::Competence,
                score: 5
            })
        );
        assert_eq!(Response::default().check(), Err(Invalid::Empty));
        let r = Response {
            answers: a,
            service: Some("Akta; DROP".into()),
            ..Response::default()
        };
        assert!(matches!(r.check(), Err(Invalid::Service(_))));
    }
}
