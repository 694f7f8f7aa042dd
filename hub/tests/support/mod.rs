//! What the hub's tests share: a throw-away PostgreSQL and the hub program.

#![allow(dead_code)] // each test file uses its part

pub mod hub;
pub mod postgres;
