//! Staff login: the login and logout pages, sessions kept in PostgreSQL
//! (so any hub process accepts a login another made), and [`Staff`], the
//! extractor every page takes.
//!
//! A session's cookie is 256 random bits, `HttpOnly`, `SameSite=Strict`,
//! `Secure` behind TLS; the database keeps only its SHA-256. Every form of
//! a login carries the session's CSRF token; the login form itself, made
//! before there is a session, carries a random token that must equal its
//! own cookie's (double submit: another site can neither read the cookie
//! nor make the browser send it). A password is looked at only when the
//! throttle allows a try.

use std::net::{IpAddr, SocketAddr};

use anjungan::Lang;
use axum::extract::{ConnectInfo, Form, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{layout, throttle};
use crate::{Hub, Result, staff};

/// The session's cookie.
pub const COOKIE: &str = "anjungan_hub";
/// The login form's own token, before there is a session.
pub const FORM_COOKIE: &str = "anjungan_hub_form";
/// Logged out after this long without a page.
pub const IDLE_SECONDS: i64 = 30 * 60;
/// And after this long in any case.
pub const LONGEST_SECONDS: i64 = 12 * 60 * 60;

/// A logged-in member of staff, as the pages need them. Take it as a
/// handler's argument: without a valid session the handler never runs
/// (a page answers a redirect to `/login`, a JSON path 401).
#[derive(Debug, Clone)]
pub struct Staff {
    pub name: String,
    /// Every form of the pages carries it (`csrf`).
    pub csrf: String,
    pub lang: Lang,
    key: Vec<u8>,
}

impl Staff {
    /// Whether a form's token is this login's.
    pub fn csrf_ok(&self, presented: &str) -> bool {
        self.csrf.as_bytes().ct_eq(presented.as_bytes()).into()
    }

    /// `None` when a form's token is this login's; else the answer to
    /// give (403, "open the page again").
    pub fn form_refused(&self, presented: &str) -> Option<Response> {
        if self.csrf_ok(presented) {
            return None;
        }
        let lang = self.lang;
        Some(page_response(
            StatusCode::FORBIDDEN,
            layout::bare(
                lang,
                lang.choose("Formulir kedaluwarsa", "Form expired"),
                html! { main { section.err id="notice" {
                    (lang.choose("Formulir ini sudah kedaluwarsa atau bukan dari halaman ini. Buka halamannya lagi dan ulangi.",
                                 "This form has expired or did not come from this site. Open the page again and repeat."))
                    " " a href="/" { (lang.choose("Ke halaman utama", "To the start page")) }
                } } },
            ),
        ))
    }
}

impl FromRequestParts<Hub> for Staff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        hub: &Hub,
    ) -> std::result::Result<Staff, Response> {
        // `?lang=id|en` on any page switches the language of this login.
        let lang = parts.uri.query().and_then(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("lang="))
                .and_then(|l| l.parse::<Lang>().ok())
        });
        let cookie = cookie_in(&parts.headers, COOKIE);
        let found = match cookie {
            Some(c) => find(hub, c, lang).await,
            None => Ok(None),
        };
        match found {
            Ok(Some(staff)) => Ok(staff),
            Ok(None) => Err(refuse(parts.uri.path())),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// No login: a browser is sent to the login page, a program gets 401.
fn refuse(path: &str) -> Response {
    if path.starts_with("/v1/") || path.starts_with("/api/") || path.ends_with(".json") {
        (
            StatusCode::UNAUTHORIZED,
            "log in at /login first (staff of `anjungan-hub staff add`)\n",
        )
            .into_response()
    } else {
        (StatusCode::SEE_OTHER, [(header::LOCATION, "/login")]).into_response()
    }
}

/// The value of cookie `name` among a request's cookies, when it is the
/// 64 hex digits every cookie of ours is.
fn cookie_in<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value)
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the kernel's random source is available");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn key_of(cookie: &str) -> Vec<u8> {
    Sha256::digest(cookie.as_bytes()).to_vec()
}

