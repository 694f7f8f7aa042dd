//! Who is who: the MAC address behind a visitor's IP, from the kernel's
//! neighbour (ARP) table. A visitor's request has just arrived over the
//! Wi-Fi, so the kernel has the entry.

use std::net::Ipv4Addr;

use anjungan::wifi::Mac;

pub trait Neighbours: Send + Sync {
    fn mac_of(&self, ip: Ipv4Addr) -> Option<Mac>;
}

/// The kernel's table as `/proc/net/arp` shows it (in the portal's own
/// network namespace).
pub struct KernelArp;

impl Neighbours for KernelArp {
    fn mac_of(&self, ip: Ipv4Addr) -> Option<Mac> {
        let table = std::fs::read_to_string("/proc/net/arp").ok()?;
        mac_in_arp_table(&table, ip)
    }
}

/// Reads `/proc/net/arp`: `IP address  HW type  Flags  HW address  Mask  Device`.
/// Incomplete entries (flags 0x0) have no usable address.
pub fn mac_in_arp_table(table: &str, ip: Ipv4Addr) -> Option<Mac> {
    let wanted = ip.to_string();
    table.lines().skip(1).find_map(|line| {
        let mut cols = line.split_whitespace();
        let (addr, _hw, flags, mac) = (cols.next()?, cols.next()?, cols.next()?, cols.next()?);
        (addr == wanted && flags != "0x0")
            .then(|| mac.parse().ok())
            .flatten()
            .filter(|m: &Mac| m.0 != [0; 6])
    })
}

/// `firewall = "none"` on a laptop: there is no Wi-Fi to look at, so the IP
/// address stands in for the device.
pub struct ByAddress;

impl Neighbours for ByAddress {
    fn mac_of(&self, ip: Ipv4Addr) -> Option<Mac> {
        let [a, b, c, d] = ip.octets();
        Some(Mac([0x02, 0, a, b, c, d]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str =
        "IP address       HW type     Flags       HW address            Mask     Device
10.42.0.100      0x1         0x2         aa:bb:cc:dd:ee:01     *        wlan0
10.42.0.101      0x1         0x0         00:00:00:00:00:00     *        wlan0
10.42.0.10       0x1         0x2         aa:bb:cc:dd:ee:10     *        wlan0
";

    #[test]
    fn finds_complete_entries_only() {
        let mac = |ip: &str| mac_in_arp_table(TABLE, ip.parse().unwrap()).map(|m| m.to_string());
        assert_eq!(mac("10.42.0.100").as_deref(), Some("aa:bb:cc:dd:ee:01"));
        assert_eq!(mac("10.42.0.10").as_deref(), Some("aa:bb:cc:dd:ee:10"));
        assert_eq!(mac("10.42.0.101"), None);
        assert_eq!(mac("10.42.0.1"), None);
    }
}
