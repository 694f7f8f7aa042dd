//! The hub's one error type. A device sees a status and a short line; the
//! log sees the cause.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// PostgreSQL could not be reached or refused a statement.
    #[error("PostgreSQL: {0}; check that it runs and that --database names it")]
    Database(#[from] tokio_postgres::Error),

    /// No connection could be had from the pool.
    #[error("PostgreSQL: {0}; check that it runs and that --database names it")]
    Pool(#[from] deadpool_postgres::PoolError),

    /// The schema could not be brought up to date.
    #[error("PostgreSQL schema update failed: {0}")]
    Migration(#[from] refinery::Error),

    /// No token, or one no enrolled device has (or a revoked one).
    #[error("unknown or revoked device token; enrol the device with `anjungan-hub device add ID`")]
    Unauthorized,

    /// The token is a device's, but the batch names another.
    #[error("this token belongs to device {token}, not {claimed}")]
    WrongDevice { token: String, claimed: String },

    /// A batch the hub will not store; the reason names the event.
    #[error("batch refused: {0}")]
    BadBatch(String),

    /// `device add` for an id that is enrolled already.
    #[error("device {0} is enrolled already; revoke it first to give it a new token")]
    DeviceExists(String),

    /// A staff form's field the hub will not take; the reason says what to do.
    #[error("{0}")]
    BadInput(String),

    /// A complaint no device pushed (device/reference).
    #[error("there is no complaint {0}; pick one from the inbox")]
    NoSuchComplaint(String),

    /// `device revoke` for an id nobody enrolled.
    #[error("there is no device {0}; see the enrolled ones with `anjungan-hub device list`")]
    NoSuchDevice(String),

    /// `staff add` for a name that has a login already.
    #[error(
        "staff {0} exists already; remove it first (`anjungan-hub staff remove {0}`) to set a new password"
    )]
    StaffExists(String),

    /// `staff remove` for a name nobody added, or a name no login can have.
    #[error("{0}")]
    Staff(String),

    /// A password refused (too short, too long) or that cannot be hashed.
    #[error("{0}")]
    Password(String),

    /// A catalog `catalog publish` refuses: the reason a device would give.
    #[error("not published: {0}")]
    Publish(String),

    /// Work handed to a thread of its own (argon2) did not come back.
    #[error("internal error: {0}; try again")]
    Blocking(#[from] tokio::task::JoinError),
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = match &self {
            // A device retries these: the batch stays pending on it.
            Error::Database(_) | Error::Pool(_) | Error::Migration(_) => {
                tracing::error!("{self}");
                StatusCode::SERVICE_UNAVAILABLE
            }
            Error::Unauthorized => StatusCode::UNAUTHORIZED,
            Error::WrongDevice { .. } => StatusCode::FORBIDDEN,
            Error::BadBatch(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::DeviceExists(_)
            | Error::NoSuchDevice(_)
            | Error::BadInput(_)
            | Error::StaffExists(_)
            | Error::Staff(_)
            | Error::Password(_)
            | Error::Publish(_) => StatusCode::BAD_REQUEST,
            Error::NoSuchComplaint(_) => StatusCode::NOT_FOUND,
            Error::Blocking(_) => {
                tracing::error!("{self}");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let line = match status {
            StatusCode::SERVICE_UNAVAILABLE => {
                "the hub cannot store events now; try again later".to_owned()
            }
            _ => self.to_string(),
        };
        (status, line).into_response()
    }
}
