//! The device's network interfaces as the kernel sees them now: whether one
//! exists, and the addresses and subnets on it (`getifaddrs`).

use std::net::IpAddr;

use nix::ifaddrs::getifaddrs;

/// One address on an interface with its prefix length: `10.98.0.1/24`
/// says the interface is on the subnet 10.98.0.0/24.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Subnet {
    pub address: IpAddr,
    pub prefix: u8,
}

/// Whether an interface of that name exists (up or not).
pub fn exists(interface: &str) -> bool {
    std::path::Path::new("/sys/class/net")
        .join(interface)
        .exists()
}

/// Every IPv4 and IPv6 address on `interface`, sorted (so two reads of an
/// unchanged interface compare equal). Link-local IPv6 addresses are left
/// out: fe80::/10 is blocked whole anyway.
pub fn subnets(interface: &str) -> std::io::Result<Vec<Subnet>> {
    let mut found = Vec::new();
    for a in getifaddrs().map_err(std::io::Error::from)? {
        if a.interface_name != interface {
            continue;
        }
        let (Some(address), Some(mask)) = (a.address, a.netmask) else {
            continue;
        };
        let subnet = match (address.as_sockaddr_in(), mask.as_sockaddr_in()) {
            (Some(addr), Some(mask)) => Some(Subnet {
                address: IpAddr::V4(addr.ip()),
                prefix: u32::from(mask.ip()).count_ones() as u8,
            }),
            _ => match (address.as_sockaddr_in6(), mask.as_sockaddr_in6()) {
                (Some(addr), Some(mask)) if !is_link_local(addr.ip()) => Some(Subnet {
                    address: IpAddr::V6(addr.ip()),
                    prefix: u128::from(mask.ip()).count_ones() as u8,
                }),
                _ => None,
            },
        };
        found.extend(subnet);
    }
    found.sort();
    found.dedup();
    Ok(found)
}

fn is_link_local(a: std::net::Ipv6Addr) -> bool {
    a.segments()[0] & 0xffc0 == 0xfe80
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_there_with_its_subnet() {
        assert!(exists("lo"));
        assert!(!exists("no-such-if0"));
        let lo = subnets("lo").unwrap();
        assert!(
            lo.contains(&Subnet {
                address: "127.0.0.1".parse().unwrap(),
                prefix: 8
            }),
            "{lo:?}"
        );
        assert!(subnets("no-such-if0").unwrap().is_empty());
    }
}
