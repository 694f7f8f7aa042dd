//! Taps through the kiosk with Slint's testing backend: home, a category, a
//! service and back; switching language on the way; large text and high
//! contrast.

use kiosk::ui::{KioskAdapter, Screen as UiScreen, ServiceAdapter, Theme};
use slint::ComponentHandle;

use crate::common;

pub fn tap_home_category_service_back_and_switch_language() {
    let s = common::open(1280.0, 800.0, 90);
    let adapter = || s.window.global::<KioskAdapter>();
    assert_eq!(adapter().get_screen(), UiScreen::Home);
    assert_eq!(adapter().get_region(), "Kabupaten Banyumas");

    // Home → category, with a tile big enough for a finger (9 mm ≈ 53 px
    // on a 10" 1280x800 panel).
    s.tap_checking_size("Kependudukan dan Pencatatan Sipil", 53.0);
    assert_eq!(adapter().get_screen(), UiScreen::Category);

    // Category → service.
    s.tap("Perekaman dan penerbitan KTP-el baru");
    assert_eq!(adapter().get_screen(), UiScreen::Service);
    let service = s.window.global::<ServiceAdapter>();
    assert_eq!(service.get_id(), "ktp-el-baru");
    assert!(s.has("Cetak halaman ini"), "the Print action");
    assert!(s.has("Nilai layanan ini"), "the Survey entry");
    assert!(s.has("Buka sampai 15.30"), "today's status");
    assert!(s.has("Lanjutkan di ponsel"), "the QR code of online_url");

    // Switch language on the service screen: interface and catalog text
    // change at once, on the same screen.
    s.tap("English");
    assert_eq!(adapter().get_language(), "en");
    assert_eq!(adapter().get_screen(), UiScreen::Service);
    assert_eq!(service.get_name(), "New electronic ID card (KTP-el)");
    assert!(s.has("Print this page"));
    assert!(s.has("Open until 15:30"));

    // Back → category (in English now), back → home.
    s.tap("Back");
    assert_eq!(adapter().get_screen(), UiScreen::Category);
    assert!(s.has("New electronic ID card (KTP-el)"));
    s.tap("Back");
    assert_eq!(adapter().get_screen(), UiScreen::Home);
    assert!(s.has("Civil registration and ID documents"));

    // And back to Indonesian.
    s.tap("Bahasa Indonesia");
    assert!(s.has("Kependudukan dan Pencatatan Sipil"));
    assert!(s.has("Cari layanan"));

    // Large text and high contrast are toggles reachable from home.
    s.tap("Huruf besar");
    assert!(s.window.global::<Theme>().get_large_text());
    s.tap("Kontras tinggi");
    assert!(s.window.global::<Theme>().get_high_contrast());
    s.tap("Huruf besar");
    assert!(!s.window.global::<Theme>().get_large_text());

    // Home from deep inside, in one tap.
    s.tap("Informasi dan Pengaduan");
    let first = s
        .window
        .global::<kiosk::ui::CategoryAdapter>()
        .get_services();
    use slint::Model;
    let name = first.row_data(0).unwrap().name;
    s.tap(&name);
    assert_eq!(adapter().get_screen(), UiScreen::Service);
    s.tap("Beranda");
    assert_eq!(adapter().get_screen(), UiScreen::Home);
}
