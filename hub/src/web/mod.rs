//! The region's staff pages: the IKM report (`ikm_page`) and the
//! complaints inbox (`complaints_page`), server-rendered with maud (every
//! text escaped), behind the staff guard (`guard`).

pub mod complaints_page;
pub mod guard;
pub mod ikm_page;

use std::sync::Arc;

use anjungan::Lang;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use deadpool_postgres::Pool;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Deserialize;

pub use guard::{Guard, Staff};

/// What the pages share.
pub struct Web {
    pub pool: Pool,
    pub guard: Guard,
    /// Complaints' contacts are erased after this many days.
    pub keep_contact_days: u32,
}

/// The staff pages' routes.
pub fn routes(web: Arc<Web>) -> Router {
    Router::new()
        .route("/staff/login", get(guard::login_form).post(guard::login))
        .route("/ikm", get(ikm_page::page))
        .route("/ikm.json", get(ikm_page::json))
        .route("/complaints", get(complaints_page::inbox))
        .route(
            "/complaints/{id}",
            get(complaints_page::complaint).post(complaints_page::set_status),
        )
        .with_state(web)
}

/// `?lang=en` for English; Indonesian otherwise.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LangQuery {
    #[serde(default)]
    lang: Option<String>,
}

impl LangQuery {
    pub fn lang(self) -> Lang {
        lang_of(self.lang.as_deref())
    }
}

pub fn lang_of(code: Option<&str>) -> Lang {
    if code == Some("en") {
        Lang::En
    } else {
        Lang::Id
    }
}

const STYLE: &str = "body{font-family:sans-serif;margin:1em auto;max-width:60em;padding:0 1em;line-height:1.4}\
nav a{margin-right:1em}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .5em;text-align:left;vertical-align:top}\
form.filters label{display:inline-block;margin:0 1em .5em 0}.text{white-space:pre-wrap}";

/// The frame of every staff page (hubweb's layout takes its place at merge).
pub fn frame(title: &str, lang: Lang, extra_style: &str, body: Markup) -> Html<String> {
    let t = |id: &'static str, en: &'static str| lang.choose(id, en);
    let q = if lang == Lang::En { "?lang=en" } else { "" };
    Html(
        html! {
            (DOCTYPE)
            html lang=(lang.code()) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " – Anjungan hub" }
                    style { (PreEscaped(STYLE)) (PreEscaped(extra_style)) }
                }
                body {
                    nav {
                        a href={ "/ikm" (q) } { (t("IKM wilayah", "Region IKM")) }
                        a href={ "/complaints" (q) } { (t("Pengaduan", "Complaints")) }
                    }
                    h1 { (title) }
                    (body)
                }
            }
        }
        .into_string(),
    )
}

/// A failure shown to staff: the hub's own sentence, at its status.
pub fn failure(e: crate::Error) -> Response {
    e.into_response()
}

/// A plain 400 with what to do.
pub fn bad_request(text: String) -> Response {
    (StatusCode::BAD_REQUEST, text).into_response()
}
