//! `KioskAdapter` and `Theme`: what every screen shares (the top bar, the
//! language, the display settings, the staff card, the idle countdown's
//! touches) and the news callback the other threads wake the screen with.

use slint::ComponentHandle;

use super::Scene;
use crate::controller::{Bind, Kiosk};
use crate::session::Session;
use crate::ui::{KioskAdapter, KioskWindow, Theme};

pub fn bind(w: &KioskWindow, b: &Bind) {
    let k = w.global::<KioskAdapter>();
    k.on_touched(b.on(Kiosk::touched));
    k.on_wake(b.on(|k| {
        k.wake_screen();
    }));
    k.on_back(b.on(Kiosk::step_back));
    k.on_go_home(b.on(|k| k.update(Session::home)));
    k.on_select_language(b.with(|k, code| {
        if let Ok(lang) = code.parse() {
            k.update(|s| s.lang = lang)
        }
    }));
    k.on_set_large_text(b.flag(|s, on| s.large_text = on));
    k.on_set_high_contrast(b.flag(|s, on| s.high_contrast = on));
    k.on_call_staff(b.on(|k| k.call_staff("screen")));
    k.on_close_staff_call(b.on(|k| k.update(|s| s.staff_called = false)));
    k.on_news(b.on(Kiosk::receive));
}

pub fn render(w: &KioskWindow, scene: &Scene) {
    let session = scene.session;
    let theme = w.global::<Theme>();
    theme.set_large_text(session.large_text);
    theme.set_high_contrast(session.high_contrast);
    let k = w.global::<KioskAdapter>();
    k.set_language(session.lang.code().into());
    k.set_region(scene.catalog.bundle().region.name.as_str().into());
    k.set_office(scene.settings.office.as_str().into());
    k.set_staff_called(session.staff_called);
}
