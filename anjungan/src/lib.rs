//! Anjungan's domain: the configuration every program reads, the one SQLite
//! store they share, the service catalog (its bundle format, validation and
//! installation), the search citizens use to find a service, what citizens
//! tell the region (survey and complaints), and the device's exchange with
//! the region (`sync`: the signed catalog pulled, events pushed).
//!
//! This crate knows no UI toolkit, no HTTP framework and no firewall: the
//! kiosk, the portal and the command line are thin shells around it.

pub mod admin_password;
pub mod admin_token;
pub mod alert;
pub mod catalog;
pub mod config;
pub mod error;
pub mod lang;
pub mod metrics;
pub mod outbox;
pub mod password;
pub mod print;
pub mod queue;
mod readable_code;
pub mod screen_hours;
pub mod search;
pub mod store;
pub mod sync;
pub mod systemd;
pub mod timestamp;
pub mod voice;
pub mod wifi;

pub use error::{Error, Result};
pub use lang::Lang;
