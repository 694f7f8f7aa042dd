//! When the screen is lit: `[kiosk] screen_hours` say when it should be,
//! and a touch outside them lights it for [`WAKE_SECONDS`]. Ticked once a
//! second by the app's timer (as the idle clock is), so tests drive it
//! with Slint's mocked time; the schedule itself is
//! `anjungan::screen_hours`.

/// How long a touch keeps the screen lit outside its hours: long enough
/// to look up a service, short enough not to light an empty hall all night.
pub const WAKE_SECONDS: u32 = 300;

#[derive(Debug, Clone, Default)]
pub struct ScreenPower {
    dark: bool,
    /// Seconds the last touch still keeps the screen lit, whatever the hours.
    awake_left: u32,
}

impl ScreenPower {
    pub fn new() -> ScreenPower {
        ScreenPower::default()
    }

    pub fn is_dark(&self) -> bool {
        self.dark
    }

    /// Decides without letting time pass (at start); `in_hours` is what
    /// the schedule says now. Returns whether it changed.
    pub fn check(&mut self, in_hours: bool) -> bool {
        let dark = !in_hours && self.awake_left == 0;
        std::mem::replace(&mut self.dark, dark) != dark
    }

    /// One second passed. Returns whether the screen changed (lit to dark
    /// or back).
    pub fn tick(&mut self, in_hours: bool) -> bool {
        self.awake_left = self.awake_left.saturating_sub(1);
        self.check(in_hours)
    }

    /// A touch on the lit screen: whoever is using it keeps it lit a while,
    /// even when the hours end under their finger.
    pub fn touched(&mut self) {
        if !self.dark {
            self.awake_left = WAKE_SECONDS;
        }
    }

    /// The touch (or the presence sensor) that wakes a dark screen: lit
    /// for [`WAKE_SECONDS`]. Returns whether it was dark.
    pub fn wake(&mut self) -> bool {
        self.awake_left = WAKE_SECONDS;
        std::mem::replace(&mut self.dark, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dark_outside_the_hours_lit_inside() {
        let mut p = ScreenPower::new();
        assert!(!p.check(true));
        assert!(!p.is_dark());
        assert!(p.tick(false), "the hours end: dark");
        assert!(p.is_dark());
        assert!(!p.tick(false));
        assert!(p.tick(true), "the hours begin: lit");
        assert!(!p.is_dark());
    }

    #[test]
    fn a_touch_wakes_for_a_while_and_each_touch_extends_it() {
        let mut p = ScreenPower::new();
        p.check(false);
        assert!(p.is_dark());
        p.touched();
        assert!(p.is_dark(), "a touch through the dark screen is not a use");
        assert!(p.wake());
        assert!(!p.wake(), "already lit");
        for _ in 0..WAKE_SECONDS - 1 {
            assert!(!p.tick(false));
        }
        p.touched();
        for _ in 0..WAKE_SECONDS - 1 {
            assert!(!p.tick(false));
        }
        assert!(
            p.tick(false),
            "dark again {WAKE_SECONDS} s after the last touch"
        );
        assert!(p.is_dark());
    }

    #[test]
    fn someone_using_it_at_closing_time_is_not_cut_off() {
        let mut p = ScreenPower::new();
        p.check(true);
        p.touched();
        assert!(!p.tick(false));
        assert!(!p.is_dark());
        for _ in 0..WAKE_SECONDS - 2 {
            p.tick(false);
        }
        assert!(p.tick(false));
        assert!(p.is_dark());
    }
}