/// The login of `cookie` if it is still valid; it is kept alive (and its
/// language switched to `lang`).
async fn find(hub: &Hub, cookie: &str, lang: Option<Lang>) -> Result<Option<Staff>> {
    let key = key_of(cookie);
    let client = hub.pool.get().await?;
    let row = client
        .query_opt(
            "UPDATE staff_session SET seen_at = now(), lang = COALESCE($2, lang)
             WHERE cookie_sha256 = $1
               AND seen_at > now() - make_interval(secs => $3)
               AND started_at > now() - make_interval(secs => $4)
             RETURNING staff, csrf, lang",
            &[
                &key,
                &lang.map(Lang::code),
                &(IDLE_SECONDS as f64),
                &(LONGEST_SECONDS as f64),
            ],
        )
        .await?;
    Ok(row.map(|r| Staff {
        name: r.get(0),
        csrf: r.get(1),
        lang: r.get::<_, String>(2).parse().unwrap_or_default(),
        key,
    }))
}

/// A new login for `name`: the cookie's value for the browser.
async fn start(hub: &Hub, name: &str, lang: Lang) -> Result<String> {
    let cookie = random_hex();
    let client = hub.pool.get().await?;
    // Ended logins go when someone logs in: nothing else has to run.
    client
        .execute(
            "DELETE FROM staff_session
             WHERE seen_at < now() - make_interval(secs => $1)
                OR started_at < now() - make_interval(secs => $2)",
            &[&(IDLE_SECONDS as f64), &(LONGEST_SECONDS as f64)],
        )
        .await?;
    client
        .execute(
            "INSERT INTO staff_session (cookie_sha256, staff, csrf, lang) VALUES ($1, $2, $3, $4)",
            &[&key_of(&cookie), &name, &random_hex(), &lang.code()],
        )
        .await?;
    client
        .execute(
            "UPDATE staff SET last_login = now() WHERE name = $1",
            &[&name],
        )
        .await?;
    Ok(cookie)
}

/// Whether cookies are to be marked `Secure`: the process was told so, or
/// the proxy in front says the browser came over HTTPS.
fn secure(hub: &Hub, headers: &HeaderMap) -> bool {
    hub.options.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

fn set_cookie(name: &str, value: &str, path: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; HttpOnly; SameSite=Strict; Path={path}; Max-Age={max_age}{secure}"
    ))
    .expect("hex and fixed words make a valid header")
}

/// The address the throttle counts: the peer, or, when the peer is a proxy
/// on this machine, the last address it put in `X-Forwarded-For` (the hub
/// listens on the loopback behind its TLS proxy; another address is never
/// believed about where a request came from).
pub fn client_address(peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
    if peer.ip().is_loopback()
        && let Some(forwarded) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return forwarded;
    }
    peer.ip()
}

