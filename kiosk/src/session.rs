//! One citizen's session at the screen: which screen they are on, how they
//! got there, what they typed, their language and display choices. Plain
//! state with no window, so navigation, typing and the idle reset are
//! tested directly.

use anjungan::voice::survey::Response;

use crate::complaint::{self, Form};
use crate::lang::Lang;
use crate::paper::Printing;
use crate::survey::Survey;

/// Longest query the keyboard accepts; the search bounds words anyway, this
/// keeps the query box from overflowing.
pub const MAX_QUERY_CHARS: usize = 60;
/// Surveys one visit may give: one per service (and one about the office
/// as a whole), and no more than this in all.
pub const SURVEYS_PER_VISIT: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Screen {
    /// After an idle reset: announcements and an invitation to touch.
    Attract,
    #[default]
    Home,
    Category(String),
    Search,
    Service(String),
    /// The satisfaction survey (`Session::survey`).
    Survey,
    /// The complaint form and look-up (`Session::complaint`).
    Complaint,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Session {
    pub screen: Screen,
    /// Screens to go back to, most recent last.
    history: Vec<Screen>,
    pub query: String,
    pub lang: Lang,
    pub large_text: bool,
    pub high_contrast: bool,
    /// The paper they asked for, shown over the screen until they close it.
    pub printing: Printing,
    /// They called for staff: the screen says help is coming.
    pub staff_called: bool,
    /// They took a Wi-Fi voucher: one per person.
    pub voucher_taken: bool,
    /// The survey on screen (or last on screen); unrecorded until finished.
    pub survey: Option<Survey>,
    /// What the surveys of this visit were about (`None`: the office).
    surveyed: Vec<Option<String>>,
    /// The complaint form and look-up.
    pub complaint: Form,
    /// Complaints this visit filed.
    pub complaints_sent: u32,
}

impl Session {
    pub fn new() -> Session {
        Session::default()
    }

    fn go(&mut self, screen: Screen) {
        if self.screen != screen {
            let from = std::mem::replace(&mut self.screen, screen);
            if from != Screen::Attract {
                self.history.push(from);
            }
        }
    }

    pub fn open_category(&mut self, id: &str) {
        self.go(Screen::Category(id.to_string()));
    }

    pub fn open_search(&mut self) {
        self.go(Screen::Search);
    }

    pub fn open_service(&mut self, id: &str) {
        self.go(Screen::Service(id.to_string()));
    }

    /// "Survey", about a service or (`None`) the office as a whole: a new
    /// survey, or thanks when this visit already gave that one.
    pub fn start_survey(&mut self, service: Option<String>) {
        let given = self.surveyed.contains(&service) || self.surveyed.len() >= SURVEYS_PER_VISIT;
        self.survey = Some(if given {
            Survey::already(service)
        } else {
            Survey::new(service)
        });
        self.go(Screen::Survey);
    }

    /// Applies `change` to the survey on screen; returns the form to
    /// record when that finished it (and counts it for this visit).
    pub fn in_survey(
        &mut self,
        change: impl FnOnce(&mut Survey) -> Option<Response>,
    ) -> Option<Response> {
        let survey = self
            .survey
            .as_mut()
            .filter(|_| self.screen == Screen::Survey)?;
        let service = survey.service.clone();
        let finished_before = survey.is_finished();
        let form = change(survey);
        if !finished_before && survey.is_finished() {
            self.surveyed.push(service);
        }
        form
    }

    /// "Back" on a survey question: the question before, or out of the
    /// survey (forgotten, unrecorded) from the first one.
    pub fn survey_back(&mut self) {
        if !self.survey.as_mut().is_some_and(Survey::previous) {
            self.survey = None;
            self.back();
        }
    }

    /// "Complaint", about a service or (`None`) the office: a new form
    /// (or the limit of this visit).
    pub fn start_complaint(&mut self, service: Option<String>) {
        self.complaint = Form::new(service, self.complaints_sent);
        self.go(Screen::Complaint);
    }

    /// A complaint of this visit was stored under `reference`.
    pub fn complaint_filed(&mut self, reference: &str) {
        self.complaints_sent += 1;
        self.complaint.filed(reference);
    }

    /// "Back" on the complaint screen: a step back in the form, else the
    /// screen before.
    pub fn complaint_back(&mut self) {
        if !self.complaint.back() {
            self.back();
        }
    }

    /// Whether this visit may send another complaint.
    pub fn may_complain(&self) -> bool {
        self.complaints_sent < complaint::PER_VISIT
    }

    /// "Back" as the citizen means it: the question or step before on
    /// the survey and complaint screens, else the screen before.
    pub fn step_back(&mut self) {
        match self.screen {
            Screen::Survey => self.survey_back(),
            Screen::Complaint => self.complaint_back(),
            _ => self.back(),
        }
    }

    /// Back one screen; home when there is nothing to go back to.
    pub fn back(&mut self) {
        self.screen = self.history.pop().unwrap_or(Screen::Home);
    }

    /// Home, forgetting the way there; what was typed stays (the citizen
    /// may come back to it) until the idle reset.
    pub fn home(&mut self) {
        self.history.clear();
        self.screen = Screen::Home;
    }

    /// A key of the on-screen keyboard: a letter, a digit or a space.
    /// Returns whether the query changed.
    pub fn type_key(&mut self, key: &str) -> bool {
        let Some(c) = key.chars().next().filter(|_| key.chars().count() == 1) else {
            return false;
        };
        if !(c.is_alphanumeric() || c == ' ') || self.query.chars().count() >= MAX_QUERY_CHARS {
            return false;
        }
        // A leading space or a second space in a row types nothing visible.
        if c == ' ' && (self.query.is_empty() || self.query.ends_with(' ')) {
            return false;
        }
        self.query.extend(c.to_lowercase());
        true
    }

    pub fn backspace(&mut self) -> bool {
        self.query.pop().is_some()
    }

    pub fn clear_query(&mut self) -> bool {
        let changed = !self.query.is_empty();
        self.query.clear();
        changed
    }

    /// The idle reset: the next person sees nothing of the last, starting
    /// from the attract screen in Indonesian with default display settings.
    pub fn reset(&mut self) {
        *self = Session {
            screen: Screen::Attract,
            ..Session::default()
        };
    }

    /// After a new catalog is installed: a screen showing a service or a
    /// category that no longer exists goes home.
    pub fn forget_missing(&mut self, exists: impl Fn(&Screen) -> bool) {
        self.history.retain(&exists);
        if !exists(&self.screen) {
            self.home();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_retraces_the_way_and_ends_home() {
        let mut s = Session::new();
        s.open_category("kependudukan");
        s.open_service("ktp-el-baru");
        s.back();
        assert_eq!(s.screen, Screen::Category("kependudukan".into()));
        s.back();
        assert_eq!(s.screen, Screen::Home);
        s.back();
        assert_eq!(s.screen, Screen::Home);
    }

    #[test]
    fn home_forgets_the_way() {
        let mut s = Session::new();
        s.open_search();
        s.open_service("ktp-el-baru");
        s.home();
        s.back();
        assert_eq!(s.screen, Screen::Home);
    }

    #[test]
    fn typing_keys_letters_digits_spaces_backspace() {
        let mut s = Session::new();
        for k in ["K", "t", "p", " ", " ", "2", "!", "ab"] {
            s.type_key(k);
        }
        assert_eq!(s.query, "ktp 2", "lower case, one space, no symbols");
        assert!(s.backspace());
        assert!(s.backspace());
        assert_eq!(s.query, "ktp");
        assert!(s.clear_query());
        assert!(!s.backspace());
        assert!(!s.type_key(" "), "no leading space");
    }

    #[test]
    fn query_is_bounded() {
        let mut s = Session::new();
        for _ in 0..100 {
            s.type_key("a");
        }
        assert_eq!(s.query.chars().count(), MAX_QUERY_CHARS);
    }

    #[test]
    fn reset_leaves_nothing_of_the_last_person() {
        let mut s = Session::new();
        s.lang = Lang::En;
        s.large_text = true;
        s.high_contrast = true;
        s.printing = Printing::Limited;
        s.staff_called = true;
        s.voucher_taken = true;
        s.start_survey(None);
        s.in_survey(|v| v.choose(3));
        s.start_complaint(Some("ktp-el-baru".into()));
        s.complaint.choose_category(0);
        s.complaint.type_key("x");
        s.complaint_filed("ADU-7K4P-9MXR");
        s.open_search();
        s.type_key("k");
        s.open_service("ktp-el-baru");
        s.reset();
        assert_eq!(s.screen, Screen::Attract);
        assert_eq!(s.query, "");
        assert_eq!(s.lang, Lang::Id);
        assert!(!s.large_text && !s.high_contrast);
        assert_eq!(s.printing, Printing::Idle);
        assert!(!s.staff_called && !s.voucher_taken);
        assert_eq!(s.survey, None, "the unfinished survey is thrown away");
        assert_eq!(s.complaint, Form::default());
        assert_eq!(s.complaints_sent, 0);
        assert!(s.surveyed.is_empty());
        s.back();
        assert_eq!(s.screen, Screen::Home, "no way back into the last session");
    }

    #[test]
    fn one_survey_per_service_per_visit() {
        let mut s = Session::new();
        let finish = |s: &mut Session| {
            s.in_survey(|v| v.choose(3));
            let mut form = None;
            while form.is_none() && !s.survey.as_ref().unwrap().is_finished() {
                form = s.in_survey(Survey::skip);
            }
            form
        };
        s.start_survey(Some("akta-kelahiran".into()));
        assert!(finish(&mut s).is_some());
        s.start_survey(Some("akta-kelahiran".into()));
        assert_eq!(
            s.survey.as_ref().unwrap().step,
            crate::survey::Step::Already
        );
        assert_eq!(s.in_survey(|v| v.choose(3)), None);
        s.start_survey(None);
        assert!(
            finish(&mut s).is_some(),
            "the office as a whole is another one"
        );
        s.start_survey(Some("ktp-el-baru".into()));
        assert!(finish(&mut s).is_some());
        s.start_survey(Some("kartu-keluarga".into()));
        assert_eq!(
            s.survey.as_ref().unwrap().step,
            crate::survey::Step::Already,
            "no more than SURVEYS_PER_VISIT in all"
        );
    }

    #[test]
    fn back_from_the_first_question_leaves_the_survey() {
        let mut s = Session::new();
        s.open_service("ktp-el-baru");
        s.start_survey(Some("ktp-el-baru".into()));
        s.in_survey(|v| v.choose(0));
        s.survey_back();
        assert_eq!(s.screen, Screen::Survey);
        s.survey_back();
        assert_eq!(s.screen, Screen::Service("ktp-el-baru".into()));
        assert_eq!(s.survey, None);
    }

    #[test]
    fn complaints_per_visit_are_limited() {
        let mut s = Session::new();
        for _ in 0..complaint::PER_VISIT {
            s.start_complaint(None);
            assert_eq!(s.complaint.step, complaint::Step::Category);
            s.complaint_filed("ADU-AAAA-BBBB");
        }
        assert!(!s.may_complain());
        s.start_complaint(None);
        assert_eq!(s.complaint.step, complaint::Step::Limit);
    }

    #[test]
    fn a_removed_service_goes_home() {
        let mut s = Session::new();
        s.open_category("a");
        s.open_service("gone");
        s.forget_missing(|screen| !matches!(screen, Screen::Service(id) if id == "gone"));
        assert_eq!(s.screen, Screen::Home);
    }
}
