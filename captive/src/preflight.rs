//! Start-up checks before the portal gates anything: the interfaces and the
//! address the configuration names must exist, or the portal refuses to
//! start (a firewall for a missing interface would let everything by), and
//! the guest interface is made deaf to routing advice from guests.

use std::path::Path;

use anjungan::config::CaptiveConfig;

use crate::limits::LARGEST_GUEST_PREFIX;
use crate::{Error, Result, links};

/// Checks `[captive] interface`, `uplink` and `address` against the kernel,
/// then hardens the guest interface (`harden`).
pub fn check(c: &CaptiveConfig) -> Result<()> {
    for (key, name, side) in [
        ("interface", &c.interface, "the Wi-Fi guests' interface"),
        ("uplink", &c.uplink, "the interface towards the internet"),
    ] {
        if !links::exists(name) {
            return Err(Error::Preflight {
                key,
                message: format!(
                    "there is no network interface \"{name}\" on this device; set it to {side} (`ip link` lists them)"
                ),
            });
        }
    }
    let guest_side = links::subnets(&c.interface)
        .map_err(|e| Error::Preflight {
            key: "interface",
            message: format!("cannot read the addresses of \"{}\": {e}", c.interface),
        })?
        .into_iter()
        .find(|s| s.address == c.address);
    let Some(guest_side) = guest_side else {
        return Err(Error::Preflight {
            key: "address",
            message: format!(
                "{} is not an address of \"{}\"; set it to the address the guests' interface has (`ip addr show {}`), or give the interface that address",
                c.address, c.interface, c.interface
            ),
        });
    };
    // The connection caps fit a /24 (`limits::MAX_CONNECTIONS`): in a
    // larger subnet one guest holding many addresses could fill them. A
    // region may have good reasons for a larger guest network, so this is
    // the technician's choice to make, told plainly, not a refusal.
    if guest_side.prefix < LARGEST_GUEST_PREFIX {
        tracing::warn!(
            "the guests' subnet {}/{} is larger than /{LARGEST_GUEST_PREFIX}: one guest that takes many addresses could hold all of the portal's connections; give \"{}\" a /{LARGEST_GUEST_PREFIX} (at most 254 guests), as `anjungan-captive network-files` does, unless more guests must join at once",
            c.address,
            guest_side.prefix,
            c.interface
        );
    }
    harden(&c.interface)
}

/// The sysctls the guest interface needs, whatever the distribution's
/// defaults: no router advertisements or redirects taken from guests (a
/// guest must not become the device's router), and strict reverse-path
/// filtering (a guest cannot send from addresses outside its subnet, which
/// keeps the per-address DNS limit per guest).
pub fn harden(interface: &str) -> Result<()> {
    let v4 = format!("/proc/sys/net/ipv4/conf/{interface}");
    let v6 = format!("/proc/sys/net/ipv6/conf/{interface}");
    let mut settings = vec![
        (format!("{v4}/accept_redirects"), "0"),
        (format!("{v4}/rp_filter"), "1"),
    ];
    // No IPv6 on the device (ipv6.disable=1): nothing to take advice over.
    if Path::new(&v6).exists() {
        settings.push((format!("{v6}/accept_ra"), "0"));
        settings.push((format!("{v6}/accept_redirects"), "0"));
    }
    for (path, value) in settings {
        std::fs::write(&path, value).map_err(|e| Error::Preflight {
            key: "interface",
            message: format!(
                "cannot set {path} to {value}: {e}; the portal must run as root with /proc/sys/net writable (see systemd/anjungan-captive.service)"
            ),
        })?;
    }
    Ok(())
}
