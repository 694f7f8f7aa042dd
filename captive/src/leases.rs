//! The DHCP server's leases, from dnsmasq's lease file (`[captive]
//! dhcp_leases`): which MAC the server gave an address to. Read only when a
//! joined visitor's MAC shows up at a new address, never per request.

use std::net::Ipv4Addr;
use std::path::Path;

use anjungan::wifi::Mac;

/// The MAC holding the lease of `ip` at `now`, from the file at `path`;
/// `None` when there is no such lease (or no readable file).
pub fn holder(path: &Path, ip: Ipv4Addr, now: i64) -> Option<Mac> {
    match std::fs::read_to_string(path) {
        Ok(text) => holder_in(&text, ip, now),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "cannot read the DHCP leases; set [captive] dhcp_leases to the DHCP server's lease file");
            None
        }
    }
}

/// dnsmasq's format, one lease a line: `EXPIRY MAC IP HOSTNAME CLIENT-ID`,
/// the expiry in Unix seconds (0: never). IPv6 leases (after a `duid`
/// line) have no MAC and never match an IPv4 address.
pub fn holder_in(text: &str, ip: Ipv4Addr, now: i64) -> Option<Mac> {
    let wanted = ip.to_string();
    text.lines().find_map(|line| {
        let mut fields = line.split_whitespace();
        let (expiry, mac, addr) = (fields.next()?, fields.next()?, fields.next()?);
        let expiry: i64 = expiry.parse().ok()?;
        (addr == wanted && (expiry == 0 || expiry > now))
            .then(|| mac.parse().ok())
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEASES: &str = "\
2000 aa:bb:cc:dd:ee:01 10.42.0.100 phone-a 01:aa:bb:cc:dd:ee:01
0 aa:bb:cc:dd:ee:02 10.42.0.101 * *
500 aa:bb:cc:dd:ee:03 10.42.0.102 old *
duid 00:01:00:01:2c:1f:aa:bb:cc:dd:ee:ff
2000 1234 fd00::5 * 00:01:00:01
";

    #[test]
    fn finds_the_current_holder_of_an_address() {
        let at = |ip: &str| holder_in(LEASES, ip.parse().unwrap(), 1_000).map(|m| m.to_string());
        assert_eq!(at("10.42.0.100").as_deref(), Some("aa:bb:cc:dd:ee:01"));
        assert_eq!(
            at("10.42.0.101").as_deref(),
            Some("aa:bb:cc:dd:ee:02"),
            "never expires"
        );
        assert_eq!(at("10.42.0.102"), None, "expired");
        assert_eq!(at("10.42.0.10"), None, "never leased");
    }

    #[test]
    fn a_missing_file_is_no_lease() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            holder(&dir.path().join("none"), Ipv4Addr::new(10, 42, 0, 100), 0),
            None
        );
    }
}
