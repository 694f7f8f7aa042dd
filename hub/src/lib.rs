//! The region's hub: devices push their events here (interfaces.md,
//! "Events pushed to the hub") and the region reads them from PostgreSQL.
//!
//! Stateless: everything is in the database, so several hub processes can
//! serve one region behind a load balancer. The binary (`main.rs`) only
//! parses arguments and calls these modules.

pub mod db;
pub mod devices;
mod error;
pub mod ingest;
pub mod totals;

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, header};
use axum::routing::post;
use axum::{Json, Router};
use deadpool_postgres::Pool;
use tower_http::timeout::TimeoutLayer;

pub use error::{Error, Result};

/// How long one request may take before the hub gives up on it (the
/// device keeps the batch and tries again).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The hub's routes over `pool`.
pub fn app(pool: Pool) -> Router {
    Router::new()
        .route("/v1/events", post(receive))
        .layer(DefaultBodyLimit::max(ingest::MAX_BODY))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .with_state(pool)
}

async fn receive(
    State(pool): State<Pool>,
    headers: HeaderMap,
    Json(batch): Json<ingest::Batch>,
) -> Result<Json<ingest::Stored>> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(Error::Unauthorized)?;
    let device = devices::authenticate(&pool, token).await?;
    if device != batch.device {
        return Err(Error::WrongDevice {
            token: device,
            claimed: batch.device,
        });
    }
    let events = ingest::check(batch)?;
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    Ok(Json(ingest::store(&pool, &device, agent, &events).await?))
}

/// Serves `app(pool)` on `listener` until `shutdown` completes; requests
/// under way are finished first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    pool: Pool,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(pool))
        .with_graceful_shutdown(shutdown)
        .await
}
