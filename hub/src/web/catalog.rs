//! The catalog page (what is published, when, and on how many devices it
//! is installed) and the catalog's URL for devices: `GET /v1/catalog.json`
//! and `/v1/catalog.json.minisig`, the newest publication, with a strong
//! ETag (the SHA-256 of the file) and `If-None-Match` answered 304, so an
//! unchanged catalog costs a device one small request. These two need no
//! login: a device pulls without one, and the catalog is public anyway
//! (the signature, not the hub, is what a device trusts).

use anjungan::Lang;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::auth::page_response;
use super::{Staff, layout};
use crate::publish::{self, Publication};
use crate::{Hub, Result};

/// Publications the page lists.
const SHOWN: i64 = 50;

pub async fn show(State(hub): State<Hub>, staff: Staff) -> Result<Response> {
    let published = publish::history(&hub.pool, SHOWN).await?;
    let lang = staff.lang;
    let title = lang.choose("Katalog yang diterbitkan", "Published catalogs");
    Ok(page_response(
        StatusCode::OK,
        layout::page(&staff, "/catalog", title, list(lang, &published)),
    ))
}

fn list(lang: Lang, published: &[Publication]) -> Markup {
    let t = |id: &'static str, en: &'static str| lang.choose(id, en);
    html! {
        section {
            (t("Perangkat mengambil katalog terbaru dari ", "Devices pull the newest catalog from "))
            code { "/v1/catalog.json" }
            (t(" (atur [sync] catalog_url). Terbitkan dengan: ",
               " (set [sync] catalog_url). Publish with: "))
            code { "anjungan-hub catalog publish BUNDLE.json BUNDLE.json.minisig --public-key region.pub" }
        }
        @if published.is_empty() {
            section id="nothing" { (t("Belum ada katalog yang diterbitkan.", "No catalog has been published yet.")) }
        } @else {
            section.scroll {
                table id="catalogs" {
                    thead { tr {
                        th { "#" }
                        th { (t("Versi (published)", "Version (published)")) }
                        th { (t("Wilayah", "Region")) }
                        th { (t("Layanan", "Services")) }
                        th { (t("Ditandatangani", "Signed")) }
                        th { (t("Diterbitkan di hub", "Published at the hub")) }
                        th { (t("Terpasang di perangkat", "Installed on devices")) }
                    } }
                    tbody {
                        @for (i, p) in published.iter().enumerate() {
                            tr id={ "publication-" (p.id) } {
                                td { (p.id) @if i == 0 { " " b { (t("(disajikan)", "(served)")) } } }
                                td { (p.published) }
                                td { (p.region_name) }
                                td { (p.services) }
                                td { (layout::moment(&p.signed_at)) }
                                td { (layout::moment(&p.published_at)) }
                                td.installed { (p.installed_on) }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub async fn bundle(State(hub): State<Hub>, headers: HeaderMap) -> Result<Response> {
    serve(&hub, &headers, false).await
}

pub async fn signature(State(hub): State<Hub>, headers: HeaderMap) -> Result<Response> {
    serve(&hub, &headers, true).await
}

async fn serve(hub: &Hub, headers: &HeaderMap, signature: bool) -> Result<Response> {
    let if_none_match = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    let Some(served) = publish::newest(&hub.pool, signature, if_none_match).await? else {
        return Ok((
            StatusCode::NOT_FOUND,
            "no catalog is published yet; publish one with `anjungan-hub catalog publish`\n",
        )
            .into_response());
    };
    let etag = HeaderValue::from_str(&served.etag).expect("hex in quotes is a valid header");
    // Devices and any cache in between ask every time (the ETag makes
    // that cheap): a new publication reaches them at their next pull.
    let cache = HeaderValue::from_static("no-cache");
    let Some(bytes) = served.bytes else {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag), (header::CACHE_CONTROL, cache)],
        )
            .into_response());
    };
    let kind = if signature {
        "text/plain; charset=utf-8"
    } else {
        "application/json"
    };
    Ok((
        StatusCode::OK,
        [
            (header::ETAG, etag),
            (header::CACHE_CONTROL, cache),
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
        ],
        bytes,
    )
        .into_response())
}
