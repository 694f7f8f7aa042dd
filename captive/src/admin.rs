//! The technician's API, served only on `admin_listen` (never on the guest
//! address; the firewall also keeps visitors away from every other port).
//!
//! - `GET /api/status`: visitors, limits, firewall
//! - `GET /api/sessions`: the live sessions
//! - `DELETE /api/sessions/{id}`: ends a session now

use std::sync::Arc;

use anjungan::wifi::session;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use serde_json::json;

use crate::Result;
use crate::portal::Portal;

pub fn admin_app(portal: Arc<Portal>) -> Router {
    Router::new()
        .route("/api/status", get(status))
        .route("/api/sessions", get(sessions))
        .route("/api/sessions/{id}", delete(end_session))
        .with_state(portal)
}

async fn status(State(portal): State<Arc<Portal>>) -> Response {
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

async fn sessions(State(portal): State<Arc<Portal>>) -> Response {
    Json(portal.sessions.live(portal.now())).into_response()
}

async fn end_session(State(portal): State<Arc<Portal>>, Path(id): Path<i64>) -> Result<Response> {
    let p = portal.clone();
    let ended = tokio::task::spawn_blocking(move || -> Result<bool> {
        let Some(s) = p.sessions.live(p.now()).into_iter().find(|s| s.id == id) else {
            return Ok(false);
        };
        // Firewall first: once the visitor is out of the set, the record
        // may say so.
        p.gate.revoke(s.mac, s.ip)?;
        p.sessions
            .with_store(|store| session::end(store, id, p.now()))?;
        p.sessions.remove(id);
        tracing::info!(mac = %s.mac, ip = %s.ip, "session ended by the technician");
        Ok(true)
    })
    .await??;
    Ok(if ended {
        StatusCode::NO_CONTENT.into_response()
    } else {
        (StatusCode::NOT_FOUND, "no live session with that id\n").into_response()
    })
}
