//! The DHCP server's leases, from dnsmasq's lease file (`[captive]
//! dhcp_leases`): which MAC the server gave an address to. Read when a
//! joined visitor's MAC shows up at a new address (at most once per device
//! per `limits::MOVE_EVERY`), and read bounded.

use std::io::Read;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anjungan::wifi::Mac;

use crate::{Error, Result};

/// Most of the file read: a lease line is under 120 bytes, so this is
/// thousands of times the guest subnet's addresses.
pub const MAX_BYTES: u64 = 1024 * 1024;

/// The lease file of the portal: where it is, and whether a failed read
/// was already logged (once, not on every look-up).
pub struct Leases {
    path: PathBuf,
    warned: AtomicBool,
}

impl Leases {
    pub fn new(path: PathBuf) -> Leases {
        Leases {
            path,
            warned: AtomicBool::new(false),
        }
    }

    /// The MAC holding the lease of `ip` at `now`; `None` when there is no
    /// such lease (or no readable file). dnsmasq rewrites the file in place,
    /// so a look-up that finds nothing reads it once more.
    pub fn holder(&self, ip: Ipv4Addr, now: i64) -> Option<Mac> {
        self.read()
            .and_then(|text| holder_in(&text, ip, now))
            .or_else(|| self.read().and_then(|text| holder_in(&text, ip, now)))
    }

    fn read(&self) -> Option<String> {
        match read_bounded(&self.path) {
            Ok(text) => Some(text),
            Err(e) => {
                if !self.warned.swap(true, Ordering::Relaxed) {
                    tracing::warn!(path = %self.path.display(), error = %e, "cannot read the DHCP leases, so joined visitors cannot move to a new address; set [captive] dhcp_leases to the DHCP server's lease file");
                }
                None
            }
        }
    }
}

/// At start (with the firewall): the lease file must be there and
/// readable, or no joined visitor could ever keep their session at a new
/// address.
pub fn check(path: &Path) -> Result<()> {
    read_bounded(path).map(drop).map_err(|e| Error::Preflight {
        key: "dhcp_leases",
        message: format!(
            "cannot read {}: {e}; set captive.dhcp_leases to dnsmasq's lease file (Debian: /var/lib/misc/dnsmasq.leases, made when dnsmasq starts), or with another DHCP server to a file its leases are written to in dnsmasq's format",
            path.display()
        ),
    })
}

fn read_bounded(path: &Path) -> std::io::Result<String> {
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX_BYTES)
        .read_to_string(&mut text)?;
    Ok(text)
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
    fn a_missing_file_is_no_lease_and_refused_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none");
        let leases = Leases::new(missing.clone());
        assert_eq!(leases.holder(Ipv4Addr::new(10, 42, 0, 100), 0), None);
        assert!(leases.warned.load(Ordering::Relaxed));
        let m = check(&missing).unwrap_err().to_string();
        assert!(m.contains("dhcp_leases") && m.contains("none"), "{m}");
        std::fs::write(&missing, "").unwrap();
        assert!(check(&missing).is_ok());
    }

    #[test]
    fn only_the_first_mebibyte_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("leases");
        let filler = "0 aa:bb:cc:dd:ee:09 10.42.0.9 * *\n".repeat(40_000);
        assert!(filler.len() as u64 > MAX_BYTES);
        std::fs::write(
            &path,
            format!("{filler}0 aa:bb:cc:dd:ee:01 10.42.0.100 * *\n"),
        )
        .unwrap();
        let leases = Leases::new(path);
        assert_eq!(
            leases.holder(Ipv4Addr::new(10, 42, 0, 9), 0),
            Some(Mac([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x09]))
        );
        assert_eq!(leases.holder(Ipv4Addr::new(10, 42, 0, 100), 0), None);
    }
}
