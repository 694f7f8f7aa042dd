//! The kiosk library's one error type.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Domain(#[from] anjungan::Error),
    #[error("no service \"{0}\" in the catalog in use; list them with `anjungan catalog export`")]
    UnknownService(String),
    #[error("no category \"{0}\" in the catalog in use; list them with `anjungan catalog export`")]
    UnknownCategory(String),
    #[error("{0}")]
    BadArgument(String),
    #[error("the display could not be used ({0}); check that the kiosk may open the screen")]
    Platform(#[from] slint::PlatformError),
    #[error("could not make the QR code for \"{text}\": {reason}")]
    Qr { text: String, reason: String },
    #[error("could not write {}: {reason}", path.display())]
    WritePng { path: PathBuf, reason: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
