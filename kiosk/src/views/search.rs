//! `SearchAdapter`: the results of what was typed (the query box itself is
//! kiosk-wide, see `render`).

use slint::ComponentHandle;

use super::{Scene, model};
use crate::controller::Bind;
use crate::pages;
use crate::ui::{KioskWindow, SearchAdapter};

pub fn bind(w: &KioskWindow, b: &Bind) {
    let s = w.global::<SearchAdapter>();
    // A key that types nothing (a second space, past the longest query)
    // draws nothing either.
    s.on_key(b.with(|k, key| k.update_if(|s| s.type_key(&key))));
    s.on_backspace(b.on(|k| k.update_if(|s| s.backspace())));
    s.on_clear(b.on(|k| k.update_if(|s| s.clear_query())));
    s.on_open_service(b.with(|k, id| k.update(|s| s.open_service(&id))));
}

pub fn render(w: &KioskWindow, scene: &Scene) {
    let session = scene.session;
    w.global::<SearchAdapter>()
        .set_results(model(pages::search_results(
            scene.catalog,
            scene.index,
            &session.query,
            session.lang,
        )));
}
