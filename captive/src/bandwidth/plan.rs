//! Pure: the `tc` command lines that shape visitors. Download is shaped
//! where it leaves the device toward the visitors (an HTB class per
//! visitor on `interface`, chosen by a u32 filter on the destination
//! address); upload where it enters: everything arriving on `interface`
//! is redirected to an IFB device, whose HTB has a class per visitor
//! chosen by the source address. Traffic of nobody shaped (the portal's
//! own pages, DNS, unlimited visitors) goes through HTB's direct queue,
//! unlimited.

use std::net::Ipv4Addr;

/// A visitor's rates, kbit/s (1000 bit/s, as tc's `kbit`); `None`:
/// unlimited that way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Rates {
    pub down_kbit: Option<u32>,
    pub up_kbit: Option<u32>,
}

impl Rates {
    /// From `[captive]` kbit/s, where 0 is unlimited.
    pub fn from_config(down_kbit: u32, up_kbit: u32) -> Rates {
        Rates {
            down_kbit: (down_kbit > 0).then_some(down_kbit),
            up_kbit: (up_kbit > 0).then_some(up_kbit),
        }
    }

    /// A RADIUS server's WISPr-Bandwidth-Max-Down/Up (bit/s) over the
    /// configured rates, each where it was sent; rounded up to a kbit and
    /// kept within what the configuration may say.
    pub fn with_radius(self, down_bps: Option<i64>, up_bps: Option<i64>) -> Rates {
        let kbit = |bps: i64| {
            let k = (bps.max(1) as u64).div_ceil(1000);
            k.clamp(
                u64::from(anjungan::config::MIN_RATE_KBIT),
                u64::from(anjungan::config::MAX_RATE_KBIT),
            ) as u32
        };
        Rates {
            down_kbit: down_bps.filter(|b| *b > 0).map(kbit).or(self.down_kbit),
            up_kbit: up_bps.filter(|b| *b > 0).map(kbit).or(self.up_kbit),
        }
    }

    pub fn is_unlimited(&self) -> bool {
        self.down_kbit.is_none() && self.up_kbit.is_none()
    }
}

/// The leaf queue of each visitor's class: fq_codel keeps one visitor's
/// bulk download from delaying their own page loads; a kernel without it
/// gets a plain FIFO (a bridge's or IFB's own queue length can be 0 or
/// 32, too short for a shaped TCP flow, so the FIFO's length is given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaf {
    FqCodel,
    Fifo,
}

impl Leaf {
    fn args(self) -> &'static str {
        match self {
            Leaf::FqCodel => "fq_codel",
            Leaf::Fifo => "pfifo limit 1000",
        }
    }
}

/// The devices shaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Devices {
    /// The guests' interface (`[captive] interface`): download.
    pub interface: String,
    /// The IFB device uploads are redirected to.
    pub ifb: String,
}

impl Devices {
    pub fn new(interface: &str) -> Devices {
        Devices {
            interface: interface.to_owned(),
            ifb: IFB.to_owned(),
        }
    }
}

/// Our IFB device's name (one portal per device).
pub const IFB: &str = "ifb-anjungan";

/// The u32 filters' priority; their hash table is 800 (the default one).
const PRIO: u32 = 10;

/// A visitor's class minor, which is also their filter's handle and
/// their leaf qdisc's major: 0x800 plus the address's low 11 bits, so
/// unique within any /21 (the DHCP pool is in the portal's /24) and
/// within u32's 12-bit item numbers.
pub fn minor(ip: Ipv4Addr) -> u32 {
    0x800 | (u32::from(ip) & 0x7ff)
}

/// Bytes a class may send at once after standing still: 20 ms at its
/// rate, at least 16 KiB (a few segments and a GSO burst, else a fast
/// rate is never reached) and at most 1 MiB.
pub fn burst_bytes(kbit: u32) -> u32 {
    let per_20ms = u64::from(kbit) * 1000 / 8 / 50;
    per_20ms.clamp(16 * 1024, 1024 * 1024) as u32
}

/// Lines for `tc -batch` that remove whatever a previous run left (run
/// with `-force`: a missing qdisc is no error).
pub fn teardown(d: &Devices) -> Vec<String> {
    vec![
        format!("qdisc del dev {} root", d.interface),
        format!("qdisc del dev {} ingress", d.interface),
        format!("qdisc del dev {} root", d.ifb),
    ]
}

/// Lines for `tc -batch` that make the empty structure: the root HTBs
/// and the redirect of everything arriving on the interface to the IFB.
pub fn setup(d: &Devices) -> Vec<String> {
    vec![
        format!(
            "qdisc add dev {} root handle 1: htb direct_qlen 1000",
            d.interface
        ),
        format!(
            "qdisc add dev {} root handle 1: htb direct_qlen 1000",
            d.ifb
        ),
        format!("qdisc add dev {} handle ffff: ingress", d.interface),
        format!(
            "filter add dev {} parent ffff: protocol ip prio 1 u32 match u32 0 0 action mirred egress redirect dev {}",
            d.interface, d.ifb
        ),
    ]
}

/// Which way, and so which device and address field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    Down,
    Up,
}

fn device(d: &Devices, way: Way) -> &str {
    match way {
        Way::Down => &d.interface,
        Way::Up => &d.ifb,
    }
}

