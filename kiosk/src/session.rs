//! One citizen's session at the screen: which screen they are on, how they
//! got there, what they typed, their language and display choices. Plain
//! state with no window, so navigation, typing and the idle reset are
//! tested directly.

use crate::lang::Lang;
use crate::paper::Printing;

/// Longest query the keyboard accepts; the search bounds words anyway, this
/// keeps the query box from overflowing.
pub const MAX_QUERY_CHARS: usize = 60;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Screen {
    /// After an idle reset: announcements and an invitation to touch.
    Attract,
    #[default]
    Home,
    Category(String),
    Search,
    Service(String),
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
        s.back();
        assert_eq!(s.screen, Screen::Home, "no way back into the last session");
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
