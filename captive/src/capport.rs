//! The Captive Portal API of RFC 8908 at `/api/captive`. Android 11+ and
//! iOS 14+ find it through DHCP option 114 (RFC 8910) and ask it instead of
//! guessing from probes.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::portal::Portal;

/// `GET /api/captive`.
pub async fn captive(
    State(portal): State<Arc<Portal>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Response {
    let url = portal.settings.portal_url();
    let body = match portal.joined(peer.ip()) {
        Some(session) => json!({
            "captive": false,
            "user-portal-url": url,
            "venue-info-url": format!("{url}layanan"),
            "seconds-remaining": session.seconds_left(portal.now()),
            "can-extend-session": false,
        }),
        None => json!({
            "captive": true,
            "user-portal-url": url,
            "venue-info-url": format!("{url}layanan"),
        }),
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/captive+json"),
            ),
            // RFC 8908 section 5: the state is the visitor's own.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        body.to_string(),
    )
        .into_response()
}
