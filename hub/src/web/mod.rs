//! The region's pages (server-rendered HTML in Bahasa Indonesia and
//! English, behind a staff login) and the catalog's URL for devices.
//!
//! - `auth`: login, logout, sessions in PostgreSQL, the [`Staff`]
//!   extractor every page takes (no login: a redirect to `/login`, or 401
//!   on a JSON path), the CSRF token every form carries;
//! - `throttle`: wrong passwords slow the next try, counted in PostgreSQL;
//! - `layout`: the page shell, the menu, escaping (maud escapes every
//!   value);
//! - `fleet`: each device's last contact and status, worst first;
//! - `catalog`: the published catalogs, and `GET /v1/catalog.json` (+
//!   `.minisig`) with a strong ETag;
//! - `ikm_page`: the region's IKM (`/ikm`, `/ikm.json`);
//! - `complaints_page`: the complaints inbox and one complaint's status
//!   form.
//!
//! A new page: its module here, its route in [`routes`], its entry in
//! `layout::PAGES`, a [`Staff`] argument in each handler, and
//! `staff.form_refused(...)` first in each POST handler.

pub mod auth;
pub mod catalog;
pub mod complaints_page;
pub mod fleet;
pub mod ikm_page;
pub mod layout;
pub mod throttle;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

pub use auth::Staff;

use crate::Hub;

/// Forms are small.
pub const MAX_FORM_BYTES: usize = 16 * 1024;

pub fn routes() -> Router<Hub> {
    Router::new()
        .route("/login", get(auth::form).post(auth::submit))
        .route("/logout", post(auth::logout))
        .route("/", get(fleet::show))
        .route("/fleet", get(fleet::show))
        .route("/fleet.json", get(fleet::json))
        .route("/catalog", get(catalog::show))
        .route("/v1/catalog.json", get(catalog::bundle))
        .route("/v1/catalog.json.minisig", get(catalog::signature))
        .route("/ikm", get(ikm_page::page))
        .route("/ikm.json", get(ikm_page::json))
        .route("/complaints", get(complaints_page::inbox))
        .route(
            "/complaints/{id}",
            get(complaints_page::complaint).post(complaints_page::set_status),
        )
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
}

/// A failure shown to staff: the hub's own sentence, at its status.
pub fn failure(e: crate::Error) -> Response {
    e.into_response()
}

/// A plain 400 with what to do.
pub fn bad_request(text: String) -> Response {
    (StatusCode::BAD_REQUEST, text).into_response()
}
