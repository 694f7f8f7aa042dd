//! The idle reset: a tick every second counts the time without a touch;
//! the countdown shows, then the session resets for the next person.
//! The same tick darkens the screen outside `[kiosk] screen_hours`.

use std::rc::Rc;
use std::time::Duration;

use slint::ComponentHandle;

use super::Kiosk;
use crate::idle::Phase;
use crate::session::{Screen, Session};
use crate::ui::KioskAdapter;

impl Kiosk {
    /// Starts the idle reset and the screen hours: a tick every second,
    /// counted in Slint's time (so the testing backend's mocked time drives
    /// it too). Outside the hours the screen is dark from the start.
    pub fn start_idle_timer(&self) {
        let in_hours = self.in_screen_hours();
        let changed = self.inner.state.borrow_mut().power.check(in_hours);
        if changed {
            self.show_power();
        }
        let weak = Rc::downgrade(&self.inner);
        self.inner.idle_timer.start(
            slint::TimerMode::Repeated,
            Duration::from_secs(1),
            move || {
                if let Some(inner) = weak.upgrade() {
                    Kiosk { inner }.idle_tick();
                }
            },
        );
    }

    /// Lets the dark screen turn the panel's backlight off (and on again):
    /// `light(true)` is on. Called at once with the present state, which
    /// also lights a backlight a previous run left off.
    pub fn use_backlight(&self, light: super::BacklightSwitch) {
        light(!self.inner.state.borrow().power.is_dark());
        *self.inner.backlight.borrow_mut() = Some(light);
    }

    /// A touch: the session is alive; any countdown disappears.
    pub fn touched(&self) {
        {
            let mut state = self.inner.state.borrow_mut();
            state.idle.touch();
            state.power.touched();
        }
        if let Some(w) = self.inner.window.upgrade() {
            w.global::<KioskAdapter>().set_countdown(0);
        }
    }

    /// The touch on the dark screen (its black cover takes it, so nothing
    /// under the finger is pressed), or someone at the presence sensor:
    /// lights the screen for a few minutes. Returns whether it was dark.
    pub fn wake_screen(&self) -> bool {
        let was_dark = {
            let mut state = self.inner.state.borrow_mut();
            state.idle.touch();
            state.power.wake()
        };
        if was_dark {
            self.show_power();
        }
        was_dark
    }

    pub fn screen_is_dark(&self) -> bool {
        self.inner.state.borrow().power.is_dark()
    }

    fn in_screen_hours(&self) -> bool {
        let now = (self.inner.settings.clock)();
        self.inner.settings.screen_hours.is_on(now.naive_local())
    }

    /// Shows the screen as dark or lit, as `power` now says. Going dark
    /// leaves a fresh home screen behind it, as the idle reset would: the
    /// next person (maybe tomorrow) sees nothing of the last.
    fn show_power(&self) {
        let dark = self.screen_is_dark();
        if dark {
            let gone = {
                let mut state = self.inner.state.borrow_mut();
                state.visit += 1;
                state.session.printing.clone()
            };
            self.abandon(gone);
            self.update(|s| *s = Session::new());
        }
        if let Some(w) = self.inner.window.upgrade() {
            let adapter = w.global::<KioskAdapter>();
            adapter.set_countdown(0);
            adapter.set_screen_off(dark);
        }
        if let Some(light) = self.inner.backlight.borrow().as_ref() {
            light(!dark);
        }
    }

    fn idle_tick(&self) {
        let in_hours = self.in_screen_hours();
        let changed = self.inner.state.borrow_mut().power.tick(in_hours);
        if changed {
            self.show_power();
        }
        let phase = {
            let mut state = self.inner.state.borrow_mut();
            if state.session.screen == Screen::Attract || state.power.is_dark() {
                // Nothing left to reset, or no one there to see it.
                state.idle.touch();
                return;
            }
            state.idle.tick()
        };
        let Some(w) = self.inner.window.upgrade() else {
            return;
        };
        match phase {
            Phase::Active => w.global::<KioskAdapter>().set_countdown(0),
            Phase::Countdown(left) => w.global::<KioskAdapter>().set_countdown(left as i32),
            Phase::Expired => {
                let gone = {
                    let mut state = self.inner.state.borrow_mut();
                    state.idle.touch();
                    state.visit += 1;
                    state.session.printing.clone()
                };
                self.abandon(gone);
                w.global::<KioskAdapter>().set_countdown(0);
                self.update(Session::reset);
            }
        }
    }
}
