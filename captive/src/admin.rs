//! The technician's side, served only on `admin_listen` (never on the guest
//! address; the firewall also keeps visitors away from every other port):
//! the JSON API below and the dashboard's pages (`dashboard`). Every
//! request but the login page's needs a login (the dashboard's cookie) or,
//! on the API and `/metrics`, the bearer token of `anjungan admin token`
//! (`Authorization: Bearer ...`); without either: 401, or a redirect to the
//! login page for a browser. Every request needs a Host header naming the
//! admin address itself or localhost with its port, so that a web page
//! elsewhere cannot reach it by rebinding a name of its own to it.
//!
//! - `GET /api/status`: visitors, limits, firewall
//! - `GET /api/sessions`: the live sessions
//! - `DELETE /api/sessions/{id}`: ends a session now
//! - `GET /metrics`: the device's numbers for Prometheus (`anjungan::metrics`)

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use anjungan::admin_token;
use anjungan::config::Config;
use axum::Json;
use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use serde_json::json;

use crate::Error;
use crate::dashboard::{self, Dashboard, logins};
use crate::join;
use crate::portal::Portal;

/// Who may use the API: the token, and the Host names it answers to.
pub struct Access {
    token: String,
    /// `127.0.0.1:8081`, `localhost:8081`, ...: lower case.
    hosts: Vec<String>,
}

impl Access {
    pub fn new(token: String, listen: SocketAddr) -> Access {
        let port = listen.port();
        let own = match listen.ip() {
            IpAddr::V4(ip) => format!("{ip}:{port}"),
            IpAddr::V6(ip) => format!("[{ip}]:{port}"),
        };
        let hosts = [
            own,
            format!("localhost:{port}"),
            format!("127.0.0.1:{port}"),
            format!("[::1]:{port}"),
        ]
        .into_iter()
        .collect();
        Access { token, hosts }
    }

    pub fn authorized(&self, headers: &HeaderMap) -> bool {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().split_once(' '))
            // The scheme's name is case-insensitive (RFC 9110, 11.1).
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("Bearer"))
            .is_some_and(|(_, presented)| admin_token::matches(&self.token, presented.trim()))
    }

    pub fn host_allowed(&self, headers: &HeaderMap) -> bool {
        headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|host| {
                let host = host.to_ascii_lowercase();
                self.hosts.contains(&host)
            })
    }
}

/// The API and the dashboard, behind the guard. `config` is the device's
/// (the dashboard reads its data directory, printer and paper).
pub fn admin_app(portal: Arc<Portal>, access: Access, config: Config) -> Router {
    let dashboard = Arc::new(Dashboard::new(portal, access, config));
    Router::new()
        .route("/api/status", get(status))
        .route("/api/sessions", get(sessions))
        .route("/api/sessions/{id}", delete(end_session))
        .route("/metrics", get(metrics))
        .merge(dashboard::routes())
        .fallback(|| async { StatusCode::NOT_FOUND })
        .layer(axum::middleware::from_fn_with_state(
            dashboard.clone(),
            guard,
        ))
        .with_state(dashboard)
}

/// Paths scripts reach with the bearer token.
fn token_path(path: &str) -> bool {
    path.starts_with("/api/") || path == "/metrics"
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

fn wrong_host() -> Response {
    (
        StatusCode::MISDIRECTED_REQUEST,
        "use the admin address itself or localhost with its port (ssh -L 8081:127.0.0.1:8081 technician@device)\n",
    )
        .into_response()
}

/// Credentials first: without them, nothing but 401 (or the way to the
/// login page), not even whether a path exists. The login page itself is
/// open, on the right Host only.
async fn guard(State(d): State<Arc<Dashboard>>, mut request: Request, next: Next) -> Response {
    let headers = request.headers();
    let path = request.uri().path();
    if path == "/login" {
        if !d.access.host_allowed(headers) {
            return wrong_host();
        }
        return next.run(request).await;
    }
    let bearer = token_path(path) && d.access.authorized(headers);
    let visit = headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(logins::cookie_in)
        .and_then(|cookie| d.logins.find(cookie, d.now()));
    if !bearer && visit.is_none() {
        if request.method() == Method::GET && wants_html(headers) {
            return (StatusCode::SEE_OTHER, [(header::LOCATION, "/login")]).into_response();
        }
        return (
            StatusCode::UNAUTHORIZED,
            [(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"anjungan\""),
            )],
            "log in at /login, or (on /api/ and /metrics) send the token of `sudo anjungan admin token`: Authorization: Bearer TOKEN\n",
        )
            .into_response();
    }
    if !d.access.host_allowed(headers) {
        return wrong_host();
    }
    if let Some(mut visit) = visit {
        // `?lang=id|en` on any page switches the language of this login.
        if let Some(lang) = request
            .uri()
            .query()
            .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("lang=")))
            .and_then(|l| l.parse().ok())
        {
            d.logins.set_lang(&visit, lang);
            visit.lang = lang;
        }
        request.extensions_mut().insert(visit);
    }
    next.run(request).await
}

