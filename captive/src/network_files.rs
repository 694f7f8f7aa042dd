//! The Wi-Fi side's configuration files, made from `[captive]` in
//! `anjungan.toml` alone: hostapd's access point, dnsmasq's DHCP and DNS,
//! and systemd-networkd's addresses for the guest interface and the uplink.
//!
//! A technician changes only `anjungan.toml`; `anjungan-network.service`
//! runs `anjungan-captive network-files` at boot, before networkd, hostapd
//! and dnsmasq start, so no second copy of a name or an address can drift
//! from the one the portal uses.

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

use anjungan::config::{CaptiveConfig, GardenEntry};

use crate::firewall::ruleset::{GARDEN, TABLE};

use crate::{Error, Result};

/// The guest network's prefix length: the portal's connection caps are made
/// for a /24 (`limits::LARGEST_GUEST_PREFIX`).
const GUEST_PREFIX: u8 = 24;
/// The DHCP pool's first and last host number in the guest /24: room for
/// fixed addresses below it, and 151 leases, more than most radios carry.
const POOL: (u8, u8) = (100, 250);

/// One generated file: its name and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub name: &'static str,
    pub text: String,
}

/// The files for `hostapd` and `dnsmasq` (for `/run/anjungan`).
pub const HOSTAPD: &str = "hostapd.conf";
pub const DNSMASQ: &str = "dnsmasq.conf";
/// The files for systemd-networkd (for `/run/systemd/network`).
pub const GUEST_NETWORK: &str = "50-anjungan-guest.network";
pub const UPLINK_NETWORK: &str = "50-anjungan-uplink.network";

/// The daemons' files and networkd's files, apart because they go to
/// different directories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkFiles {
    pub daemons: Vec<File>,
    pub networkd: Vec<File>,
}

const HEADER: &str = "# Made by `anjungan-captive network-files` from [captive] in\n\
# /etc/anjungan/anjungan.toml at every boot: change that file, not this one.\n";

/// Every file, from the configuration. Refuses an IPv6 portal address (the
/// guests get IPv4 by DHCP).
pub fn render(c: &CaptiveConfig) -> Result<NetworkFiles> {
    let IpAddr::V4(address) = c.address else {
        return Err(Error::NotIpv4(c.address));
    };
    Ok(NetworkFiles {
        daemons: vec![
            File {
                name: HOSTAPD,
                text: hostapd(c),
            },
            File {
                name: DNSMASQ,
                text: dnsmasq(c, address),
            },
        ],
        networkd: vec![
            File {
                name: GUEST_NETWORK,
                text: guest_network(c, address),
            },
            File {
                name: UPLINK_NETWORK,
                text: uplink_network(c),
            },
        ],
    })
}

/// Writes `files` into `dir` (created if missing), each whole or not at
/// all: a daemon restarting meanwhile reads the old file or the new one.
pub fn write(dir: &Path, files: &[File]) -> Result<()> {
    let io = |what: &'static str, path: &Path, source| {
        Error::Domain(anjungan::Error::Io {
            what,
            path: path.to_owned(),
            source,
        })
    };
    std::fs::create_dir_all(dir).map_err(|e| io("cannot create the directory", dir, e))?;
    for file in files {
        let path = dir.join(file.name);
        let partial = dir.join(format!(".{}.new", file.name));
        std::fs::write(&partial, &file.text).map_err(|e| io("cannot write", &partial, e))?;
        std::fs::rename(&partial, &path).map_err(|e| io("cannot replace", &path, e))?;
    }
    Ok(())
}

fn hostapd(c: &CaptiveConfig) -> String {
    // The SSID goes in as hex (`ssid2`): it may hold any bytes the
    // technician typed, and none of them can start a line of its own.
    let ssid_hex: String = c.ssid.bytes().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    });
    format!(
        "{HEADER}\
# hostapd for the free Wi-Fi: an open access point for the portal's guests.

interface={interface}
driver=nl80211
# The country the device stands in ([captive] country) decides the channels
# and the transmit power allowed.
country_code={country}
ieee80211d=1

# [captive] ssid, {ssid:?}, in hex.
ssid2={ssid_hex}
utf8_ssid=1

# 2.4 GHz with 802.11n: every phone sees it, through walls.
hw_mode=g
channel={channel}
ieee80211n=1
wmm_enabled=1

# Open: no password. The portal decides who goes out, not the radio.
auth_algs=1
wpa=0
ignore_broadcast_ssid=0

# Guests never reach each other over the radio: the access point does not
# pass frames from one station to another (the portal's firewall stops the
# way through the device's IP stack too). Without this, any guest could
# reach every other phone on the Wi-Fi directly.
ap_isolate=1

# A government lobby can be busy; keep headroom over [captive] max_visitors
# (the radio, not the portal, is then the limit: most Raspberry Pi radios
# manage far fewer stations than 250 at once).
max_num_sta=255
# Stations gone without a word are dropped after 5 minutes.
ap_max_inactivity=300

# Logs to syslog/journald: information and above.
logger_syslog=-1
logger_syslog_level=2
",
        interface = c.interface,
        country = c.country,
        ssid = c.ssid,
        channel = c.channel,
    )
}

