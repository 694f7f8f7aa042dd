//! The survey, complaint and look-up forms as posted, read into what the
//! domain records. Pure: every value is one the portal's own form could
//! send, else a refusal; the domain's rules (a score 1 to 4, at least one
//! answer, the text's length, consent for a contact) are the domain's.

use anjungan::Lang;
use anjungan::voice::Channel;
use anjungan::voice::complaint::{Category, Draft};
use anjungan::voice::survey::{Answers, Profile, Response};
use serde::Deserialize;

use super::refusal::Refusal;

#[derive(Debug, Deserialize, Default)]
pub struct SurveyForm {
    #[serde(default)]
    pub csrf: String,
    pub lang: Option<String>,
    pub u1: Option<String>,
    pub u2: Option<String>,
    pub u3: Option<String>,
    pub u4: Option<String>,
    pub u5: Option<String>,
    pub u6: Option<String>,
    pub u7: Option<String>,
    pub u8: Option<String>,
    pub u9: Option<String>,
    pub service: Option<String>,
    pub sex: Option<String>,
    pub age: Option<String>,
    pub education: Option<String>,
    pub occupation: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
pub struct ComplaintForm {
    #[serde(default)]
    pub csrf: String,
    pub lang: Option<String>,
    pub category: Option<String>,
    pub service: Option<String>,
    #[serde(default)]
    pub text: String,
    pub contact: Option<String>,
    pub consent: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
pub struct LookupForm {
    #[serde(default)]
    pub csrf: String,
    pub lang: Option<String>,
    #[serde(default)]
    pub reference: String,
}

/// The form's language; Indonesian for anything else.
pub fn lang(field: Option<&str>) -> Lang {
    field.and_then(|l| l.parse().ok()).unwrap_or_default()
}

/// An optional field: absent and empty are the same (a `select` left at
/// its first option sends "").
fn given(field: &Option<String>) -> Option<&str> {
    field.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A code of one of the domain's fixed lists, or a refusal.
fn code<T: std::str::FromStr>(field: &Option<String>) -> Result<Option<T>, Refusal> {
    given(field)
        .map(|v| v.parse().map_err(|_| Refusal::NotOnTheForm))
        .transpose()
}

impl SurveyForm {
    /// What the visitor chose for field `name` (`u1`..`u9` and the
    /// profile), to give it back with a refusal.
    pub fn chosen(&self, name: &str) -> Option<&str> {
        let field = match name {
            "u1" => &self.u1,
            "u2" => &self.u2,
            "u3" => &self.u3,
            "u4" => &self.u4,
            "u5" => &self.u5,
            "u6" => &self.u6,
            "u7" => &self.u7,
            "u8" => &self.u8,
            "u9" => &self.u9,
            "sex" => &self.sex,
            "age" => &self.age,
            "education" => &self.education,
            "occupation" => &self.occupation,
            _ => return None,
        };
        given(field)
    }

    /// The answered form, channel aside (the portal's is always `portal`).
    pub fn response(&self) -> Result<Response, Refusal> {
        let fields = [
            &self.u1, &self.u2, &self.u3, &self.u4, &self.u5, &self.u6, &self.u7, &self.u8,
            &self.u9,
        ];
        let mut scores = [None; 9];
        for (score, field) in scores.iter_mut().zip(fields) {
            *score = code::<u8>(field)?;
        }
        let response = Response {
            answers: Answers::new(scores).map_err(Refusal::Survey)?,
            service: given(&self.service).map(str::to_owned),
            profile: Profile {
                sex: code(&self.sex)?,
                age: code(&self.age)?,
                education: code(&self.education)?,
                occupation: code(&self.occupation)?,
            },
        };
        response.check().map_err(Refusal::Survey)?;
        Ok(response)
    }
}

impl ComplaintForm {
    pub fn draft(&self) -> Result<Draft, Refusal> {
        let category = code::<Category>(&self.category)?.unwrap_or(Category::Other);
        Draft::new(
            &self.text,
            category,
            given(&self.service),
            self.contact.as_deref(),
            self.consent.as_deref() == Some("yes"),
            Channel::Portal,
        )
        .map_err(Refusal::Complaint)
    }
}

/// Text given back to the visitor after a refusal, no longer than the
/// form allows.
pub fn bounded(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}

/// Longest reference the look-up reads (`ADU-XXXX-XXXX` with spaces).
pub const MAX_REFERENCE_CHARS: usize = 24;

#[cfg(test)]
mod tests {
    use super::*;
    use anjungan::voice::complaint;
    use anjungan::voice::survey::{AgeBand, Element, Invalid};

    fn survey(fields: &[(&str, &str)]) -> SurveyForm {
        let body: String = fields
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        serde_urlencoded::from_str(&body).unwrap()
    }

    #[test]
    fn blanks_are_unanswered_and_empty_selects_are_not_given() {
        let r = survey(&[
            ("u1", "4"),
            ("u3", "1"),
            ("u9", "2"),
            ("service", ""),
            ("age", "30-39"),
            ("sex", ""),
        ])
        .response()
        .unwrap();
        assert_eq!(r.answers.get(Element::Requirements), Some(4));
        assert_eq!(r.answers.get(Element::Procedure), None);
        assert_eq!(r.answers.answered(), 3);
        assert_eq!(r.service, None);
        assert_eq!(r.profile.age, Some(AgeBand::From30));
        assert_eq!(r.profile.sex, None);
    }

    #[test]
    fn values_no_form_of_ours_sends_are_refused() {
        for bad in [
            &[("u1", "5")][..],
            &[("u1", "x")],
            &[("u2", "-1")],
            &[("u1", "3"), ("sex", "robot")],
            &[("u1", "3"), ("service", "Akta;DROP")],
        ] {
            assert!(survey(bad).response().is_err(), "{bad:?}");
        }
        assert_eq!(
            survey(&[("service", "akta-kelahiran")]).response(),
            Err(Refusal::Survey(Invalid::Empty))
        );
    }

    #[test]
    fn a_contact_needs_consent_and_the_category_defaults_to_other() {
        let form = |contact: &str, consent: Option<&str>| ComplaintForm {
            text: "Antrean terlalu lama".into(),
            contact: Some(contact.into()),
            consent: consent.map(str::to_owned),
            ..ComplaintForm::default()
        };
        assert_eq!(
            form("0812 3456 7890", None).draft(),
            Err(Refusal::Complaint(
                complaint::Invalid::ContactWithoutConsent
            ))
        );
        assert!(form("0812 3456 7890", Some("yes")).draft().is_ok());
        assert!(form("", None).draft().is_ok());
        let bad_category = ComplaintForm {
            category: Some("<b>".into()),
            ..form("", None)
        };
        assert_eq!(bad_category.draft(), Err(Refusal::NotOnTheForm));
        let empty = ComplaintForm {
            text: "  \r\n ".into(),
            ..form("", None)
        };
        assert_eq!(
            empty.draft(),
            Err(Refusal::Complaint(complaint::Invalid::Empty))
        );
    }
}
