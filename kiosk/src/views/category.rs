//! `CategoryAdapter`: one category's services.

use slint::ComponentHandle;

use super::{Scene, model};
use crate::controller::Bind;
use crate::pages;
use crate::ui::{CategoryAdapter, KioskWindow};

pub fn bind(w: &KioskWindow, b: &Bind) {
    w.global::<CategoryAdapter>()
        .on_open_service(b.with(|k, id| k.update(|s| s.open_service(&id))));
}

pub fn render(w: &KioskWindow, scene: &Scene, id: &str) {
    let (catalog, lang) = (scene.catalog, scene.session.lang);
    let c = w.global::<CategoryAdapter>();
    let category = catalog.category(id);
    c.set_name(
        category
            .map(|c| c.name.get(lang.code()))
            .unwrap_or_default()
            .into(),
    );
    c.set_icon(
        category
            .and_then(|c| c.icon.as_deref())
            .unwrap_or_default()
            .into(),
    );
    c.set_services(model(pages::category_services(catalog, id, lang)));
}