fn dnsmasq(c: &CaptiveConfig, address: Ipv4Addr) -> String {
    let ranges: String = pool(address)
        .iter()
        .map(|(first, last)| format!("dhcp-range={first},{last},255.255.255.0,12h\n"))
        .collect();
    format!(
        "{HEADER}\
# dnsmasq for the free Wi-Fi's visitors: DHCP and DNS on the guest side only.

# Only the guest side; never answer on the uplink.
interface={interface}
bind-interfaces
listen-address={address}
except-interface=lo

# Addresses in the guest /24 for up to 151 visitors; a lease of 12 hours, so
# a phone that comes back the same day usually keeps its address.
{ranges}dhcp-authoritative
# The portal reads this file ([captive] dhcp_leases) to follow a joined
# phone to a new address.
dhcp-leasefile={leases}
# Leases by MAC only, never by the DHCP client-id: the portal moves a
# joined session to an address leased to its MAC, so a device that clones a
# joined phone's MAC and sends a client-id of its own must not get a second
# lease (the session would follow it); it gets the phone's own address.
dhcp-ignore-clid
dhcp-option=option:router,{address}
dhcp-option=option:dns-server,{address}

# RFC 8910: the captive-portal API (RFC 8908) of anjungan-captive. Android 11+
# and iOS 14+ ask it instead of guessing from probes.
dhcp-option=114,\"{api}\"

# DNS for visitors who have not joined yet must work (the sign-in window
# needs it); answers are cached on the device.
cache-size=2000
domain-needed
bogus-priv
{host_record}{garden}",
        interface = c.interface,
        leases = c.dhcp_leases.display(),
        api = capport_url(c, address),
        host_record = host_record(c, address),
        garden = garden(c),
    )
}

/// dnsmasq's `nftset` lines for `[captive] walled_garden`'s names: each
/// IPv4 address it answers for a name or a subdomain goes into the
/// portal's set, which opens HTTPS to it before joining. The names are
/// checked when the configuration is read (DNS characters only), so none
/// can add a line of its own.
fn garden(c: &CaptiveConfig) -> String {
    let lines: String = c
        .walled_garden
        .iter()
        .filter_map(|e| match e {
            GardenEntry::Name(name) => Some(format!("nftset=/{name}/4#inet#{TABLE}#{GARDEN}\n")),
            GardenEntry::Network(_) => None,
        })
        .collect();
    if lines.is_empty() {
        return lines;
    }
    format!(
        "
# [captive] walled_garden: reachable by HTTPS before joining. The addresses
# of these names and their subdomains go into the portal's nftables set as
# they are answered, and leave it some minutes later.
{lines}"
    )
}

/// RFC 8908's API address as DHCP option 114 gives it: by its name over
/// HTTPS when the portal has a certificate (RFC 8908 asks for HTTPS), else
/// by address over HTTP; the port only when it is not the scheme's own.
fn capport_url(c: &CaptiveConfig, address: Ipv4Addr) -> String {
    match (&c.hostname, c.tls_cert.is_some()) {
        (Some(name), true) => match c.tls_port {
            443 => format!("https://{name}/api/captive"),
            port => format!("https://{name}:{port}/api/captive"),
        },
        _ => match c.port {
            80 => format!("http://{address}/api/captive"),
            port => format!("http://{address}:{port}/api/captive"),
        },
    }
}

/// With HTTPS on, dnsmasq answers the certificate's name with the portal's
/// address, for guests (the name is checked when the configuration is
/// read: DNS characters only, so it adds no line).
fn host_record(c: &CaptiveConfig, address: Ipv4Addr) -> String {
    match (&c.hostname, c.tls_cert.is_some()) {
        (Some(name), true) => format!(
            "
# [captive] hostname: the portal's name for HTTPS, answered by the device.
host-record={name},{address}
"
        ),
        _ => String::new(),
    }
}

