//! What the hub's tests share: a throw-away PostgreSQL, the hub program,
//! simulated devices.

#![allow(dead_code)] // each test file uses its part

pub mod browser;
pub mod device;
pub mod hub;
pub mod postgres;
pub mod proxy;
pub mod staff;

/// The hub's event counts per device and kind, read with `anjungan-hub
/// totals` (the region's own view).
pub fn totals(database: &str) -> serde_json::Value {
    serde_json::from_str(&hub::run(database, &["totals"])).unwrap()
}
