//! Searching with the on-screen keyboard, through the testing backend: the
//! results follow every key and come from the foundation's search.

use kiosk::ui::{KioskAdapter, Screen as UiScreen, SearchAdapter};
use slint::{ComponentHandle, Model};

use crate::common;

pub fn type_on_the_keyboard_and_open_a_result() {
    // The smallest panel: keys must still be a fingertip (9 mm ≈ 47 px on 7").
    let s = common::open(800.0, 480.0, 90);
    let search = s.window.global::<SearchAdapter>();
    let ids = || -> Vec<String> {
        search
            .get_results()
            .iter()
            .map(|r| r.id.to_string())
            .collect()
    };

    s.tap("Cari layanan");
    assert_eq!(
        s.window.global::<KioskAdapter>().get_screen(),
        UiScreen::Search
    );
    assert!(ids().is_empty());

    s.tap_checking_size("A", 47.0);
    assert_eq!(search.get_query(), "a");
    let after_one_key = ids();
    s.type_text("kte");
    assert_eq!(search.get_query(), "akte");
    assert_ne!(ids(), after_one_key, "results follow every key");
    s.type_text(" lahir");
    assert_eq!(search.get_query(), "akte lahir");
    let results = ids();
    assert!(
        results.iter().take(3).any(|id| id.contains("lahir")),
        "akte lahir finds the birth certificate first: {results:?}"
    );
    assert!(s.has("Hapus satu huruf") && s.has("Spasi") && s.has("Hapus"));

    s.tap("Hapus satu huruf");
    assert_eq!(search.get_query(), "akte lahi");
    s.tap("Hapus");
    assert_eq!(search.get_query(), "");
    assert!(ids().is_empty());

    s.type_text("ktp");
    let first = search.get_results().row_data(0).unwrap();
    assert_eq!(first.id, "ktp-el-baru");
    s.tap(&first.name);
    assert_eq!(
        s.window.global::<KioskAdapter>().get_screen(),
        UiScreen::Service
    );
    s.tap("Kembali");
    assert_eq!(
        s.window.global::<KioskAdapter>().get_screen(),
        UiScreen::Search
    );
    assert_eq!(search.get_query(), "ktp", "back to the results, query kept");

    // Nothing found says so, in the citizen's language, with what they typed.
    s.type_text("qqqqqq");
    assert!(ids().is_empty());
    assert!(
        s.has("Tidak ada hasil untuk \"ktpqqqqqq\". Coba kata lain."),
        "nothing found is said on screen"
    );
}