/// The DHCP pool inside the portal address's /24, around the portal's own
/// address when it falls inside (one range on each side).
fn pool(address: Ipv4Addr) -> Vec<(Ipv4Addr, Ipv4Addr)> {
    let [a, b, c, own] = address.octets();
    let host = |n: u8| Ipv4Addr::new(a, b, c, n);
    let (first, last) = POOL;
    if !(first..=last).contains(&own) {
        return vec![(host(first), host(last))];
    }
    [(first, own - 1), (own + 1, last)]
        .into_iter()
        .filter(|(from, to)| from <= to)
        .map(|(from, to)| (host(from), host(to)))
        .collect()
}

fn guest_network(c: &CaptiveConfig, address: Ipv4Addr) -> String {
    format!(
        "{HEADER}\
# The guests' side: the portal's address, there before the radio has a
# carrier (hostapd brings the link up when it starts), and nothing learnt
# from the guests.
[Match]
Name={interface}

[Link]
RequiredForOnline=no

[Network]
Address={address}/{GUEST_PREFIX}
ConfigureWithoutCarrier=yes
LinkLocalAddressing=no
IPv6AcceptRA=no
",
        interface = c.interface,
    )
}

fn uplink_network(c: &CaptiveConfig) -> String {
    format!(
        "{HEADER}\
# The way to the internet: the office network's DHCP.
[Match]
Name={uplink}

[Network]
DHCP=yes
",
        uplink = c.uplink,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(c: &CaptiveConfig) -> NetworkFiles {
        render(c).expect("renders")
    }

    fn text<'a>(all: &'a NetworkFiles, name: &str) -> &'a str {
        all.daemons
            .iter()
            .chain(&all.networkd)
            .find(|f| f.name == name)
            .map(|f| f.text.as_str())
            .unwrap_or_else(|| panic!("no {name}"))
    }

    fn lines(text: &str) -> Vec<&str> {
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect()
    }

    #[test]
    fn defaults_make_the_guest_network_of_the_spec() {
        let all = files(&CaptiveConfig::default());
        let hostapd = lines(text(&all, HOSTAPD));
        for want in [
            "interface=wlan0",
            "country_code=ID",
            "channel=6",
            "ap_isolate=1",
            "wpa=0",
            // "Wi-Fi Publik Gratis"
            "ssid2=57692d4669205075626c696b20477261746973",
        ] {
            assert!(hostapd.contains(&want), "{want} in {hostapd:#?}");
        }
        let dnsmasq = lines(text(&all, DNSMASQ));
        for want in [
            "interface=wlan0",
            "listen-address=10.42.0.1",
            "dhcp-range=10.42.0.100,10.42.0.250,255.255.255.0,12h",
            "dhcp-leasefile=/var/lib/misc/dnsmasq.leases",
            "dhcp-ignore-clid",
            "dhcp-option=option:router,10.42.0.1",
            "dhcp-option=option:dns-server,10.42.0.1",
            "dhcp-option=114,\"http://10.42.0.1/api/captive\"",
        ] {
            assert!(dnsmasq.contains(&want), "{want} in {dnsmasq:#?}");
        }
        let guest = lines(text(&all, GUEST_NETWORK));
        for want in [
            "Name=wlan0",
            "Address=10.42.0.1/24",
            "ConfigureWithoutCarrier=yes",
        ] {
            assert!(guest.contains(&want), "{want} in {guest:#?}");
        }
        let uplink = lines(text(&all, UPLINK_NETWORK));
        assert_eq!(uplink, ["[Match]", "Name=eth0", "[Network]", "DHCP=yes"]);
    }

    #[test]
    fn every_name_and_address_comes_from_the_configuration() {
        let c = CaptiveConfig {
            interface: "wlp1s0".into(),
            uplink: "enp2s0".into(),
            address: "192.168.77.1".parse().unwrap(),
            port: 8080,
            ssid: "Balai Desa".into(),
            country: "MY".into(),
            channel: 11,
            dhcp_leases: "/run/leases".into(),
            ..CaptiveConfig::default()
        };
        let all = files(&c);
        let every: String = all
            .daemons
            .iter()
            .chain(&all.networkd)
            .map(|f| f.text.as_str())
            .collect();
        for default in ["wlan0", "eth0", "10.42.", "country_code=ID", "channel=6"] {
            assert!(!every.contains(default), "{default} left in:\n{every}");
        }
        let dnsmasq = lines(text(&all, DNSMASQ));
        assert!(dnsmasq.contains(&"dhcp-option=114,\"http://192.168.77.1:8080/api/captive\""));
        assert!(dnsmasq.contains(&"dhcp-leasefile=/run/leases"));
        assert!(dnsmasq.contains(&"interface=wlp1s0"));
        let hostapd = lines(text(&all, HOSTAPD));
        assert!(hostapd.contains(&"country_code=MY") && hostapd.contains(&"channel=11"));
        assert!(lines(text(&all, UPLINK_NETWORK)).contains(&"Name=enp2s0"));
    }

    #[test]
    fn the_walled_garden_s_names_fill_the_portal_s_set() {
        let c = CaptiveConfig {
            walled_garden: ["lapor.go.id", "203.0.113.0/24:443", "Layanan.Example.ID"]
                .iter()
                .map(|e| e.parse().unwrap())
                .collect(),
            ..CaptiveConfig::default()
        };
        let all = files(&c);
        let nftset: Vec<&str> = lines(text(&all, DNSMASQ))
            .into_iter()
            .filter(|l| l.starts_with("nftset="))
            .collect();
        assert_eq!(
            nftset,
            [
                "nftset=/lapor.go.id/4#inet#anjungan_captive#garden",
                "nftset=/layanan.example.id/4#inet#anjungan_captive#garden",
            ]
        );
        let none = files(&CaptiveConfig::default());
        assert!(!text(&none, DNSMASQ).contains("nftset"));
    }

    #[test]
    fn an_ssid_cannot_add_lines_to_hostapd() {
        let c = CaptiveConfig {
            ssid: "Gratis\nwpa=2\n#".into(),
            ..CaptiveConfig::default()
        };
        let all = files(&c);
        let hostapd = text(&all, HOSTAPD);
        assert!(
            hostapd.lines().filter(|l| l.starts_with("wpa=")).count() == 1,
            "{hostapd}"
        );
        assert!(hostapd.contains("ssid2=4772617469730a7770613d320a23\n"));
    }

    #[test]
    fn the_pool_leaves_out_the_portals_own_address() {
        let a = |s: &str| s.parse::<Ipv4Addr>().unwrap();
        assert_eq!(pool(a("10.42.0.1")), [(a("10.42.0.100"), a("10.42.0.250"))]);
        assert_eq!(
            pool(a("172.16.5.200")),
            [
                (a("172.16.5.100"), a("172.16.5.199")),
                (a("172.16.5.201"), a("172.16.5.250"))
            ]
        );
        assert_eq!(pool(a("10.0.0.100")), [(a("10.0.0.101"), a("10.0.0.250"))]);
        assert_eq!(pool(a("10.0.0.250")), [(a("10.0.0.100"), a("10.0.0.249"))]);
    }

    #[test]
    fn an_ipv6_portal_is_refused() {
        let c = CaptiveConfig {
            address: "fd00::1".parse().unwrap(),
            ..CaptiveConfig::default()
        };
        assert!(matches!(render(&c), Err(Error::NotIpv4(_))));
    }

    #[test]
    fn files_are_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        let all = files(&CaptiveConfig::default());
        write(&dir.path().join("run"), &all.daemons).unwrap();
        let written = std::fs::read_to_string(dir.path().join("run").join(DNSMASQ)).unwrap();
        assert_eq!(written, text(&all, DNSMASQ));
        let names: Vec<_> = std::fs::read_dir(dir.path().join("run"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names.len(), 2, "no partial files left: {names:?}");
    }

    #[test]
    fn with_a_certificate_option_114_is_https_by_name_and_the_name_is_answered() {
        let c = CaptiveConfig {
            tls_cert: Some("/etc/anjungan/tls/portal.crt".into()),
            tls_key: Some("/etc/anjungan/tls/portal.key".into()),
            hostname: Some("wifi.desa.go.id".into()),
            ..CaptiveConfig::default()
        };
        let all = files(&c);
        let dnsmasq = lines(text(&all, DNSMASQ));
        assert!(dnsmasq.contains(&"dhcp-option=114,\"https://wifi.desa.go.id/api/captive\""));
        assert!(dnsmasq.contains(&"host-record=wifi.desa.go.id,10.42.0.1"));
        let other_port = CaptiveConfig {
            tls_port: 8443,
            ..c
        };
        let all = files(&other_port);
        assert!(
            lines(text(&all, DNSMASQ))
                .contains(&"dhcp-option=114,\"https://wifi.desa.go.id:8443/api/captive\"")
        );
        let plain = lines(text(&files(&CaptiveConfig::default()), DNSMASQ)).join("\n");
        assert!(!plain.contains("host-record"), "{plain}");
    }
}
