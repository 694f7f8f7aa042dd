//! The thin adapter from rulesets to the kernel: `nft -j -f -` through the
//! `nftables` crate's JSON API.

use std::net::Ipv4Addr;

use anjungan::wifi::{Mac, Session};
use nftables::helper;
use nftables::schema::Nftables;

use super::{Gate, GateSpec, ruleset};
use crate::{Error, Result};

pub struct Nft {
    spec: GateSpec,
}

impl Nft {
    pub fn new(spec: GateSpec) -> Nft {
        Nft { spec }
    }
}

fn run(what: &'static str, rules: &Nftables) -> Result<()> {
    helper::apply_ruleset(rules).map_err(|e| Error::Firewall {
        what,
        message: e.to_string(),
    })
}

impl Gate for Nft {
    fn install(&self, sessions: &[Session], now: i64) -> Result<()> {
        run(
            "install the portal's table",
            &ruleset::ruleset(&self.spec, sessions, now),
        )
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
}
