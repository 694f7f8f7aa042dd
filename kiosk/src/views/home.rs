//! `HomeAdapter`: the category tiles, the announcements, the free Wi-Fi
//! (also on the attract screen), the queue numbers now called (on the
//! attract screen).

use slint::ComponentHandle;

use super::{Scene, model};
use crate::controller::{Bind, Kiosk};
use crate::pages;
use crate::session::Session;
use crate::ui::{HomeAdapter, KioskWindow};

pub fn bind(w: &KioskWindow, b: &Bind) {
    let h = w.global::<HomeAdapter>();
    h.on_open_category(b.with(|k, id| k.update(|s| s.open_category(&id))));
    h.on_open_search(b.on(|k| k.update(Session::open_search)));
    h.on_print_voucher(b.on(Kiosk::print_voucher));
}

pub fn render(w: &KioskWindow, scene: &Scene) {
    let (catalog, lang, settings) = (scene.catalog, scene.session.lang, scene.settings);
    let h = w.global::<HomeAdapter>();
    h.set_categories(model(pages::category_tiles(catalog, lang)));
    h.set_announcements(model(pages::announcements(catalog, scene.now, lang)));
    h.set_wifi_qr(scene.wifi_qr.clone());
    h.set_wifi_name(settings.wifi_name.as_str().into());
    h.set_calling(model(pages::calling(scene.queue)));
    h.set_can_print_voucher(settings.voucher_offered(scene.session).is_some());
}
