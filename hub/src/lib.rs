//! The region's hub: devices push their events here (interfaces.md,
//! "Events pushed to the hub") and the region reads them from PostgreSQL.
//!
//! Stateless: everything is in the database (staff logins and the login
//! throttle too), so several hub processes can serve one region behind a
//! load balancer. The binary (`main.rs`) only parses arguments and calls
//! these modules.
//!
//! - `db`, `devices`, `ingest`, `totals`: the devices' side;
//! - `staff`: who may read the region's pages; `publish`: the catalogs the
//!   devices pull; `web`: the region's pages and the catalog's URL.

pub mod db;
pub mod devices;
mod error;
pub mod ingest;
pub mod publish;
pub mod staff;
pub mod totals;
pub mod web;

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, FromRef, State};
use axum::http::{HeaderMap, header};
use axum::routing::post;
use axum::{Json, Router};
use deadpool_postgres::Pool;
use tower_http::timeout::TimeoutLayer;

pub use error::{Error, Result};

/// What every handler may reach: the database, and how the process was
/// started. Nothing else: a second process has the same.
#[derive(Clone)]
pub struct Hub {
    pub pool: Pool,
    pub options: Options,
}

/// How `anjungan-hub serve` was started.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Cookies marked `Secure` whatever the request says (`--secure-cookies`);
    /// without it, only requests a proxy marks `X-Forwarded-Proto: https`.
    pub secure_cookies: bool,
}

impl FromRef<Hub> for Pool {
    fn from_ref(hub: &Hub) -> Pool {
        hub.pool.clone()
    }
}

/// How long one request may take before the hub gives up on it (the
/// device keeps the batch and tries again).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The hub's routes over `pool`: the devices' and the region's pages.
pub fn app(pool: Pool, options: Options) -> Router {
    Router::new()
        .route("/v1/events", post(receive))
        .layer(DefaultBodyLimit::max(ingest::MAX_BODY))
        .merge(web::routes())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .with_state(Hub { pool, options })
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
    let status = batch.status.clone();
    let events = ingest::check(batch)?;
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    Ok(Json(
        ingest::store(&pool, &device, agent, &events, status.as_ref()).await?,
    ))
}

/// Serves `app(pool, options)` on `listener` until `shutdown` completes;
/// requests under way are finished first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    pool: Pool,
    options: Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer's address: the login throttle counts per address.
    let app = app(pool, options).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