async fn status(State(d): State<Arc<Dashboard>>) -> Response {
    let portal = &d.portal;
    let now = portal.now();
    let s = &portal.settings;
    Json(json!({
        "device": s.device_name,
        "visitors": portal.sessions.count_live(now),
        "max_visitors": s.limits.max_visitors,
        "daily_minutes": s.limits.daily_minutes,
        "session_minutes": s.session_minutes,
        "auth": s.auth,
        "gating": s.intercepting,
        "portal": s.portal_url(),
    }))
    .into_response()
}

async fn sessions(State(d): State<Arc<Dashboard>>) -> Response {
    let portal = &d.portal;
    Json(portal.sessions.live(portal.now())).into_response()
}

async fn end_session(State(d): State<Arc<Dashboard>>, Path(id): Path<i64>) -> Response {
    let p = d.portal.clone();
    let ended = tokio::task::spawn_blocking(move || join::end(&p, id))
        .await
        .map_err(Error::from)
        .and_then(|r| r);
    match ended {
        Ok(Some(_)) => StatusCode::NO_CONTENT.into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "no live session with that id\n").into_response(),
        // The technician gets the cause (the visitors' page would hide it).
        Err(e) => {
            tracing::error!(error = %e, id, "cannot end the session");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("ending session {id} failed: {e}\n"),
            )
                .into_response()
        }
    }
}

/// Read from the database at each scrape, off the async workers.
async fn metrics(State(d): State<Arc<Dashboard>>) -> Response {
    let p = d.portal.clone();
    let gathered = tokio::task::spawn_blocking(move || {
        let now = crate::voice::local(p.now());
        let prefixes = anjungan::queue::prefixes(&p.services().catalog);
        p.voice
            .with_store(|store| anjungan::metrics::gather(store, &prefixes, now))
    })
    .await;
    match gathered {
        Ok(Ok(device)) => (
            [(header::CONTENT_TYPE, anjungan::metrics::CONTENT_TYPE)],
            device.render(),
        )
            .into_response(),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "cannot gather the metrics");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the metrics cannot be read: {e}\n"),
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "the metrics task failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        h
    }

    #[test]
    fn only_the_admin_address_and_localhost_with_the_port_are_hosts() {
        let access = Access::new("t".repeat(64), "127.0.0.1:8081".parse().unwrap());
        for good in [
            "127.0.0.1:8081",
            "localhost:8081",
            "LOCALHOST:8081",
            "[::1]:8081",
        ] {
            assert!(
                access.host_allowed(&headers(&[(header::HOST, good)])),
                "{good}"
            );
        }
        for bad in [
            "evil.example:8081",
            "localhost",
            "127.0.0.1",
            "localhost:80",
            "127.0.0.1:8081.evil.example",
            "10.42.0.1:8081",
        ] {
            assert!(
                !access.host_allowed(&headers(&[(header::HOST, bad)])),
                "{bad}"
            );
        }
        assert!(!access.host_allowed(&HeaderMap::new()));
        let other = Access::new("t".repeat(64), "192.0.2.7:9000".parse().unwrap());
        assert!(other.host_allowed(&headers(&[(header::HOST, "192.0.2.7:9000")])));
    }

    #[test]
    fn only_the_bearer_token_authorizes() {
        let token = "ab".repeat(32);
        let access = Access::new(token.clone(), "127.0.0.1:8081".parse().unwrap());
        let auth = |v: &str| access.authorized(&headers(&[(header::AUTHORIZATION, v)]));
        assert!(auth(&format!("Bearer {token}")));
        assert!(auth(&format!("bearer {token}")), "RFC 9110: any case");
        assert!(auth(&format!("BEARER  {token}")));
        assert!(!auth(&format!("Bearer {}", "ab".repeat(31))));
        assert!(!auth(&format!("Basic {token}")));
        assert!(!auth("Bearer "));
        assert!(!access.authorized(&HeaderMap::new()));
    }
}
