//! The gate's HTTP side: every request passes here first. A request for
//! another host reached the portal because the firewall redirected it (the
//! visitor has not joined): it is answered with a redirect to the portal,
//! which is what makes every operating system open its sign-in window.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::join;
use crate::portal::Portal;
use crate::probes;

pub async fn intercept(
    State(portal): State<Arc<Portal>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    // Every browser and every OS probe names itself; a request that does
    // not is a script or a scanner and gets nothing.
    if !request.headers().contains_key(header::USER_AGENT) {
        return (StatusCode::BAD_REQUEST, "User-Agent required\n").into_response();
    }
    if !request.uri().query().is_none_or(well_formed_query) {
        return (StatusCode::BAD_REQUEST, "malformed query\n").into_response();
    }
    let host = request
        .uri()
        .host()
        .map(str::to_owned)
        .or_else(|| {
            request
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_default();
    if portal.is_portal_host(&host) {
        return next.run(request).await;
    }

    // For another host. Joined visitors normally never get here (their
    // traffic goes out untouched); a connection opened before joining and
    // kept alive does. Its probes get the online answer, so the sign-in
    // window closes.
    let ip = peer.ip();
    let mut joined = portal.joined(ip);
    let mut moved = false;
    if joined.is_none() && !portal.sessions.is_empty() {
        // The same phone with a new address keeps its session.
        let p = portal.clone();
        joined = tokio::task::spawn_blocking(move || join::moved_visitor(&p, ip))
            .await
            .ok()
            .and_then(|r| {
                r.map_err(|e| tracing::warn!(error = %e, "cannot move a session"))
                    .ok()
            })
            .flatten();
        moved = joined.is_some();
    }
    if let Some(session) = joined {
        let name = host.rsplit_once(':').map_or(host.as_str(), |(n, _)| n);
        if let Some(answer) = probes::online(name, request.uri().path()) {
            return answer.into_response();
        }
        // A connection opened before joining stays redirected to us by the
        // kernel (connection tracking). Ask the browser to send the same
        // request again on a new connection, which goes out.
        let stale = moved
            || request
                .extensions()
                .get::<ConnectedAt>()
                .is_some_and(|c| c.0 <= session.started_at);
        if stale && let Some(again) = same_url_again(&host, request.uri()) {
            return again;
        }
    }
    redirect(&portal)
}

/// When the connection a request came on was accepted (Unix seconds).
#[derive(Debug, Clone, Copy)]
pub struct ConnectedAt(pub i64);

/// A redirect to the very address the visitor asked for, on a new
/// connection. Only a plain host name or address is accepted, so the
/// redirect cannot lead anywhere the visitor did not ask to go.
fn same_url_again(host: &str, uri: &axum::http::Uri) -> Option<Response> {
    let plain = !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'));
    if !plain {
        return None;
    }
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    if !path.starts_with('/') || path.starts_with("//") {
        return None;
    }
    let location = HeaderValue::from_str(&format!("http://{host}{path}")).ok()?;
    Some(
        (
            StatusCode::TEMPORARY_REDIRECT,
            [
                (header::LOCATION, location),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (header::CONNECTION, HeaderValue::from_static("close")),
            ],
        )
            .into_response(),
    )
}

/// The redirect to the portal: always to the portal's own fixed address,
/// never to anything taken from the request.
pub fn redirect(portal: &Portal) -> Response {
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, portal.location.clone()),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html")),
        ],
        "<a href=\"/\">Wi-Fi</a>\n",
    )
        .into_response()
}

/// Whether a query string percent-decodes to UTF-8 text. Forms and links of
/// the portal only ever make such; anything else is refused rather than
/// read with replacement characters.
pub fn well_formed_query(query: &str) -> bool {
    let bytes = query.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => decoded.push(b),
                    None => return false,
                }
                i += 3;
            }
            b => {
                decoded.push(b);
                i += 1;
            }
        }
    }
    std::str::from_utf8(&decoded).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_must_decode_to_text() {
        for good in ["", "q=akta+lahir", "q=%E2%9C%93&lang=en", "q=100%25"] {
            assert!(well_formed_query(good), "{good}");
        }
        for bad in ["q=%ff%fe", "q=%zz", "q=%4", "q=%C3"] {
            assert!(!well_formed_query(bad), "{bad}");
        }
    }
}
