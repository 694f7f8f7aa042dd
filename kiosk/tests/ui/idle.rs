//! The idle reset with mocked time: a visible countdown, then the attract
//! screen with nothing of the last person left; a touch cancels it.

use std::time::Duration;

use kiosk::session::Screen;
use kiosk::ui::{KioskAdapter, Screen as UiScreen, SearchAdapter, Theme};
use slint::ComponentHandle;

use crate::common;

fn seconds(n: u32) {
    // The idle clock ticks once a second; advance one second at a time so
    // every tick fires.
    for _ in 0..n {
        i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(1));
    }
}

pub fn idle_reset_counts_down_then_clears_everything() {
    let s = common::open(1080.0, 1920.0, 30);
    s.kiosk.start_idle_timer();
    let adapter = || s.window.global::<KioskAdapter>();

    s.tap("English");
    s.tap("Large text");
    s.tap("Search for a service");
    s.type_text("akta");
    assert_eq!(s.window.global::<SearchAdapter>().get_query(), "akta");

    // 19 s idle: nothing yet. The countdown shows for the last 10 s.
    seconds(19);
    assert_eq!(adapter().get_countdown(), 0);
    seconds(2);
    assert_eq!(adapter().get_countdown(), 9);
    assert!(s.has("Continue"), "the countdown card");

    // A touch cancels the countdown and starts the wait over.
    s.tap("Continue");
    assert_eq!(adapter().get_countdown(), 0);
    assert_eq!(adapter().get_screen(), UiScreen::Search);
    seconds(25);
    assert!(adapter().get_countdown() > 0);

    // Time runs out: attract screen, everything cleared.
    seconds(6);
    assert_eq!(adapter().get_screen(), UiScreen::Attract);
    assert_eq!(adapter().get_countdown(), 0);
    assert_eq!(s.kiosk.session().screen, Screen::Attract);
    assert_eq!(s.window.global::<SearchAdapter>().get_query(), "");
    assert_eq!(adapter().get_language(), "id");
    assert!(!s.window.global::<Theme>().get_large_text());
    assert!(s.has("Sentuh layar untuk mulai"));

    // The attract screen waits for a touch, however long.
    seconds(120);
    assert_eq!(adapter().get_screen(), UiScreen::Attract);
    s.tap("Sentuh layar untuk mulai");
    assert_eq!(adapter().get_screen(), UiScreen::Home);

    // The search screen opens empty for the next person.
    s.tap("Cari layanan");
    assert_eq!(s.window.global::<SearchAdapter>().get_query(), "");
}
