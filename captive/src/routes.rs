//! The visitor's HTTP side: axum handlers that read the request, ask the
//! portal (`join`, sessions) and answer with a page of `views`.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use anjungan::Lang;
use anjungan::config::Auth;
use anjungan::wifi::Session;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::Markup;
use serde::Deserialize;

use crate::Result;
use crate::decision::Refusal;
use crate::join::{self, JoinForm};
use crate::portal::Portal;
use crate::views::{self, JoinView, JoinedView};

/// The page's language: `?lang=` first, then the browser's first
/// language; Indonesian otherwise.
pub fn pick_lang(param: Option<&str>, headers: &HeaderMap) -> Lang {
    param.and_then(|p| p.parse().ok()).unwrap_or_else(|| {
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if accept.trim_start().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Id
        }
    })
}

#[derive(Debug, Deserialize, Default)]
pub struct PageQuery {
    pub lang: Option<String>,
    pub q: Option<String>,
}

/// `GET /`: the join form, or the services page once joined.
pub async fn home(
    State(portal): State<Arc<Portal>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = pick_lang(q.lang.as_deref(), &headers);
    page_for(&portal, peer.ip(), lang, None)
}

/// `GET /layanan?q=`: the region's services, searched.
pub async fn search(
    State(portal): State<Arc<Portal>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = pick_lang(q.lang.as_deref(), &headers);
    let query: String = q.q.unwrap_or_default().chars().take(200).collect();
    page_for(&portal, peer.ip(), lang, Some(&query))
}

/// The services page (searched for `query`) once joined, else the join form.
fn page_for(portal: &Portal, ip: IpAddr, lang: Lang, query: Option<&str>) -> Response {
    match portal.joined(ip) {
        Some(session) => joined_page(portal, &session, lang, query),
        None => join_page(portal, ip, lang, crate::usage::notice(portal, ip)),
    }
}

/// `POST /join`.
pub async fn submit(
    State(portal): State<Arc<Portal>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(form): Form<JoinForm>,
) -> Result<Response> {
    let lang = form
        .lang
        .as_deref()
        .and_then(|l| l.parse().ok())
        .unwrap_or_default();
    let ip = peer.ip();
    let outcome = {
        let portal = portal.clone();
        tokio::task::spawn_blocking(move || {
            let outcome = join::join(&portal, ip, &form)?;
            if outcome.is_ok() {
                // Shaped now rather than at the next tick: no second of
                // the line's full rate.
                if let Err(e) = crate::usage::shape(&portal) {
                    tracing::warn!(error = %e, "cannot shape a visitor who joined; trying again");
                }
            }
            Ok::<_, crate::Error>(outcome)
        })
        .await??
    };
    Ok(match outcome {
        Ok(_) => {
            // Post/redirect/get: a reload does not post again. The target is
            // fixed: no parameter can make the portal send a visitor
            // elsewhere.
            let to = match lang {
                Lang::Id => "/",
                Lang::En => "/?lang=en",
            };
            (
                StatusCode::SEE_OTHER,
                [
                    (header::LOCATION, HeaderValue::from_static(to)),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                ],
            )
                .into_response()
        }
        Err(refusal) => {
            let page = join_page(&portal, ip, lang, Some(refusal));
            (status(refusal), page).into_response()
        }
    })
}

pub async fn not_found(headers: HeaderMap) -> Response {
    let lang = pick_lang(None, &headers);
    (StatusCode::NOT_FOUND, page(views::not_found(lang))).into_response()
}

/// The HTTP status of a refused join.
pub fn status(refusal: Refusal) -> StatusCode {
    match refusal {
        Refusal::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
        Refusal::Full | Refusal::AccountsUnreachable => StatusCode::SERVICE_UNAVAILABLE,
        Refusal::StaleForm
        | Refusal::NotIdentified
        | Refusal::Ended { .. }
        | Refusal::DailyTimeUsed
        | Refusal::DataDayUsed
        | Refusal::DataSessionUsed
        | Refusal::AccountMissing
        | Refusal::AccountRejected
        | Refusal::VoucherMissing
        | Refusal::VoucherUnknown
        | Refusal::VoucherTaken
        | Refusal::VoucherSpent => StatusCode::FORBIDDEN,
    }
}

/// The join form for the visitor at `ip` (with a refusal, when the last
/// try failed).
fn join_page(portal: &Portal, ip: IpAddr, lang: Lang, refusal: Option<Refusal>) -> Response {
    let services = portal.services();
    let csrf = portal.csrf.token(ip, portal.now());
    page(views::join_page(&JoinView {
        lang,
        region: &services.catalog.bundle().region.name,
        device_name: &portal.settings.device_name,
        csrf: &csrf,
        voucher: portal.settings.auth == Auth::Voucher,
        account: portal.settings.auth == Auth::Radius,
        session_minutes: portal.settings.session_minutes,
        refusal,
    }))
}

fn joined_page(portal: &Portal, session: &Session, lang: Lang, query: Option<&str>) -> Response {
    let services = portal.services();
    page(views::joined_page(&JoinedView {
        lang,
        services: &services,
        device_name: &portal.settings.device_name,
        minutes_left: (session.seconds_left(portal.now()) + 59) / 60,
        query,
    }))
}

/// A page of the portal with the headers every page has.
pub fn page(markup: Markup) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            // The portal frames nothing and is framed by nothing.
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"),
            ),
        ],
        markup.into_string(),
    )
        .into_response()
}
