//! The thin adapter from rulesets to the kernel: `nft -j -f -` through the
//! `nftables` crate's JSON API, and `nft -j -t list table` to see whether
//! the table is still the one we installed.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Mutex;

use anjungan::wifi::radius::Usage;
use anjungan::wifi::{Mac, Session};
use nftables::helper;
use nftables::schema::Nftables;

use super::{Gate, GateSpec, ruleset};
use crate::{Error, Result, links};

pub struct Nft {
    spec: Mutex<GateSpec>,
    /// The kernel's terse listing of our table (no set elements) right
    /// after the last install: any other listing means somebody changed it.
    installed: Mutex<Option<String>>,
}

impl Nft {
    pub fn new(spec: GateSpec) -> Nft {
        Nft {
            spec: Mutex::new(spec),
            installed: Mutex::new(None),
        }
    }

    fn spec(&self) -> std::sync::MutexGuard<'_, GateSpec> {
        self.spec.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn run(what: &'static str, rules: &Nftables) -> Result<()> {
    helper::apply_ruleset(rules).map_err(|e| Error::Firewall {
        what,
        message: e.to_string(),
    })
}

/// Our table as the kernel lists it, without set elements (they change
/// with every join and timeout); `None` when it is not there.
fn listing() -> Option<String> {
    let args = ["-t", "list", "table", "inet", ruleset::TABLE];
    helper::get_current_ruleset_raw(helper::DEFAULT_NFT, args).ok()
}

/// The uplink's subnets now, as the ruleset wants them.
pub fn uplink_subnets(uplink: &str) -> Vec<(IpAddr, u8)> {
    links::subnets(uplink)
        .unwrap_or_default()
        .into_iter()
        .map(|s| (s.address, s.prefix))
        .collect()
}

impl Gate for Nft {
    fn install(&self, sessions: &[Session], now: i64) -> Result<()> {
        let rules = ruleset::ruleset(&self.spec(), sessions, now);
        let mut installed = self.installed.lock().unwrap_or_else(|e| e.into_inner());
        *installed = None;
        helper::apply_ruleset_raw(
            &rules.to_string(),
            helper::DEFAULT_NFT,
            helper::DEFAULT_ARGS,
        )
        .map_err(|e| Error::Firewall {
            what: "install the portal's table",
            message: e.to_string(),
        })?;
        *installed = listing();
        Ok(())
    }

    fn admit(&self, mac: Mac, ip: Ipv4Addr, seconds: i64) -> Result<()> {
        run("admit a visitor", &ruleset::admit(mac, ip, seconds))
    }

    fn revoke(&self, mac: Mac, ip: Ipv4Addr) -> Result<()> {
        // Already gone (its timeout ran out) is what we wanted anyway.
        match run("revoke a visitor", &ruleset::revoke(mac, ip)) {
            Err(Error::Firewall { message, .. })
                if message.contains("No such file") || message.contains("not exist") =>
            {
                Ok(())
            }
            other => other,
        }
    }

    fn usage(&self) -> Result<Vec<(Ipv4Addr, Usage)>> {
        let mut counted: HashMap<Ipv4Addr, Usage> = HashMap::new();
        for (name, upload) in [(ruleset::UPLOAD, true), (ruleset::DOWNLOAD, false)] {
            let args = ["list", "set", "inet", ruleset::TABLE, name];
            let listing =
                helper::get_current_ruleset_raw(helper::DEFAULT_NFT, args).map_err(|e| {
                    Error::Firewall {
                        what: "read the visitors' counters",
                        message: e.to_string(),
                    }
                })?;
            for (ip, packets, bytes) in ruleset::counters(&listing) {
                let u = counted.entry(ip).or_default();
                if upload {
                    (u.input_packets, u.input_octets) = (packets, bytes);
                } else {
                    (u.output_packets, u.output_octets) = (packets, bytes);
                }
            }
        }
        Ok(counted.into_iter().collect())
    }

    fn drift(&self) -> Option<&'static str> {
        {
            let mut spec = self.spec();
            let now = uplink_subnets(&spec.uplink);
            if now != spec.uplink_subnets {
                spec.uplink_subnets = now;
                return Some("the uplink's addresses changed");
            }
        }
        let installed = self.installed.lock().unwrap_or_else(|e| e.into_inner());
        match (listing(), installed.as_deref()) {
            (None, _) => Some("the portal's table is gone"),
            (Some(now), Some(then)) if now == then => None,
            _ => Some("the portal's table was changed"),
        }
    }
}
