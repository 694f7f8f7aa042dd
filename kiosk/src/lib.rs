//! `anjungan-kiosk`: the touchscreen app citizens use to look up public
//! services. The views are Slint (`ui/`); this crate holds what they show
//! and how they behave:
//!
//! - [`session`] — where the citizen is and what they typed: plain state,
//!   tested without a window; [`paper`] — where their paper is;
//!   [`survey`] and [`complaint`] — their survey and complaint form.
//! - [`pages`] — the catalog turned into what a screen shows, in one language.
//! - [`idle`] — when to warn and when to reset an abandoned screen;
//!   [`screen`] — when the screen is dark (`[kiosk] screen_hours`) and a
//!   touch wakes it; [`backlight`] — the panel's light, where it has one.
//! - [`views`] — the Rust side of each view: its callbacks, and the
//!   session rendered into its adapter.
//! - [`controller`] — binds a session to the window: callbacks, the print
//!   thread's news, the idle timer.
//! - [`snapshot`] — renders a screen to a PNG with no display.
//! - [`worker`] — the thread that prints and records, so the screen never waits.
//! - [`rotation`] — a rotated panel's touch turned with its picture;
//! - [`run`] — the app on a desktop window or on the device's screen;
//!   [`supervision`] — systemd told it is ready and alive.

pub mod backlight;
pub mod complaint;
pub mod controller;
pub mod error;
pub mod gpio;
pub mod idle;
pub mod lang;
pub mod pages;
pub mod paper;
pub mod qr;
pub mod rotation;
pub mod run;
pub mod screen;
pub mod session;
pub mod snapshot;
pub mod supervision;
pub mod survey;
pub mod views;
pub mod worker;

pub use error::{Error, Result};

/// The Slint views and their adapters, compiled from `ui/app.slint`.
/// Generated code: it has `todo!()` in paths Slint never takes, and is not
/// ours to lint.
#[allow(clippy::todo, clippy::all)]
pub mod ui {
    slint::include_modules!();
}
