//! Gating the Wi-Fi: the portal tells the firewall who may go out. The
//! ruleset is built by a pure function (`ruleset`); `apply` hands it to the
//! kernel. `Gate` is what the rest of the portal sees, so tests can watch
//! the decisions without a kernel; `watch` puts the table back when
//! something else changes it.

pub mod apply;
pub mod ruleset;

use std::net::Ipv4Addr;

use anjungan::wifi::radius::Usage;
use anjungan::wifi::{Mac, Session};

pub use apply::Nft;
pub use ruleset::GateSpec;

use crate::Result;

pub trait Gate: Send + Sync {
    /// Replaces the portal's whole table with one that lets `sessions` out,
    /// in one transaction (start-up, after a crash or a reboot).
    fn install(&self, sessions: &[Session], now: i64) -> Result<()>;
    /// Lets one visitor out for `seconds`; the kernel ends it by itself.
    fn admit(&self, mac: Mac, ip: Ipv4Addr, seconds: i64) -> Result<()>;
    /// Stops letting one visitor's address out (ended early, or moved to a
    /// new address).
    fn revoke(&self, mac: Mac, ip: Ipv4Addr) -> Result<()>;
    /// Why the kernel's table is no longer what `install` made of it (gone,
    /// changed by someone else, or the uplink's subnets moved), if it is
    /// not: then it must be installed again.
    fn drift(&self) -> Option<&'static str> {
        None
    }
    /// Bytes and packets each joined address sent and received since it
    /// was let out (or since the table was last installed): RADIUS
    /// accounting reads them.
    fn usage(&self) -> Result<Vec<(Ipv4Addr, Usage)>> {
        Ok(Vec::new())
    }
}

/// `firewall = "none"`: development on a laptop, nothing is gated.
pub struct Open;

impl Gate for Open {
    fn install(&self, _: &[Session], _: i64) -> Result<()> {
        Ok(())
    }
    fn admit(&self, _: Mac, _: Ipv4Addr, _: i64) -> Result<()> {
        Ok(())
    }
    fn revoke(&self, _: Mac, _: Ipv4Addr) -> Result<()> {
        Ok(())
    }
}
