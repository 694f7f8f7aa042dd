//! The technician's dashboard on `admin_listen`: server-rendered pages in
//! Bahasa Indonesia and English behind a login (the password of
//! `anjungan admin password`), beside the JSON API of `admin`. No script,
//! no outside file; every value escaped by maud; every form carries the
//! login's CSRF token.
//!
//! - `logins`, `throttle`, `login`: who is logged in, how guessing is
//!   slowed, the login and logout pages;
//! - `layout`, `chart`: the frame and the SVG charts;
//! - `health`, `machine`: the device's state; `wifi`, `voice`, `catalog`,
//!   `queue`: the other pages and their actions.

pub mod catalog;
pub mod chart;
pub mod health;
pub mod layout;
pub mod login;
pub mod logins;
pub mod machine;
pub mod queue;
pub mod throttle;
pub mod voice;
pub mod wifi;

use std::sync::{Arc, Mutex};

use anjungan::Lang;
use anjungan::config::Config;
use anjungan::store::Store;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};

use crate::admin::Access;
use crate::portal::Portal;
use logins::{Logins, Visit};
use throttle::Throttle;

/// Forms are small; only a catalog bundle is large.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// What the dashboard's handlers share.
pub struct Dashboard {
    pub portal: Arc<Portal>,
    pub access: Access,
    /// The device's configuration: its data directory, printer, paper.
    pub config: Config,
    pub logins: Logins,
    pub throttle: Mutex<Throttle>,
    /// When the portal started (Unix seconds): its own uptime.
    pub started: i64,
}

impl Dashboard {
    pub fn new(portal: Arc<Portal>, access: Access, config: Config) -> Dashboard {
        let started = portal.now();
        Dashboard {
            portal,
            access,
            config,
            logins: Logins::default(),
            throttle: Mutex::new(Throttle::default()),
            started,
        }
    }

    pub fn now(&self) -> i64 {
        self.portal.now()
    }

    /// `f` with a connection of its own, off the async workers (SQLite and
    /// argon2 block).
    pub async fn blocking<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Dashboard, &mut Store) -> crate::Result<T> + Send + 'static,
    ) -> crate::Result<T> {
        let d = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut store = Store::open_for(&d.config)?;
            f(&d, &mut store)
        })
        .await?
    }

    pub fn device_name(&self) -> &str {
        &self.config.device.name
    }
}

/// The dashboard's pages and actions (the guard in `admin` runs first).
pub fn routes() -> Router<Arc<Dashboard>> {
    Router::new()
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/", get(health::show))
        .route("/alerts/{id}/ack", post(health::acknowledge))
        .route("/wifi", get(wifi::show))
        .route("/wifi/sessions/{id}/end", post(wifi::end))
        .route("/wifi/sessions/{id}/extend", post(wifi::extend))
        .route("/wifi/vouchers", post(wifi::vouchers))
        .route("/queue", get(queue::show))
        .route("/queue/{prefix}/call", post(queue::call))
        .route("/queue/{prefix}/recall", post(queue::recall))
        .route("/queue/{prefix}/skip", post(queue::skip))
        .route("/survey", get(voice::show))
        .route("/survey/report", get(voice::report))
        .route("/complaints/{reference}/status", post(voice::set_status))
        .route(
            "/catalog",
            get(catalog::show)
                .post(catalog::upload)
                .layer(DefaultBodyLimit::max(
                    anjungan::catalog::MAX_BUNDLE_BYTES + MAX_FORM_BYTES,
                )),
        )
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
}

/// The language a browser asks for before it is logged in.
pub fn browser_lang(headers: &HeaderMap) -> Lang {
    let first = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .unwrap_or("");
    if first.trim().to_ascii_lowercase().starts_with("en") {
        Lang::En
    } else {
        Lang::Id
    }
}

/// A page as an HTML answer.
pub fn html(status: StatusCode, markup: Markup) -> Response {
    (status, Html(markup.into_string())).into_response()
}

/// A form whose token is not this login's: an old page, or another site's.
pub fn stale_form(visit: &Visit) -> Response {
    let lang = visit.lang;
    html(
        StatusCode::FORBIDDEN,
        layout::bare(
            lang,
            lang.choose("Formulir kedaluwarsa", "Form expired"),
            html! {
                main {
                    section.err {
                        (lang.choose(
                            "Formulir ini sudah kedaluwarsa. Buka halamannya lagi dan ulangi.",
                            "This form has expired. Open the page again and repeat."))
                        " " a href="/" { (lang.choose("Ke dasbor", "To the dashboard")) }
                    }
                }
            },
        ),
    )
}

/// A failure the technician should read: the cause, in one line.
pub fn failure(visit: &Visit, e: &crate::Error) -> Response {
    tracing::error!(error = %e, "dashboard action failed");
    let lang = visit.lang;
    html(
        StatusCode::INTERNAL_SERVER_ERROR,
        layout::bare(
            lang,
            lang.choose("Gagal", "Failed"),
            html! { main { section.err { (e.to_string()) } p { a href="/" { (lang.choose("Ke dasbor", "To the dashboard")) } } } },
        ),
    )
}
