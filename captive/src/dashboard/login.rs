//! The login and logout pages. The password is checked (argon2id, off the
//! async workers) only when the throttle allows a try; a wrong one tells
//! how long to wait before the next. Until a password is set, the page
//! says how to set one: there is no default.

use std::net::SocketAddr;
use std::sync::Arc;

use anjungan::Lang;
use anjungan::admin_password::{self, Verdict};
use axum::Extension;
use axum::extract::{ConnectInfo, Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::logins::{self, Visit};
use super::throttle::Verdict as Throttled;
use super::{Dashboard, browser_lang, layout};

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

/// Why the login page is shown again.
enum Problem {
    None,
    NotSet,
    Wrong { wait: i64 },
    Wait(i64),
    Expired,
}

fn page(d: &Dashboard, lang: Lang, token: &str, problem: Problem) -> Markup {
    let t = |id: &'static str, en: &'static str| lang.choose(id, en);
    let wait_text = |s: i64| match lang {
        Lang::Id => format!("Coba lagi dalam {s} detik."),
        Lang::En => format!("Try again in {s} seconds."),
    };
    layout::bare(
        lang,
        t("Masuk", "Log in"),
        html! {
            main style="max-width:26em" {
                h1 { "Anjungan · " (d.device_name()) }
                @match problem {
                    Problem::None => {},
                    Problem::NotSet => section.err id="notice" {
                        (t("Belum ada kata sandi dasbor. Di perangkat, jalankan:",
                           "No dashboard password has been set yet. On the device, run:"))
                        pre { "sudo anjungan admin password" }
                        (t("lalu ketik kata sandi (paling sedikit 10 huruf) dan Enter.",
                           "then type the password (at least 10 characters) and Enter."))
                    },
                    Problem::Wrong { wait } => section.err id="notice" {
                        (t("Kata sandi salah.", "Wrong password."))
                        @if wait > 0 { " " (wait_text(wait)) }
                    },
                    Problem::Wait(s) => section.err id="notice" {
                        (t("Terlalu banyak percobaan.", "Too many attempts."))
                        " " (wait_text(s))
                    },
                    Problem::Expired => section.err id="notice" {
                        (t("Formulir kedaluwarsa; ulangi.", "The form expired; try again."))
                    },
                }
                section {
                    form method="post" action="/login" {
                        input type="hidden" name="csrf" value=(token);
                        label for="password" { (t("Kata sandi", "Password")) }
                        input id="password" type="password" name="password" autocomplete="current-password"
                            maxlength=(admin_password::MAX_BYTES) required autofocus;
                        p { button id="login" type="submit" { (t("Masuk", "Log in")) } }
                    }
                }
                p {
                    a href={ "/login?lang=" (lang.other().code()) } lang=(lang.other().code()) {
                        (lang.other().choose("Bahasa Indonesia", "English"))
                    }
                }
            }
        },
    )
}

#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

fn lang_of(query: &LangQuery, headers: &HeaderMap) -> Lang {
    query
        .lang
        .as_deref()
        .and_then(|l| l.parse().ok())
        .unwrap_or_else(|| browser_lang(headers))
}

pub async fn form(
    State(d): State<Arc<Dashboard>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    axum::extract::Query(query): axum::extract::Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = lang_of(&query, &headers);
    let token = d.portal.csrf.token(peer.ip(), d.now());
    let set = d
        .blocking(|_, store| Ok(admin_password::is_set(store)?))
        .await;
    let problem = match set {
        Ok(false) => Problem::NotSet,
        _ => Problem::None,
    };
    super::html(StatusCode::OK, page(&d, lang, &token, problem))
}

pub async fn submit(
    State(d): State<Arc<Dashboard>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let ip = peer.ip();
    let now = d.now();
    let lang = browser_lang(&headers);
    let token = d.portal.csrf.token(ip, now);
    let again =
        |status: StatusCode, problem: Problem| super::html(status, page(&d, lang, &token, problem));
    if !d.portal.csrf.check(&form.csrf, ip, now) {
        return again(StatusCode::FORBIDDEN, Problem::Expired);
    }
    let verdict = d
        .throttle
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .check(ip, now);
    if let Throttled::Wait(seconds) = verdict {
        return with_retry_after(
            again(StatusCode::TOO_MANY_REQUESTS, Problem::Wait(seconds)),
            seconds,
        );
    }
    let password = form.password;
    let checked = d
        .blocking(move |_, store| Ok(admin_password::verify(store, &password)?))
        .await;
    match checked {
        Ok(Verdict::Right) => {
            d.throttle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .succeeded(ip);
            let (cookie, _) = d.logins.start(lang, d.now());
            tracing::info!(%ip, "technician logged in to the dashboard");
            let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
            r.headers_mut().insert(
                header::SET_COOKIE,
                HeaderValue::from_str(&logins::set_cookie(&cookie)).expect("hex is a valid header"),
            );
            r
        }
        Ok(Verdict::NotSet) => again(StatusCode::UNAUTHORIZED, Problem::NotSet),
        Ok(Verdict::Wrong) => {
            let wait = d
                .throttle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .failed(ip, now);
            tracing::warn!(%ip, wait, "wrong dashboard password");
            with_retry_after(
                again(StatusCode::UNAUTHORIZED, Problem::Wrong { wait }),
                wait,
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot check the dashboard password");
            super::html(
                StatusCode::INTERNAL_SERVER_ERROR,
                layout::bare(
                    lang,
                    "Error",
                    html! { main { section.err { (e.to_string()) } } },
                ),
            )
        }
    }
}

fn with_retry_after(mut r: Response, seconds: i64) -> Response {
    if seconds > 0 {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    r
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    State(d): State<Arc<Dashboard>>,
    Extension(visit): Extension<Visit>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !visit.csrf_ok(&form.csrf) {
        return super::stale_form(&visit);
    }
    d.logins.end(&visit);
    let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, "/login")]).into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&logins::clear_cookie()).expect("a valid header"),
    );
    r
}
