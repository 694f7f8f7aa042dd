//! The citizens' voice on the Wi-Fi page (issue 13): the satisfaction
//! survey, complaints, and a complaint's status looked up by its
//! reference; before joining and after.
//!
//! - `forms`: the posted forms read into the domain's values (pure);
//! - `picker`: which services a form offers (pure);
//! - `views`, `qr`: the pages as markup, the LAPOR! code as inline SVG;
//! - `refusal`: why something was not taken, in the visitor's words;
//! - `submit`: each submission carried out, blocking: form token, the
//!   form, rate limits, the device, then the database;
//! - `routes`: the axum handlers.
//!
//! Nothing here keeps a MAC or an address with an answer or a complaint:
//! the MAC goes only into the domain's keyed hash of the day
//! (`survey::record_once`), the address only into the rate limiters.

pub mod forms;
pub mod picker;
mod qr;
pub mod refusal;
pub mod routes;
pub mod submit;
pub mod views;

use std::sync::Mutex;

use anjungan::store::Store;
use chrono::{DateTime, FixedOffset, Local};

use crate::limits::{self, RateLimiter};

/// The voice's share of the portal's state.
pub struct Voice {
    /// A connection of its own: an answer's write (synchronous, fsync'd)
    /// does not hold up joins, which use the sessions' connection.
    store: Mutex<Store>,
    pub surveys: RateLimiter,
    pub complaints: RateLimiter,
    pub all_complaints: RateLimiter<()>,
    pub lookups: RateLimiter,
    /// `[voice] keep_contact_days`, which the complaint form promises.
    pub keep_contact_days: u32,
}

impl Voice {
    pub fn new(store: Store, keep_contact_days: u32) -> Voice {
        Voice {
            store: Mutex::new(store),
            surveys: limits::survey_limiter(),
            complaints: limits::complaint_limiter(),
            all_complaints: limits::all_complaints_limiter(),
            lookups: limits::lookup_limiter(),
            keep_contact_days,
        }
    }

    /// Runs `f` on the voice's connection. Blocking.
    pub fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> anjungan::Result<T>,
    ) -> crate::Result<T> {
        let mut store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        Ok(f(&mut store)?)
    }
}

/// The portal's moment (Unix seconds) as the device's local time: the
/// survey's day is the local day.
pub fn local(now: i64) -> DateTime<FixedOffset> {
    DateTime::from_timestamp(now, 0)
        .unwrap_or_default()
        .with_timezone(&Local)
        .fixed_offset()
}