/// The language a browser asks for before it is logged in.
fn browser_lang(headers: &HeaderMap) -> Lang {
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

pub fn page_response(status: StatusCode, markup: Markup) -> Response {
    (status, Html(markup.into_string())).into_response()
}

/// Why the login page is shown again.
enum Problem {
    None,
    Wrong { wait: i64 },
    Wait(i64),
    Expired,
}

fn login_page(lang: Lang, token: &str, problem: Problem) -> Markup {
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
                h1 { "Anjungan Hub" }
                @match problem {
                    Problem::None => {},
                    Problem::Wrong { wait } => section.err id="notice" {
                        (t("Nama atau kata sandi salah.", "Wrong name or password."))
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
                        input type="hidden" name="lang" value=(lang.code());
                        label for="name" { (t("Nama", "Name")) }
                        input id="name" type="text" name="name" autocomplete="username"
                            maxlength=(staff::MAX_NAME) required autofocus;
                        label for="password" { (t("Kata sandi", "Password")) }
                        input id="password" type="password" name="password" autocomplete="current-password"
                            maxlength=(anjungan::password::MAX_BYTES) required;
                        p { button id="login" type="submit" { (t("Masuk", "Log in")) } }
                    }
                    p { small { (t("Akun dibuat di server hub: anjungan-hub staff add NAMA",
                                   "Accounts are made on the hub's server: anjungan-hub staff add NAME")) } }
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

/// The login page with a form token (the browser's own, or a new one) and
/// its cookie.
fn login_answer(
    hub: &Hub,
    headers: &HeaderMap,
    status: StatusCode,
    lang: Lang,
    problem: Problem,
) -> Response {
    let token = cookie_in(headers, FORM_COOKIE)
        .map(str::to_owned)
        .unwrap_or_else(random_hex);
    let mut r = page_response(status, login_page(lang, &token, problem));
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(FORM_COOKIE, &token, "/login", 3600, secure(hub, headers)),
    );
    r
}

#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

pub async fn form(
    State(hub): State<Hub>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = query
        .lang
        .as_deref()
        .and_then(|l| l.parse().ok())
        .unwrap_or_else(|| browser_lang(&headers));
    login_answer(&hub, &headers, StatusCode::OK, lang, Problem::None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    lang: String,
}

pub async fn submit(
    State(hub): State<Hub>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response> {
    let lang = form.lang.parse().unwrap_or_else(|_| browser_lang(&headers));
    let again = |status, problem| login_answer(&hub, &headers, status, lang, problem);
    let expected = cookie_in(&headers, FORM_COOKIE).unwrap_or("");
    let form_ok: bool = expected.as_bytes().ct_eq(form.csrf.as_bytes()).into();
    if expected.is_empty() || !form_ok {
        return Ok(again(StatusCode::FORBIDDEN, Problem::Expired));
    }
    let address = client_address(peer, &headers).to_string();
    let wait = {
        let client = hub.pool.get().await?;
        throttle::wait(&client, &address).await?
    };
    if wait > 0 {
        return Ok(with_retry_after(
            again(StatusCode::TOO_MANY_REQUESTS, Problem::Wait(wait)),
            wait,
        ));
    }
    let right = staff::check_name(&form.name).is_ok()
        && staff::check(&hub.pool, &form.name, &form.password).await?;
    if !right {
        let wait = {
            let client = hub.pool.get().await?;
            throttle::failed(&client, &address).await?
        };
        tracing::warn!(%address, name = %form.name.chars().take(64).collect::<String>(), wait, "wrong staff name or password");
        return Ok(with_retry_after(
            again(StatusCode::UNAUTHORIZED, Problem::Wrong { wait }),
            wait,
        ));
    }
    {
        let client = hub.pool.get().await?;
        throttle::succeeded(&client, &address).await?;
    }
    let cookie = start(&hub, &form.name, lang).await?;
    tracing::info!(%address, name = %form.name, "staff logged in");
    let secure = secure(&hub, &headers);
    let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(COOKIE, &cookie, "/", LONGEST_SECONDS, secure),
    );
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(FORM_COOKIE, "", "/login", 0, secure),
    );
    Ok(r)
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
    State(hub): State<Hub>,
    staff: Staff,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response> {
    if let Some(refused) = staff.form_refused(&form.csrf) {
        return Ok(refused);
    }
    let client = hub.pool.get().await?;
    client
        .execute(
            "DELETE FROM staff_session WHERE cookie_sha256 = $1",
            &[&staff.key],
        )
        .await?;
    let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, "/login")]).into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(COOKIE, "", "/", 0, secure(&hub, &headers)),
    );
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    #[test]
    fn only_a_local_proxy_is_believed_about_the_client_address() {
        let local: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let far: SocketAddr = "203.0.113.9:5000".parse().unwrap();
        let h = headers(&[("x-forwarded-for", "10.0.0.1, 198.51.100.7")]);
        assert_eq!(client_address(local, &h).to_string(), "198.51.100.7");
        assert_eq!(client_address(far, &h).to_string(), "203.0.113.9");
        assert_eq!(
            client_address(local, &HeaderMap::new()).to_string(),
            "127.0.0.1"
        );
        let h = headers(&[("x-forwarded-for", "not an address")]);
        assert_eq!(client_address(local, &h).to_string(), "127.0.0.1");
    }

    #[test]
    fn only_our_cookie_of_64_hex_digits_is_read() {
        let good = "a".repeat(64);
        let h = headers(&[("cookie", &format!("x=1; {COOKIE}={good}; y=2"))]);
        assert_eq!(cookie_in(&h, COOKIE), Some(good.as_str()));
        assert_eq!(cookie_in(&h, FORM_COOKIE), None);
        let h = headers(&[("cookie", &format!("{COOKIE}=short"))]);
        assert_eq!(cookie_in(&h, COOKIE), None);
        let c = set_cookie(COOKIE, &good, "/", 60, true);
        let c = c.to_str().unwrap();
        assert!(
            c.contains("HttpOnly; SameSite=Strict; Path=/; Max-Age=60; Secure"),
            "{c}"
        );
        assert!(
            !set_cookie(COOKIE, "", "/", 0, false)
                .to_str()
                .unwrap()
                .contains("Secure")
        );
    }
}
