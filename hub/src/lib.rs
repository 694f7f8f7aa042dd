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
//!   devices pull; `ikm`: the region's survey tallies; `complaints`: the
//!   inbox and the statuses devices fetch back; `web`: the region's pages
//!   and the catalog's URL.

pub mod complaints;
pub mod db;
pub mod devices;
mod error;
pub mod ikm;
pub mod ingest;
pub mod publish;
pub mod staff;
pub mod totals;
pub mod web;

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, FromRef, Query, State};
use axum::http::{HeaderMap, header};
use axum::routing::{get, post};
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
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Cookies marked `Secure` whatever the request says (`--secure-cookies`);
    /// without it, only requests a proxy marks `X-Forwarded-Proto: https`.
    pub secure_cookies: bool,
    /// Complaints' contacts are erased after this many days
    /// (`--keep-contact-days`, as the devices' `[voice] keep_contact_days`).
    pub keep_contact_days: u32,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            secure_cookies: false,
            keep_contact_days: 90,
        }
    }
}

impl FromRef<Hub> for Pool {
    fn from_ref(hub: &Hub) -> Pool {
        hub.pool.clone()
    }
}

/// How long one request may take before the hub gives up on it (the
/// device keeps the batch and tries again).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The hub's routes over `pool`: the devices' API and the region's pages.
pub fn app(pool: Pool, options: Options) -> Router {
    Router::new()
        .route("/v1/events", post(receive))
        .route("/v1/complaints/updates", get(complaint_updates))
        .layer(DefaultBodyLimit::max(ingest::MAX_BODY))
        .merge(web::routes())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .with_state(Hub { pool, options })
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
    let status = batch.status.clone();
    let events = ingest::check(batch)?;
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    Ok(Json(
        ingest::store(&pool, &device, agent, &events, status.as_ref()).await?,
    ))
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
