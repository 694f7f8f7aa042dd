//! The region's hub: devices push their events here (interfaces.md,
//! "Events pushed to the hub") and the region reads them from PostgreSQL.
//!
//! Stateless: everything is in the database, so several hub processes can
//! serve one region behind a load balancer. The binary (`main.rs`) only
//! parses arguments and calls these modules.

pub mod complaints;
pub mod db;
pub mod devices;
mod error;
pub mod ikm;
pub mod ingest;
pub mod totals;
pub mod web;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use deadpool_postgres::Pool;
use tower_http::timeout::TimeoutLayer;

pub use error::{Error, Result};

/// How long one request may take before the hub gives up on it (the
/// device keeps the batch and tries again).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What `serve` is told besides the database.
#[derive(Clone, Default)]
pub struct Options {
    /// Who may open the staff pages (`--staff-token-file`); none: closed.
    pub guard: web::Guard,
    /// Complaints' contacts are erased after this many days.
    pub keep_contact_days: u32,
}

/// The hub's routes over `pool`, the staff pages closed.
pub fn app(pool: Pool) -> Router {
    app_with(
        pool,
        Options {
            keep_contact_days: 90,
            ..Options::default()
        },
    )
}

/// The hub's routes over `pool`: the devices' API and the staff pages.
pub fn app_with(pool: Pool, options: Options) -> Router {
    let pages = web::routes(Arc::new(web::Web {
        pool: pool.clone(),
        guard: options.guard,
        keep_contact_days: options.keep_contact_days,
    }));
    Router::new()
        .route("/v1/events", post(receive))
        .route("/v1/complaints/updates", get(complaint_updates))
        .with_state(pool)
        .merge(pages)
        .layer(DefaultBodyLimit::max(ingest::MAX_BODY))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
}

/// The device whose bearer token the request carries.
async fn device_of(pool: &Pool, headers: &HeaderMap) -> Result<String> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(Error::Unauthorized)?;
    devices::authenticate(pool, token).await
}

async fn receive(
    State(pool): State<Pool>,
    headers: HeaderMap,
    Json(batch): Json<ingest::Batch>,
) -> Result<Json<ingest::Stored>> {
    let device = device_of(&pool, &headers).await?;
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

#[derive(serde::Deserialize)]
struct Since {
    #[serde(default)]
    since: i64,
}

/// `GET /v1/complaints/updates?since=SEQ`: the statuses and answers staff
/// gave the token's device's complaints after its number `since`.
async fn complaint_updates(
    State(pool): State<Pool>,
    headers: HeaderMap,
    Query(q): Query<Since>,
) -> Result<Json<complaints::Updates>> {
    let device = device_of(&pool, &headers).await?;
    Ok(Json(complaints::updates(&pool, &device, q.since).await?))
}

/// Serves `app_with(pool, options)` on `listener` until `shutdown`
/// completes; requests under way are finished first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    pool: Pool,
    options: Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app_with(pool, options))
        .with_graceful_shutdown(shutdown)
        .await
}
