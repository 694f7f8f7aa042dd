//! The screen hours with mocked time and a clock the test moves: dark
//! outside `[kiosk] screen_hours`, the touch that wakes it presses nothing
//! under the finger, the next one does; dark again a few minutes after the
//! last touch.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use anjungan::screen_hours::ScreenHours;
use chrono::{DateTime, FixedOffset};
use kiosk::screen::WAKE_SECONDS;
use kiosk::ui::{KioskAdapter, Screen as UiScreen};
use slint::ComponentHandle;

use crate::common;

const CATEGORY: &str = "Kependudukan dan Pencatatan Sipil";

fn seconds(n: u32) {
    for _ in 0..n {
        i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(1));
    }
}

fn time(rfc3339: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap()
}

pub fn dark_outside_the_hours_and_the_waking_touch_presses_nothing() {
    // Monday 10:00: in the office's hours.
    let now = Rc::new(Cell::new(time(common::MONDAY_MORNING)));
    let mut settings = common::settings(90);
    let clock = now.clone();
    settings.clock = Rc::new(move || clock.get());
    settings.screen_hours = ScreenHours::try_from(vec![
        "mon-fri 07:00-16:00".to_string(),
        "sat 07:00-12:00".to_string(),
    ])
    .unwrap();
    let s = common::open_with(1280.0, 800.0, settings);
    s.kiosk.start_idle_timer();
    let adapter = || s.window.global::<KioskAdapter>();
    assert!(!adapter().get_screen_off());

    // Someone is looking at a category when the hours end: they keep the
    // screen for a few minutes after their last touch; then it goes dark,
    // and home is behind the dark.
    s.tap(CATEGORY);
    assert_eq!(adapter().get_screen(), UiScreen::Category);
    now.set(time("2026-11-30T16:00:00+07:00"));
    seconds(60);
    assert!(!adapter().get_screen_off(), "lit while in use");
    seconds(WAKE_SECONDS);
    assert!(adapter().get_screen_off(), "dark after the hours");
    assert!(s.kiosk.screen_is_dark());
    assert_eq!(adapter().get_screen(), UiScreen::Home);
    assert!(s.has("screen off"), "the black cover is on screen");

    // It stays dark, and does no idle reset behind the dark.
    seconds(200);
    assert!(adapter().get_screen_off());
    assert_eq!(adapter().get_screen(), UiScreen::Home);

    // A tap on the category tile under the dark: it only wakes the screen.
    s.tap(CATEGORY);
    assert!(!adapter().get_screen_off(), "woken");
    assert_eq!(adapter().get_screen(), UiScreen::Home, "nothing pressed");
    // The next tap presses the tile.
    s.tap(CATEGORY);
    assert_eq!(adapter().get_screen(), UiScreen::Category);

    // Dark again WAKE_SECONDS after the last touch (the idle reset went
    // to the attract screen on the way).
    seconds(WAKE_SECONDS - 1);
    assert!(!adapter().get_screen_off());
    seconds(1);
    assert!(adapter().get_screen_off());

    // Sunday: dark all day; Tuesday 07:00 lights it by itself.
    now.set(time("2026-12-06T10:00:00+07:00"));
    seconds(5);
    assert!(adapter().get_screen_off());
    now.set(time("2026-12-08T07:00:00+07:00"));
    seconds(1);
    assert!(!adapter().get_screen_off(), "lit when the hours begin");
    assert_eq!(adapter().get_screen(), UiScreen::Home);
}

/// A kiosk started (or restarted) outside the hours is dark from its
/// first frame.
pub fn started_outside_the_hours_it_is_dark_at_once() {
    let mut settings = common::settings(90);
    let night = time("2026-11-30T22:00:00+07:00");
    settings.clock = Rc::new(move || night);
    settings.screen_hours = ScreenHours::try_from(vec!["mon-fri 07:00-16:00".to_string()]).unwrap();
    let s = common::open_with(800.0, 480.0, settings);
    s.kiosk.start_idle_timer();
    assert!(s.window.global::<KioskAdapter>().get_screen_off());
    s.tap("screen off");
    assert!(!s.window.global::<KioskAdapter>().get_screen_off());
}
