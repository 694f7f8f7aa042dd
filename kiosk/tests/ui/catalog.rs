//! A newly installed catalog arrives from the watcher's thread (loaded and
//! indexed there) and is swapped in when the UI thread is woken: shown at
//! once, and a screen about a service that is gone goes home.

use std::sync::mpsc::channel;

use anjungan::catalog::{Catalog, Fresh, demo};
use anjungan::search::SearchIndex;
use kiosk::ui::{KioskAdapter, Screen as UiScreen, SearchAdapter};
use slint::{ComponentHandle, Model};

use crate::common;

pub fn a_new_catalog_is_swapped_in_and_a_gone_service_goes_home() {
    let s = common::open(1280.0, 800.0, 90);
    let (found, catalogs) = channel();
    s.kiosk.follow_catalogs(catalogs);
    s.tap("Kependudukan dan Pencatatan Sipil");
    s.tap("Perekaman dan penerbitan KTP-el baru");
    assert_eq!(
        s.window.global::<KioskAdapter>().get_screen(),
        UiScreen::Service
    );

    let mut bundle = demo::bundle();
    bundle.region.name = "Kabupaten Baru".into();
    bundle.services.retain(|s| s.id != "ktp-el-baru");
    let catalog = Catalog::new(bundle, None);
    let index = SearchIndex::build(&catalog);
    found
        .send(Fresh {
            generation: 2,
            catalog,
            index,
        })
        .unwrap();
    // Nothing changes until the UI thread is woken and reads it.
    assert_eq!(
        s.window.global::<KioskAdapter>().get_region(),
        "Kabupaten Banyumas"
    );
    s.kiosk.receive();
    assert_eq!(
        s.window.global::<KioskAdapter>().get_region(),
        "Kabupaten Baru"
    );
    assert_eq!(
        s.window.global::<KioskAdapter>().get_screen(),
        UiScreen::Home
    );

    // The search uses the new index.
    s.tap("Cari layanan");
    s.type_text("ktp el baru");
    let results = s.window.global::<SearchAdapter>().get_results();
    assert!(
        results.iter().all(|r| r.id != "ktp-el-baru"),
        "a service gone from the catalog is not found"
    );
}
