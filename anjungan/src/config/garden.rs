//! `[captive] walled_garden` entries: what visitors reach before joining.
//! A name opens itself and its subdomains by HTTPS (dnsmasq puts the
//! addresses it answers for them into the portal's set); a `CIDR[:PORT]`
//! opens a public network (at one port, TCP and UDP) outright.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::LocalDestination;

/// Most entries: each name is a dnsmasq line and each network a rule; a
/// region's own services fit in far fewer.
pub const MAX_ENTRIES: usize = 64;
/// RFC 1035: a name is at most 253 characters, a label at most 63.
const MAX_NAME: usize = 253;
const MAX_LABEL: usize = 63;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GardenEntry {
    /// A DNS name in lower case (IDNs in their `xn--` form), with at least
    /// two labels; its subdomains are implied.
    Name(String),
    /// A public network, optionally one port.
    Network(LocalDestination),
}

impl FromStr for GardenEntry {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        // "1password.com" is a name; "10.0.0.1/33" is a network gone wrong.
        if s.starts_with(|c: char| c.is_ascii_digit() || c == '[') {
            match s.parse::<LocalDestination>() {
                Ok(d) => return Ok(GardenEntry::Network(d)),
                Err(e) => return name(s).map(GardenEntry::Name).map_err(|_| e),
            }
        }
        name(s).map(GardenEntry::Name)
    }
}

/// `s` as a host name (`[captive] hostname`): the rules of a
/// walled-garden name, without a wildcard or a single label.
pub(super) fn host_name(s: &str) -> Result<String, String> {
    name(s).map_err(|e| match e.split_once(';') {
        Some((why, _)) => why.to_owned(),
        None => e,
    })
}

/// `s` as a walled-garden name, or why not.
fn name(s: &str) -> Result<String, String> {
    let bad = |why: &str| {
        format!(
            "{s:?} {why}; give a name such as \"lapor.go.id\" (its subdomains are included) or a CIDR[:PORT] such as \"203.0.113.0/24:443\""
        )
    };
    if s.contains('*') {
        return Err(bad(
            "has a wildcard; the name alone already opens its subdomains",
        ));
    }
    if s.is_empty() || s.len() > MAX_NAME {
        return Err(bad("is not 1 to 253 characters long"));
    }
    let lower = s.to_ascii_lowercase();
    let labels: Vec<&str> = lower.split('.').collect();
    if labels.len() < 2 {
        return Err(bad(
            "is a single label, which would open a whole top-level domain",
        ));
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= MAX_LABEL
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if !labels.iter().all(|l| label_ok(l)) {
        return Err(bad(
            "is not a DNS name (letters, digits and hyphens between dots; international names in their xn-- form)",
        ));
    }
    Ok(lower)
}

impl GardenEntry {
    /// Why this entry cannot be in the garden even though it parses: only
    /// public IPv4 networks (visitors have IPv4 only; the local networks
    /// stay closed before joining, `allow_local` opens them after).
    pub fn problem(&self) -> Option<String> {
        let GardenEntry::Network(d) = self else {
            return None;
        };
        match d.network {
            IpAddr::V6(_) => Some(format!(
                "{d}: visitors get IPv4 addresses only; give IPv4 networks"
            )),
            IpAddr::V4(a)
                if a.is_private()
                    || a.is_loopback()
                    || a.is_link_local()
                    || a.is_unspecified()
                    || a.is_multicast()
                    || a.is_broadcast()
                    || d.prefix < 8 =>
            {
                Some(format!(
                    "{d}: a local or too wide network; the walled garden opens public networks only (allow_local opens local ones to joined visitors)"
                ))
            }
            IpAddr::V4(_) => None,
        }
    }
}

impl fmt::Display for GardenEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GardenEntry::Name(n) => f.write_str(n),
            GardenEntry::Network(d) => d.fmt(f),
        }
    }
}

impl<'de> Deserialize<'de> for GardenEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for GardenEntry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_networks_parse_and_print_back() {
        for (given, shown) in [
            ("lapor.go.id", "lapor.go.id"),
            ("Layanan.Jatimprov.GO.ID", "layanan.jatimprov.go.id"),
            ("xn--bcher-kva.example", "xn--bcher-kva.example"),
            ("1password.com", "1password.com"),
            ("203.0.113.7", "203.0.113.7/32"),
            ("203.0.113.0/24:443", "203.0.113.0/24:443"),
        ] {
            let e: GardenEntry = given.parse().unwrap();
            assert_eq!(e.to_string(), shown, "{given}");
            assert_eq!(shown.parse::<GardenEntry>().unwrap(), e);
        }
    }

    #[test]
    fn wildcards_single_labels_and_junk_are_refused_in_one_line() {
        for (bad, why) in [
            ("*.lapor.go.id", "wildcard"),
            ("id", "single label"),
            ("lapor..go.id", "not a DNS name"),
            ("lapor.go.id.", "not a DNS name"),
            ("-lapor.go.id", "not a DNS name"),
            ("lapor go.id", "not a DNS name"),
            ("lapor.go.id/x", "not a DNS name"),
            ("lapor.go.id\nserver=/x/1.2.3.4", "not a DNS name"),
            ("", "1 to 253"),
            ("10.0.0.1/33", "CIDR"),
        ] {
            let m = bad.parse::<GardenEntry>().unwrap_err();
            assert!(m.contains(why) && !m.contains('\n'), "{bad}: {m}");
        }
        let long = format!("{}.id", "a".repeat(64));
        assert!(long.parse::<GardenEntry>().is_err());
        let long = format!("{}id", "abcdefghi.".repeat(26));
        assert!(long.parse::<GardenEntry>().unwrap_err().contains("253"));
    }

    #[test]
    fn only_public_ipv4_networks() {
        let problem = |s: &str| s.parse::<GardenEntry>().unwrap().problem();
        assert_eq!(problem("203.0.113.0/24:443"), None);
        assert_eq!(problem("lapor.go.id"), None);
        for local in [
            "192.168.1.0/24",
            "10.0.0.1",
            "127.0.0.1",
            "0.0.0.0/0",
            "[2001:db8::/32]:443",
        ] {
            assert!(problem(local).is_some(), "{local}");
        }
    }
}