fn add_class(d: &Devices, way: Way, ip: Ipv4Addr, kbit: u32, leaf: Leaf) -> Vec<String> {
    let dev = device(d, way);
    let m = minor(ip);
    let burst = burst_bytes(kbit);
    let field = match way {
        Way::Down => "dst",
        Way::Up => "src",
    };
    vec![
        format!(
            "class replace dev {dev} parent 1: classid 1:{m:x} htb rate {kbit}kbit ceil {kbit}kbit burst {burst}b cburst {burst}b"
        ),
        format!(
            "qdisc replace dev {dev} parent 1:{m:x} handle {m:x}: {}",
            leaf.args()
        ),
        format!(
            "filter replace dev {dev} parent 1: protocol ip prio {PRIO} handle 800::{m:x} u32 match ip {field} {ip}/32 flowid 1:{m:x}"
        ),
    ]
}

fn remove_class(d: &Devices, way: Way, ip: Ipv4Addr) -> Vec<String> {
    let dev = device(d, way);
    let m = minor(ip);
    vec![
        format!("filter del dev {dev} parent 1: protocol ip prio {PRIO} handle 800::{m:x} u32"),
        format!("class del dev {dev} classid 1:{m:x}"),
    ]
}

/// Lines that take a visitor at `ip` from `before` to `after` (each way:
/// a class added, changed or removed).
pub fn change(d: &Devices, ip: Ipv4Addr, before: Rates, after: Rates, leaf: Leaf) -> Vec<String> {
    let mut lines = Vec::new();
    for (way, was, now) in [
        (Way::Down, before.down_kbit, after.down_kbit),
        (Way::Up, before.up_kbit, after.up_kbit),
    ] {
        match (was, now) {
            (a, b) if a == b => {}
            (_, Some(kbit)) => lines.extend(add_class(d, way, ip, kbit, leaf)),
            (Some(_), None) => lines.extend(remove_class(d, way, ip)),
            (None, None) => {}
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn devices() -> Devices {
        Devices::new("wlan0")
    }

    #[test]
    fn minors_are_unique_in_a_slash_21_and_fit_u32_handles() {
        let a = minor(Ipv4Addr::new(10, 42, 0, 9));
        assert_eq!(a, 0x809);
        assert_ne!(a, minor(Ipv4Addr::new(10, 42, 1, 9)));
        let mut seen = std::collections::HashSet::new();
        for i in 0..2048u32 {
            let m = minor(Ipv4Addr::from(u32::from(Ipv4Addr::new(10, 42, 0, 0)) + i));
            assert!((0x800..=0xfff).contains(&m));
            assert!(seen.insert(m));
        }
    }

    #[test]
    fn bursts_are_20_ms_within_bounds() {
        assert_eq!(burst_bytes(64), 16 * 1024);
        assert_eq!(burst_bytes(20_000), 50_000);
        assert_eq!(burst_bytes(10_000_000), 1024 * 1024);
    }

    #[test]
    fn radius_rates_replace_the_configured_ones_where_sent() {
        let config = Rates::from_config(2_000, 0);
        assert_eq!(config.up_kbit, None);
        assert_eq!(config.with_radius(None, None), config);
        assert_eq!(
            config.with_radius(Some(1_500_500), Some(256_000)),
            Rates {
                down_kbit: Some(1_501),
                up_kbit: Some(256)
            }
        );
        assert_eq!(config.with_radius(Some(10), None).down_kbit, Some(64));
        assert!(Rates::from_config(0, 0).is_unlimited());
    }

    #[test]
    fn a_visitor_gets_a_class_qdisc_and_filter_each_way_and_loses_them() {
        let ip = Ipv4Addr::new(10, 42, 0, 100);
        let both = Rates::from_config(2_000, 1_000);
        let lines = change(&devices(), ip, Rates::default(), both, Leaf::Fifo);
        assert_eq!(
            lines,
            vec![
                "class replace dev wlan0 parent 1: classid 1:864 htb rate 2000kbit ceil 2000kbit burst 16384b cburst 16384b",
                "qdisc replace dev wlan0 parent 1:864 handle 864: pfifo limit 1000",
                "filter replace dev wlan0 parent 1: protocol ip prio 10 handle 800::864 u32 match ip dst 10.42.0.100/32 flowid 1:864",
                "class replace dev ifb-anjungan parent 1: classid 1:864 htb rate 1000kbit ceil 1000kbit burst 16384b cburst 16384b",
                "qdisc replace dev ifb-anjungan parent 1:864 handle 864: pfifo limit 1000",
                "filter replace dev ifb-anjungan parent 1: protocol ip prio 10 handle 800::864 u32 match ip src 10.42.0.100/32 flowid 1:864",
            ]
        );
        let down_only = Rates::from_config(2_000, 0);
        assert_eq!(
            change(&devices(), ip, both, down_only, Leaf::FqCodel),
            vec![
                "filter del dev ifb-anjungan parent 1: protocol ip prio 10 handle 800::864 u32",
                "class del dev ifb-anjungan classid 1:864",
            ]
        );
        assert!(change(&devices(), ip, both, both, Leaf::FqCodel).is_empty());
        let faster = change(
            &devices(),
            ip,
            down_only,
            Rates::from_config(4_000, 0),
            Leaf::FqCodel,
        );
        assert_eq!(faster.len(), 3);
        assert!(faster[1].ends_with("fq_codel"));
    }

    #[test]
    fn setup_redirects_uploads_to_the_ifb_and_teardown_removes_all() {
        let s = setup(&devices()).join("\n");
        assert!(s.contains("qdisc add dev wlan0 root handle 1: htb"));
        assert!(s.contains("mirred egress redirect dev ifb-anjungan"));
        assert_eq!(teardown(&devices()).len(), 3);
    }
}
