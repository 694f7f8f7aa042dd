//! The Catalog page: what is installed, the last imports, and uploading a
//! bundle, which goes through the very import of `anjungan catalog import`
//! (the same validation, the same refusal: a refused bundle changes
//! nothing). The portal picks the new catalog up within half a minute,
//! the kiosk likewise.

use std::sync::Arc;

use anjungan::Lang;
use anjungan::catalog::{self, Installed};
use axum::Extension;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};

use super::layout::{self, csrf, notice};
use super::logins::Visit;
use super::{Dashboard, failure, stale_form};

struct Facts {
    installed: Option<Installed>,
    region: String,
    services: usize,
    history: Vec<(String, String, String, String)>,
}

pub async fn show(State(d): State<Arc<Dashboard>>, Extension(visit): Extension<Visit>) -> Response {
    render(&d, &visit, None).await
}

async fn render(d: &Arc<Dashboard>, visit: &Visit, done: Option<(bool, String)>) -> Response {
    let facts = d
        .blocking(|_, store| {
            let c = catalog::load(store)?;
            Ok(Facts {
                installed: c.installed().cloned(),
                region: c.bundle().region.name.clone(),
                services: c.services().len(),
                history: catalog::history(store, 10)?,
            })
        })
        .await;
    match facts {
        Ok(f) => super::html(StatusCode::OK, page(d, visit, &f, done)),
        Err(e) => failure(visit, &e),
    }
}

/// The form's two parts: the token, then the bundle.
pub async fn upload(
    State(d): State<Arc<Dashboard>>,
    Extension(visit): Extension<Visit>,
    mut form: Multipart,
) -> Response {
    let lang = visit.lang;
    let (mut token, mut bundle) = (None, None);
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_owned();
                let file = field.file_name().unwrap_or("upload").to_owned();
                match (name.as_str(), field.bytes().await) {
                    ("csrf", Ok(b)) => token = Some(String::from_utf8_lossy(&b).into_owned()),
                    ("bundle", Ok(b)) => bundle = Some((file, b)),
                    (_, Ok(_)) => {}
                    (_, Err(e)) => return refused(&d, &visit, &e.body_text()).await,
                }
            }
            Ok(None) => break,
            Err(e) => return refused(&d, &visit, &e.body_text()).await,
        }
    }
    if !token.is_some_and(|t| visit.csrf_ok(&t)) {
        return stale_form(&visit);
    }
    let Some((file, bytes)) = bundle.filter(|(_, b)| !b.is_empty()) else {
        let text = lang.choose("Pilih berkas katalog dulu.", "Choose a catalog file first.");
        return refused(&d, &visit, text).await;
    };
    let source = format!("dashboard upload {file}");
    let imported = d
        .blocking(move |_, store| Ok(catalog::import(store, &bytes, &source)))
        .await;
    match imported {
        Ok(Ok(i)) => {
            let text = match lang {
                Lang::Id => format!(
                    "Katalog {} terbit {} dipasang: {} layanan (generasi {}).",
                    i.region_name, i.published, i.services, i.generation
                ),
                Lang::En => format!(
                    "Installed the catalog of {} published {}: {} services (generation {}).",
                    i.region_name, i.published, i.services, i.generation
                ),
            };
            render(&d, &visit, Some((true, text))).await
        }
        // The command line's own sentence: "catalog refused, nothing was
        // changed: services[3].category: ...".
        Ok(Err(e)) => refused(&d, &visit, &e.to_string()).await,
        Err(e) => failure(&visit, &e),
    }
}

async fn refused(d: &Arc<Dashboard>, visit: &Visit, text: &str) -> Response {
    let mut r = render(d, visit, Some((false, text.to_owned()))).await;
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    r
}

fn page(d: &Dashboard, visit: &Visit, f: &Facts, done: Option<(bool, String)>) -> Markup {
    let lang = visit.lang;
    let t = |id: &'static str, en: &'static str| lang.choose(id, en);
    let body = html! {
        @if let Some((ok, text)) = done { (notice(ok, &text)) }
        section {
            h2 { (t("Terpasang", "Installed")) }
            @match &f.installed {
                Some(i) => dl {
                    dt { (t("Wilayah", "Region")) } dd id="region" { (i.region_name) }
                    dt { (t("Terbit", "Published")) } dd { (i.published) }
                    dt { (t("Layanan", "Services")) } dd { (i.services) }
                    dt { (t("Dipasang", "Installed")) } dd { (i.installed_at) " " small { (i.source) } }
                    dt { (t("Generasi", "Generation")) } dd { (i.generation) }
                },
                None => p id="region" {
                    (t("Katalog contoh bawaan: ", "The built-in demo catalog: ")) (f.region) ", " (f.services) (t(" layanan.", " services."))
                },
            }
        }
        section {
            h2 { (t("Pasang katalog baru", "Install a new catalog")) }
            form method="post" action="/catalog" enctype="multipart/form-data" {
                (csrf(visit))
                label for="bundle" { (t("Berkas katalog (JSON)", "Catalog bundle (JSON)")) }
                input id="bundle" type="file" name="bundle" accept=".json,application/json" required;
                p { button id="upload" type="submit" { (t("Periksa dan pasang", "Check and install")) } }
                p { small { (t("Katalog yang ditolak tidak mengubah apa pun.", "A refused bundle changes nothing.")) } }
            }
        }
        section {
            h2 { (t("Impor terakhir", "Last imports")) }
            div.scroll { table {
                tbody {
                    @for (at, source, outcome, detail) in &f.history {
                        tr { td { (at) } td { (outcome) } td { (source) } td { (detail) } }
                    }
                }
            } }
        }
    };
    layout::page(
        visit,
        d.device_name(),
        "/catalog",
        t("Katalog layanan", "Service catalog"),
        body,
    )
}
