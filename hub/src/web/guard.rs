//! Who may see the region's staff pages: for now, whoever holds the staff
//! token (`anjungan-hub serve --staff-token-file`), sent as a bearer token
//! or kept by the browser in a cookie after `/staff/login`.
//!
//! TO BE REPLACED at merge by hubweb's login (staff accounts, sessions in
//! PostgreSQL): the pages only take a [`Staff`] and use its `name` and
//! `csrf`, so swapping this module for that extractor is the whole change.

use std::sync::Arc;

use axum::extract::{Form, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::Web;

/// The cookie the browser keeps the token in.
const COOKIE: &str = "anjungan_hub_staff";
/// Shortest token taken: `openssl rand -hex 32` makes 64 characters.
pub const MIN_TOKEN: usize = 32;

/// The staff token's digest, or none: the staff pages are then closed.
#[derive(Clone, Default)]
pub struct Guard {
    digest: Option<[u8; 32]>,
}

impl Guard {
    /// From the token file's text; a short token is refused with what to
    /// do instead.
    pub fn new(token: Option<&str>) -> Result<Guard, String> {
        let Some(token) = token.map(str::trim) else {
            return Ok(Guard::default());
        };
        if token.len() < MIN_TOKEN
            || !token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.+/=".contains(&b))
        {
            return Err(format!(
                "the staff token must be at least {MIN_TOKEN} letters, digits or -_.+/= on one line; make one with `openssl rand -hex 32`"
            ));
        }
        Ok(Guard {
            digest: Some(digest(token)),
        })
    }

    fn admits(&self, token: &str) -> bool {
        self.digest
            .is_some_and(|d| bool::from(d.ct_eq(&digest(token.trim()))))
    }
}

/// Says whether the pages are open, never the digest.
impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("open", &self.digest.is_some())
            .finish()
    }
}

fn digest(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

/// A member of staff, admitted.
#[derive(Debug, Clone)]
pub struct Staff {
    /// Who, for the complaint's history (one shared token: "staff").
    pub name: String,
    /// The token every form posts back; derived from the credential, so
    /// another site cannot know it.
    pub csrf: String,
}

impl Staff {
    /// Whether a form's `csrf` field is this staff's (constant time).
    pub fn csrf_ok(&self, posted: &str) -> bool {
        bool::from(self.csrf.as_bytes().ct_eq(posted.as_bytes()))
    }
}

fn credential(parts: &Parts) -> Option<String> {
    if let Some(token) = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(token.to_owned());
    }
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
}

impl FromRequestParts<Arc<Web>> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, web: &Arc<Web>) -> Result<Staff, Response> {
        if web.guard.digest.is_none() {
            return Err((
                StatusCode::SERVICE_UNAVAILABLE,
                "the staff pages are closed: start the hub with --staff-token-file",
            )
                .into_response());
        }
        match credential(parts) {
            Some(token) if web.guard.admits(&token) => Ok(Staff {
                name: "staff".into(),
                csrf: hex(&Sha256::digest(format!("csrf:{token}").as_bytes())),
            }),
            _ => Err(login_page(
                StatusCode::UNAUTHORIZED,
                parts.uri.path(),
                false,
            )),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where to go after the login: only one of our own pages, never a
/// place the request names (no open redirect).
fn own_page(next: &str) -> &str {
    const PAGES: [&str; 2] = ["/ikm", "/complaints"];
    let path = next.split(['?', '#', '\\']).next().unwrap_or("");
    let ours = PAGES.iter().any(|p| {
        path == *p
            || path
                .strip_prefix(p)
                .is_some_and(|rest| rest.starts_with('/'))
    }) && !path.contains("//")
        && path.bytes().all(|b| b.is_ascii_graphic());
    if ours { path } else { "/complaints" }
}

fn login_page(status: StatusCode, next: &str, wrong: bool) -> Response {
    let page = html! {
        (maud::DOCTYPE)
        html lang="id" {
            head { meta charset="utf-8"; title { "Anjungan hub" } }
            body {
                h1 { "Anjungan hub" }
                @if wrong { p role="alert" { "Token salah. / Wrong token." } }
                form method="post" action="/staff/login" {
                    input type="hidden" name="next" value=(own_page(next));
                    label { "Token staf / Staff token " input type="password" name="token" autocomplete="off" required; }
                    button type="submit" id="login" { "Masuk / Log in" }
                }
            }
        }
    };
    (status, Html(page.into_string())).into_response()
}

#[derive(Deserialize)]
pub struct Next {
    #[serde(default)]
    next: String,
}

pub async fn login_form(Query(q): Query<Next>) -> Response {
    login_page(StatusCode::OK, &q.next, false)
}

#[derive(Deserialize)]
pub struct Login {
    #[serde(default)]
    token: String,
    #[serde(default)]
    next: String,
}

/// Checks the token and keeps it in a cookie only this site sends
/// (`SameSite=Strict`) and no script reads (`HttpOnly`).
pub async fn login(State(web): State<Arc<Web>>, Form(form): Form<Login>) -> Response {
    if !web.guard.admits(&form.token) {
        return login_page(StatusCode::UNAUTHORIZED, &form.next, true);
    }
    let cookie = format!(
        "{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200",
        form.token.trim()
    );
    let mut response = Redirect::to(own_page(&form.next)).into_response();
    if let Ok(v) = cookie.parse() {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_tokens_are_refused_and_only_the_token_admits() {
        assert!(
            Guard::new(Some("short"))
                .unwrap_err()
                .contains("openssl rand")
        );
        let g = Guard::new(Some(&format!("{}\n", "a".repeat(40)))).unwrap();
        assert!(g.admits(&"a".repeat(40)));
        assert!(!g.admits(&"a".repeat(39)));
        assert!(!Guard::default().admits(""));
    }

    #[test]
    fn after_the_login_only_our_own_pages() {
        assert_eq!(own_page("/ikm"), "/ikm");
        assert_eq!(own_page("/complaints/a:B"), "/complaints/a:B");
        assert_eq!(own_page("//evil.example/ikm"), "/complaints");
        assert_eq!(own_page("https://evil.example"), "/complaints");
        assert_eq!(own_page("/ikmx"), "/complaints");
        assert_eq!(own_page("/ikm?x=1"), "/ikm");
    }
}
