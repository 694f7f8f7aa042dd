//! The idle reset: a tick every second counts the time without a touch;
//! the countdown shows, then the session resets for the next person.

use std::rc::Rc;
use std::time::Duration;

use slint::ComponentHandle;

use super::Kiosk;
use crate::idle::Phase;
use crate::session::{Screen, Session};
use crate::ui::KioskAdapter;

impl Kiosk {
    /// Starts the idle reset: a tick every second, counted in Slint's time
    /// (so the testing backend's mocked time drives it too).
    pub fn start_idle_timer(&self) {
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

    /// A touch: the session is alive; any countdown disappears.
    pub fn touched(&self) {
        self.inner.state.borrow_mut().idle.touch();
        if let Some(w) = self.inner.window.upgrade() {
            w.global::<KioskAdapter>().set_countdown(0);
        }
    }

    fn idle_tick(&self) {
        let phase = {
            let mut state = self.inner.state.borrow_mut();
            if state.session.screen == Screen::Attract {
                // Nothing left to reset.
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
