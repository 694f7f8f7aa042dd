//! The portal's one error type. Visitors see a plain page; the log and the
//! technician see the cause.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Domain(#[from] anjungan::Error),

    #[error(
        "cannot {what} with nftables: {message}; check that the nftables package is installed and the portal has CAP_NET_ADMIN (its unit gives it; by hand, run it as root)"
    )]
    Firewall { what: &'static str, message: String },

    #[error(
        "cannot listen on {addr}: {source}; check that no other program uses it and the address exists"
    )]
    Listen {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },

    #[error(
        "the portal's address {0} is not IPv4; set captive.address to the IPv4 address of the Wi-Fi interface"
    )]
    NotIpv4(std::net::IpAddr),

    #[error(
        "cannot read the RADIUS secret from {path} ([captive] radius_secret_file): {reason}; write the shared secret on its first line and chmod 600 it"
    )]
    RadiusSecret {
        path: std::path::PathBuf,
        reason: String,
    },

    #[error(
        "cannot shape the visitors' bandwidth with tc: {message}; check that iproute2 is installed, the kernel has HTB and IFB (sch_htb, ifb, act_mirred, cls_u32) and the portal has CAP_NET_ADMIN, or set download_kbit and upload_kbit to 0"
    )]
    Shaping { message: String },

    #[error("[captive] {key}: {message}")]
    Preflight { key: &'static str, message: String },

    #[error("{key} {}: {message}", path.display())]
    Tls {
        key: &'static str,
        path: std::path::PathBuf,
        message: String,
    },

    #[error("cannot set up TLS: {0}")]
    TlsSetup(String),

    #[error("a background task of the portal failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        tracing::error!(error = %self, "request failed");
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Maaf, terjadi gangguan. Coba lagi sebentar lagi. / Sorry, something went wrong. Please try again shortly.\n",
        )
            .into_response()
    }
}
