//! Start-up checks before the portal gates anything: the interfaces and the
//! address the configuration names must exist before it gates (a firewall
//! for a missing interface would let everything by), so it waits for them,
//! and the guest interface is made deaf to routing advice from guests.

use std::path::Path;
use std::time::{Duration, Instant};

use anjungan::config::CaptiveConfig;

use crate::limits::LARGEST_GUEST_PREFIX;
use crate::{Error, Result, links};

/// How often to look again for an interface or address that is not there
/// yet: a phone that joins the moment the radio is up finds the portal
/// gating within half a second.
pub const POLL: Duration = Duration::from_millis(500);

/// Waits, in this process, until `[captive] interface`, `uplink` and
/// `address` are there: a radio may appear late (a slow driver, a USB
/// dongle plugged in later) and the address follows it. Says once what it
/// waits for, and when the wait is over. Blocking.
pub fn wait_for_interfaces(c: &CaptiveConfig) {
    let since = Instant::now();
    let (_, tries) = wait_until(
        || present(c),
        POLL,
        |why| tracing::warn!("waiting for the Wi-Fi guests' interface: {why}"),
    );
    if tries > 1 {
        tracing::info!(
            waited_ms = since.elapsed().as_millis() as u64,
            "the interfaces and the address are there now"
        );
    }
}

/// Calls `probe` every `poll` until it succeeds; `first_refusal` hears the
/// first failure only, so a long wait is one line in the journal. Returns
/// the value and how many calls it took.
pub fn wait_until<T, E>(
    mut probe: impl FnMut() -> Result<T, E>,
    poll: Duration,
    first_refusal: impl FnOnce(&E),
) -> (T, u32) {
    let mut first_refusal = Some(first_refusal);
    let mut tries = 0;
    loop {
        tries += 1;
        match probe() {
            Ok(value) => return (value, tries),
            Err(why) => {
                if let Some(say) = first_refusal.take() {
                    say(&why);
                }
            }
        }
        std::thread::sleep(poll);
    }
}

/// Checks `[captive] interface`, `uplink` and `address` against the kernel,
/// then hardens the guest interface (`harden`).
pub fn check(c: &CaptiveConfig) -> Result<()> {
    let guest_side = present(c)?;
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

/// The interfaces exist and the guest side has the address: its subnet, or
/// a refusal naming the key.
fn present(c: &CaptiveConfig) -> Result<links::Subnet> {
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
    guest_side.ok_or_else(|| Error::Preflight {
        key: "address",
        message: format!(
            "{} is not an address of \"{}\"; set it to the address the guests' interface has (`ip addr show {}`), or give the interface that address",
            c.address, c.interface, c.interface
        ),
    })
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
                "cannot set {path} to {value}: {e}; the portal needs CAP_NET_ADMIN and /proc/sys/net writable (see systemd/anjungan-captive.service)"
            ),
        })?;
    }
    Ok(())
}

/// Switches IPv4 forwarding on, for joined guests to reach the internet.
/// Called only once the portal's table is in the kernel (see `start`);
/// left on when the portal stops, like the table, so that joined visitors
/// keep the internet across a restart.
pub fn forward() -> Result<()> {
    const PATH: &str = "/proc/sys/net/ipv4/ip_forward";
    std::fs::write(PATH, "1").map_err(|e| Error::Preflight {
        key: "firewall",
        message: format!(
            "cannot set {PATH} to 1: {e}; the portal needs CAP_NET_ADMIN and it writable (see systemd/anjungan-captive.service)"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_until_the_probe_succeeds_and_says_why_once() {
        let mut refusals = Vec::new();
        let mut calls = 0;
        let (value, tries) = wait_until(
            || {
                calls += 1;
                if calls < 4 { Err(calls) } else { Ok("there") }
            },
            Duration::from_millis(1),
            |why: &i32| refusals.push(*why),
        );
        assert_eq!((value, tries), ("there", 4));
        assert_eq!(refusals, vec![1]);
    }

    #[test]
    fn no_wait_when_already_there() {
        let (value, tries) = wait_until(
            || Ok::<_, ()>(7),
            Duration::from_secs(3600),
            |_| panic!("nothing to say"),
        );
        assert_eq!((value, tries), (7, 1));
    }
}
