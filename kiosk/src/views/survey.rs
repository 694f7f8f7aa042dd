//! `SurveyAdapter`: the question on screen and its answers, in the
//! citizen's language (the elements' words are the domain's), or thanks.

use anjungan::voice::survey::Element;
use slint::ComponentHandle;

use super::{Scene, model};
use crate::controller::Bind;
use crate::lang::Lang;
use crate::survey::{About, Step, Survey};
use crate::ui::{Choice, KioskWindow, SurveyAdapter, SurveyStep};

pub fn bind(w: &KioskWindow, b: &Bind) {
    let s = w.global::<SurveyAdapter>();
    s.on_start(b.on(|k| k.update(|s| s.start_survey(None))));
    s.on_choose(b.number(|k, i| {
        if let Ok(i) = usize::try_from(i) {
            k.in_survey(|s| s.choose(i))
        }
    }));
    s.on_skip(b.on(|k| k.in_survey(Survey::skip)));
    s.on_send_now(b.on(|k| k.in_survey(Survey::send_now)));
}

/// False when there is no survey to show.
pub fn render(w: &KioskWindow, scene: &Scene) -> bool {
    let Some(survey) = &scene.session.survey else {
        return false;
    };
    let lang = scene.session.lang;
    let s = w.global::<SurveyAdapter>();
    s.set_service(
        survey
            .service
            .as_deref()
            .and_then(|id| scene.catalog.service(id))
            .map(|service| service.name.get(lang.code()).to_string())
            .unwrap_or_default()
            .into(),
    );
    let (step, element, about) = match survey.step {
        Step::Element(e) => (SurveyStep::Question, Some(e), None),
        Step::About(a) => (SurveyStep::Question, None, Some(a)),
        Step::Thanks => (SurveyStep::Thanks, None, None),
        Step::Already => (SurveyStep::Already, None, None),
    };
    s.set_step(step);
    s.set_element(element.map_or(0, |e| i32::from(e.number())));
    s.set_about(about.map_or(0, |a| a.number() as i32));
    s.set_question(element.map(|e| e.question(lang)).unwrap_or_default().into());
    s.set_choices(model(choices(survey, element, about, lang)));
    true
}

/// The answers of the question on screen, the one given marked.
fn choices(
    survey: &Survey,
    element: Option<Element>,
    about: Option<About>,
    lang: Lang,
) -> Vec<Choice> {
    let words: Vec<&str> = match (element, about) {
        (Some(e), _) => e.answers(lang).to_vec(),
        (None, Some(a)) => a.choices(lang),
        (None, None) => Vec::new(),
    };
    let chosen = survey.chosen();
    words
        .into_iter()
        .enumerate()
        .map(|(i, word)| Choice {
            // The score beside an element's words, as on the paper form.
            number: if element.is_some() { i as i32 + 1 } else { 0 },
            word: word.into(),
            chosen: chosen == Some(i),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_element_shows_four_scored_words_and_the_answer_given() {
        let mut survey = Survey::new(None);
        survey.choose(2);
        survey.previous();
        let c = choices(&survey, Some(Element::Requirements), None, Lang::Id);
        let words: Vec<_> = c.iter().map(|c| c.word.to_string()).collect();
        assert_eq!(
            words,
            ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"]
        );
        assert_eq!(c.iter().map(|c| c.number).collect::<Vec<_>>(), [1, 2, 3, 4]);
        assert_eq!(c.iter().position(|c| c.chosen), Some(2));
        let about = choices(&survey, None, Some(About::Sex), Lang::En);
        assert_eq!(about.len(), 2);
        assert!(about.iter().all(|c| c.number == 0));
    }
}
