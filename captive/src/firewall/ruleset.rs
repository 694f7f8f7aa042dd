//! The portal's nftables ruleset, built from the live sessions: a pure
//! function, so every rule can be read and tested without a kernel.
//!
//! Everything lives in one table of our own, `inet anjungan_captive`;
//! nothing else in the ruleset is touched. The table is replaced in one
//! transaction (`add table; delete table; add table ...`), so a restart never
//! leaves a moment without gating or without the joined visitors.
//!
//! For a visitor on `interface`:
//! - joined (`ether saddr . ip saddr` in the set `joined`): forwarded to the
//!   internet, and only there: never back out of `interface` (to another
//!   guest), never out of another interface than `uplink`, never to a local
//!   network (`LOCAL_V4`, `LOCAL_V6`, the uplink's own subnets) unless
//!   `allow_local` names it. The set's elements carry a kernel timeout that
//!   ends the session at its end, with no program running;
//! - not joined: TCP port 80 to any address is redirected (DNAT) to the
//!   portal, the walled garden's too (the sign-in window keeps working);
//!   the walled garden is open: TCP 443 to the addresses in the set
//!   `garden` (dnsmasq adds what it answers for the garden's names, each
//!   for `GARDEN_SECONDS`) and the garden's networks, the connections
//!   marked (`GARDEN_MARK`) so they outlive their address's timeout; other
//!   TCP 443 is refused with a reset, so HTTPS fails at once instead of
//!   hanging; everything else off the device is dropped; DNS to the
//!   device is limited per address (`DNS_RATE`, `DNS_BURST`), so it cannot
//!   carry a tunnel;
//! - everyone: to the device itself only DHCP, DNS, the portal's port and
//!   the ICMP the device needs (echo, errors, IPv6 neighbour discovery;
//!   never router advertisements or redirects); the admin page, SSH and
//!   every other port are out of reach.
//!
//! From any other side (the uplink: the office LAN), the portal's address
//! and port are out of reach: the portal answers guests only.

use std::borrow::Cow;
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr};

use anjungan::config::{GardenEntry, LocalDestination, first_address};
use anjungan::wifi::{Mac, Session};
use nftables::batch::Batch;
use nftables::expr::{
    CT, Elem, Expression, Meta, MetaKey, NamedExpression, Payload, PayloadField, Prefix, SetItem,
};
use nftables::schema::{
    Chain, Element, NfListObject, Nftables, Rule, Set, SetFlag, SetType, SetTypeValue, Table,
};
use nftables::stmt::{
    Limit, Mangle, Match, Meter, NAT, NATFamily, Operator, Reject, RejectType, Statement,
};
use nftables::types::{NfChainPolicy, NfChainType, NfFamily, NfHook};

pub const TABLE: &str = "anjungan_captive";
pub const SET: &str = "joined";
/// Per-address counters of joined visitors (RADIUS accounting reads them):
/// what each sent to the internet, and what it received.
pub const UPLOAD: &str = "upload";
pub const DOWNLOAD: &str = "download";
/// Addresses of the walled garden's names, filled by dnsmasq
/// (`nftset=/NAME/4#inet#anjungan_captive#garden`).
pub const GARDEN: &str = "garden";
/// How long an address dnsmasq answered for a garden name stays open: a
/// name whose addresses change (a CDN) does not pile up old ones, and a
/// visitor's next lookup (phones keep answers for their TTL, mostly minutes)
/// adds it again.
pub const GARDEN_SECONDS: u32 = 600;
/// The conntrack mark of connections the walled garden let through: they
/// go on when their address leaves the set (no visitor's long download
/// from the garden is cut at the timeout), and nothing else is let on.
pub const GARDEN_MARK: u32 = 0x6761;
const FAMILY: NfFamily = NfFamily::INet;

/// Networks that are never the internet: "this network", RFC 1918,
/// shared address space (carrier-grade NAT, 100.64.0.0/10), loopback,
/// link-local, multicast, reserved and broadcast. A government office's
/// LAN, its printers and its router's admin page are in these.
pub const LOCAL_V4: &[(&str, u8)] = &[
    ("0.0.0.0", 8),
    ("10.0.0.0", 8),
    ("100.64.0.0", 10),
    ("127.0.0.0", 8),
    ("169.254.0.0", 16),
    ("172.16.0.0", 12),
    ("192.168.0.0", 16),
    ("224.0.0.0", 4),
    ("240.0.0.0", 4),
];
/// The same for IPv6: unspecified and loopback, IPv4-mapped, unique local
/// (fc00::/7), link-local, multicast.
pub const LOCAL_V6: &[(&str, u8)] = &[
    ("::", 127),
    ("::ffff:0:0", 96),
    ("fc00::", 7),
    ("fe80::", 10),
    ("ff00::", 8),
];

/// DNS before joining, per visitor address: a sustained 2 queries a second
/// after a burst of 100. A phone that joins the Wi-Fi sends a few dozen
/// lookups at once (its probes, then every app's A and AAAA) and then few;
/// 100 lets that through untouched. A DNS tunnel carries a hundred bytes or
/// so up and at most a few hundred down per query: at 2 a second nothing
/// usable (a web page takes minutes).
pub const DNS_RATE: u32 = 2;
pub const DNS_BURST: u32 = 100;
/// Pings to the device, from all guests together.
pub const ECHO_RATE: u32 = 10;

/// What the ruleset needs to know about the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateSpec {
    /// The visitors' side.
    pub interface: String,
    /// The way to the internet: visitors' traffic leaving here is masqueraded.
    pub uplink: String,
    /// The portal's address on `interface`.
    pub address: Ipv4Addr,
    /// The portal's HTTP port.
    pub port: u16,
    /// The portal's HTTPS port, when it serves HTTPS.
    pub tls_port: Option<u16>,
    /// Local destinations the technician opened to joined visitors.
    pub allow_local: Vec<LocalDestination>,
    /// Reachable before joining (`[captive] walled_garden`).
    pub walled_garden: Vec<GardenEntry>,
    /// The uplink's own subnets (read from the interface; they change with
    /// DHCP on the uplink): the office LAN, closed to visitors even when it
    /// uses public addresses.
    pub uplink_subnets: Vec<(IpAddr, u8)>,
}

/// The whole table with `sessions` as the set's elements, each with the
/// time it has left at `now`. Expired sessions are left out. JSON, because
/// the counter sets' `counter` flag is not in the `nftables` crate's
/// types: it is added here (`counted`).
pub fn ruleset(spec: &GateSpec, sessions: &[Session], now: i64) -> serde_json::Value {
    let mut b = Batch::new();
    // Adding before deleting makes the delete succeed on a first start too;
    // the three commands are one transaction.
    b.add(NfListObject::Table(table()));
    b.delete(NfListObject::Table(table()));
    b.add(NfListObject::Table(table()));
    b.add(NfListObject::Set(Box::new(Set {
        family: FAMILY,
        table: TABLE.into(),
        name: SET.into(),
        set_type: SetTypeValue::Concatenated(Cow::Borrowed(&[
            SetType::EtherAddr,
            SetType::Ipv4Addr,
        ])),
        flags: Some(HashSet::from([SetFlag::Timeout])),
        ..Set::default()
    })));
    for name in [UPLOAD, DOWNLOAD] {
        b.add(NfListObject::Set(Box::new(Set {
            family: FAMILY,
            table: TABLE.into(),
            name: name.into(),
            set_type: SetTypeValue::Single(SetType::Ipv4Addr),
            flags: Some(HashSet::from([SetFlag::Timeout])),
            ..Set::default()
        })));
    }
    // There even with no names: dnsmasq's lines must never name a set
    // that is missing. Elements dnsmasq adds get the set's timeout.
    b.add(NfListObject::Set(Box::new(Set {
        family: FAMILY,
        table: TABLE.into(),
        name: GARDEN.into(),
        set_type: SetTypeValue::Single(SetType::Ipv4Addr),
        flags: Some(HashSet::from([SetFlag::Timeout])),
        timeout: Some(GARDEN_SECONDS),
        ..Set::default()
    })));
    let live: Vec<&Session> = sessions
        .iter()
        .filter(|s| s.seconds_left(now) > 0)
        .collect();
    if !live.is_empty() {
        b.add(NfListObject::Element(Element {
            family: FAMILY,
            table: TABLE.into(),
            name: SET.into(),
            elem: Cow::Owned(
                live.iter()
                    .map(|s| element(key(s.mac, s.ip), s.seconds_left(now)))
                    .collect(),
            ),
        }));
        for name in [UPLOAD, DOWNLOAD] {
            b.add(NfListObject::Element(Element {
                family: FAMILY,
                table: TABLE.into(),
                name: name.into(),
                elem: Cow::Owned(
                    live.iter()
                        .map(|s| element(text(&s.ip.to_string()), s.seconds_left(now)))
                        .collect(),
                ),
            }));
        }
    }
    for (name, kind, hook, prio, rules) in chains(spec) {
        b.add(NfListObject::Chain(Chain {
            family: FAMILY,
            table: TABLE.into(),
            name: name.into(),
            _type: Some(kind),
            hook: Some(hook),
            prio: Some(prio),
            policy: Some(NfChainPolicy::Accept),
            ..Chain::default()
        }));
        for expr in rules {
            b.add(NfListObject::Rule(Rule {
                family: FAMILY,
                table: TABLE.into(),
                chain: name.into(),
                expr: Cow::Owned(expr),
                handle: None,
                index: None,
                comment: None,
            }));
        }
    }
    counted(&b.to_nftables())
}

/// `rules` with a counter on each element of the counter sets.
fn counted(rules: &Nftables<'static>) -> serde_json::Value {
    let mut json = serde_json::to_value(rules).expect("a ruleset serialises");
    if let Some(commands) = json["nftables"].as_array_mut() {
        for command in commands {
            let Some(set) = command.pointer_mut("/add/set") else {
                continue;
            };
            if matches!(set["name"].as_str(), Some(UPLOAD | DOWNLOAD)) {
                set["stmt"] = serde_json::json!([{ "counter": null }]);
            }
        }
    }
    json
}

/// Lets one visitor out for `seconds`, and starts counting their traffic.
pub fn admit(mac: Mac, ip: Ipv4Addr, seconds: i64) -> Nftables<'static> {
    let mut b = Batch::new();
    b.add(NfListObject::Element(set_element(mac, ip, seconds)));
    for name in [UPLOAD, DOWNLOAD] {
        b.add(NfListObject::Element(Element {
            family: FAMILY,
            table: TABLE.into(),
            name: name.into(),
            elem: Cow::Owned(vec![element(text(&ip.to_string()), seconds)]),
        }));
    }
    b.to_nftables()
}

/// Takes one visitor's address out of the set.
pub fn revoke(mac: Mac, ip: Ipv4Addr) -> Nftables<'static> {
    let mut b = Batch::new();
    b.delete(NfListObject::Element(Element {
        family: FAMILY,
        table: TABLE.into(),
        name: SET.into(),
        elem: Cow::Owned(vec![key(mac, ip)]),
    }));
    for name in [UPLOAD, DOWNLOAD] {
        b.delete(NfListObject::Element(Element {
            family: FAMILY,
            table: TABLE.into(),
            name: name.into(),
            elem: Cow::Owned(vec![text(&ip.to_string())]),
        }));
    }
    b.to_nftables()
}

/// Address, packets and bytes of each element of a counter set, from
/// `nft -j list set`'s output.
pub fn counters(listing: &str) -> Vec<(Ipv4Addr, u64, u64)> {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(listing) else {
        return Vec::new();
    };
    let sets = json["nftables"].as_array().into_iter().flatten();
    let elems = sets.filter_map(|o| o["set"]["elem"].as_array()).flatten();
    elems
        .filter_map(|e| {
            let e = &e["elem"];
            let ip = e["val"].as_str()?.parse().ok()?;
            let c = &e["counter"];
            Some((ip, c["packets"].as_u64()?, c["bytes"].as_u64()?))
        })
        .collect()
}

/// Removes the whole table (used when the technician switches gating off).
pub fn remove() -> Nftables<'static> {
    let mut b = Batch::new();
    b.add(NfListObject::Table(table()));
    b.delete(NfListObject::Table(table()));
    b.to_nftables()
}

fn table() -> Table<'static> {
    Table {
        family: FAMILY,
        name: TABLE.into(),
        handle: None,
    }
}

fn set_element(mac: Mac, ip: Ipv4Addr, seconds: i64) -> Element<'static> {
    Element {
        family: FAMILY,
        table: TABLE.into(),
        name: SET.into(),
        elem: Cow::Owned(vec![element(key(mac, ip), seconds)]),
    }
}

fn key(mac: Mac, ip: Ipv4Addr) -> Expression<'static> {
    Expression::Named(NamedExpression::Concat(vec![
        Expression::String(mac.to_string().into()),
        Expression::String(ip.to_string().into()),
    ]))
}

fn element(val: Expression<'static>, seconds: i64) -> Expression<'static> {
    Expression::Named(NamedExpression::Elem(Elem {
        val: Box::new(val),
        // The kernel's timeout is u32 seconds; sessions are at most a week.
        timeout: Some(seconds.clamp(1, i64::from(u32::MAX)) as u32),
        expires: None,
        comment: None,
        counter: None,
    }))
}

type ChainDef = (
    &'static str,
    NfChainType,
    NfHook,
    i32,
    Vec<Vec<Statement<'static>>>,
);

fn chains(spec: &GateSpec) -> Vec<ChainDef> {
    let guest = || is(meta(MetaKey::Iifname), text(&spec.interface));
    let not_guest = || isnt(meta(MetaKey::Iifname), text(&spec.interface));
    let not_loopback = || isnt(meta(MetaKey::Iifname), text("lo"));
    let to_guest = || is(meta(MetaKey::Oifname), text(&spec.interface));
    let joined_key = || {
        Expression::Named(NamedExpression::Concat(vec![
            field("ether", "saddr"),
            field("ip", "saddr"),
        ]))
    };
    let set_ref = || text(&format!("@{SET}"));
    let joined = || is_in(joined_key(), set_ref());
    let not_joined = || isnt(joined_key(), set_ref());
    let portal = text(&spec.address.to_string());
    let to_portal = || is(field("ip", "daddr"), portal.clone());
    let dnat = || {
        Statement::DNAT(Some(NAT {
            addr: Some(text(&spec.address.to_string())),
            family: Some(NATFamily::IP),
            port: Some(Expression::Number(u32::from(spec.port))),
            flags: None,
        }))
    };
    let tcp_dport = |p: u16| is(field("tcp", "dport"), Expression::Number(p.into()));
    let udp_dport = |p: u16| is(field("udp", "dport"), Expression::Number(p.into()));
    let tcp_or_udp = || is(meta(MetaKey::L4proto), set(vec![text("tcp"), text("udp")]));
    let any_dport = |p: u16| is(field("th", "dport"), Expression::Number(p.into()));
    let icmp = |types: &[&str]| {
        is(
            field("icmp", "type"),
            set(types.iter().map(|t| text(t)).collect()),
        )
    };
    let icmpv6 = |types: &[&str]| {
        is(
            field("icmpv6", "type"),
            set(types.iter().map(|t| text(t)).collect()),
        )
    };
    let established = || {
        is_in(
            Expression::Named(NamedExpression::CT(CT {
                key: "state".into(),
                family: None,
                dir: None,
            })),
            Expression::List(vec![text("established"), text("related")]),
        )
    };
    let limit = |rate: u32, burst: u32, over: bool| {
        Statement::Limit(Limit {
            rate,
            rate_unit: None,
            per: Some("second".into()),
            burst: Some(burst),
            burst_unit: None,
            inv: over.then_some(true),
        })
    };
    let accept = || Statement::Accept(None);
    let ct_mark = || {
        Expression::Named(NamedExpression::CT(CT {
            key: "mark".into(),
            family: None,
            dir: None,
        }))
    };
    let mark_garden = || {
        Statement::Mangle(Mangle {
            key: ct_mark(),
            value: Expression::Number(GARDEN_MARK),
        })
    };
    let drop = || Statement::Drop(None);
    let reset = || Statement::Reject(Some(Reject::new(Some(RejectType::TCPReset), None)));
    let unreachable = || Statement::Reject(None);

    let mut prerouting = Vec::new();
    if spec.port != 80 {
        // Joined visitors still reach the portal at http://address/.
        prerouting.push(vec![guest(), to_portal(), tcp_dport(80), dnat()]);
    }
    prerouting.push(vec![guest(), joined(), Statement::Return(None)]);
    prerouting.push(vec![guest(), tcp_dport(80), dnat()]);

    let mut input = vec![
        // The portal answers guests only: from the uplink (the office LAN)
        // neither its address nor its ports are there.
        vec![not_guest(), not_loopback(), to_portal(), drop()],
        vec![not_guest(), not_loopback(), tcp_dport(spec.port), drop()],
    ];
    if let Some(tls_port) = spec.tls_port {
        input.push(vec![
            not_guest(),
            not_loopback(),
            tcp_dport(tls_port),
            drop(),
        ]);
    }
    let https = spec
        .tls_port
        .map(|p| vec![guest(), to_portal(), tcp_dport(p), accept()]);
    input.extend([
        // Nobody on the Wi-Fi reroutes the device, not even as "related".
        vec![
            guest(),
            icmpv6(&["nd-router-advert", "nd-redirect", "nd-router-solicit"]),
            drop(),
        ],
        vec![guest(), icmp(&["redirect"]), drop()],
        // Before the established rule: a tunnel's packets on one socket
        // are "established" after the first answer.
        vec![
            guest(),
            to_portal(),
            tcp_or_udp(),
            any_dport(53),
            not_joined(),
            Statement::Meter(Meter {
                name: "dns_before_joining".into(),
                key: field("ip", "saddr"),
                stmt: Box::new(limit(DNS_RATE, DNS_BURST, true)),
            }),
            drop(),
        ],
        vec![guest(), established(), accept()],
        vec![guest(), udp_dport(67), accept()],
        vec![guest(), to_portal(), tcp_or_udp(), any_dport(53), accept()],
        vec![guest(), to_portal(), tcp_dport(spec.port), accept()],
    ]);
    input.extend(https);
    input.extend([
        vec![
            guest(),
            icmp(&["echo-request"]),
            limit(ECHO_RATE, ECHO_RATE * 2, false),
            accept(),
        ],
        vec![
            guest(),
            icmp(&[
                "destination-unreachable",
                "time-exceeded",
                "parameter-problem",
            ]),
            accept(),
        ],
        vec![
            guest(),
            icmpv6(&["echo-request"]),
            limit(ECHO_RATE, ECHO_RATE * 2, false),
            accept(),
        ],
        vec![
            guest(),
            icmpv6(&[
                "nd-neighbor-solicit",
                "nd-neighbor-advert",
                "destination-unreachable",
                "packet-too-big",
                "time-exceeded",
                "parameter-problem",
            ]),
            accept(),
        ],
        vec![guest(), drop()],
    ]);

    let mut forward = vec![
        // Guest to guest through the device (the radio's ap_isolate stops
        // the direct way).
        vec![guest(), to_guest(), drop()],
    ];
    for allowed in &spec.allow_local {
        let mut rule = vec![
            guest(),
            joined(),
            daddr_in(
                allowed.network,
                vec![prefix(allowed.network, allowed.prefix)],
            ),
        ];
        if let Some(port) = allowed.port {
            rule.extend([tcp_or_udp(), any_dport(port)]);
        }
        rule.push(accept());
        forward.push(rule);
    }
    let (v4, v6) = local_networks(&spec.uplink_subnets);
    forward.push(vec![
        guest(),
        daddr_in(IpAddr::V4(Ipv4Addr::UNSPECIFIED), v4),
        drop(),
    ]);
    forward.push(vec![
        guest(),
        daddr_in(IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED), v6),
        drop(),
    ]);
    forward.extend([
        vec![
            guest(),
            isnt(meta(MetaKey::Oifname), text(&spec.uplink)),
            drop(),
        ],
        // Counted on the way (the element's counter), then accepted.
        vec![
            guest(),
            joined(),
            is_in(field("ip", "saddr"), text(&format!("@{UPLOAD}"))),
            accept(),
        ],
        vec![guest(), joined(), accept()],
    ]);
    // The walled garden, after the local networks and the uplink rule: it
    // never opens the office LAN, whatever a name resolves to.
    if !spec.walled_garden.is_empty() {
        forward.push(vec![
            guest(),
            is(ct_mark(), Expression::Number(GARDEN_MARK)),
            established(),
            accept(),
        ]);
    }
    if spec
        .walled_garden
        .iter()
        .any(|e| matches!(e, GardenEntry::Name(_)))
    {
        forward.push(vec![
            guest(),
            is_in(field("ip", "daddr"), text(&format!("@{GARDEN}"))),
            tcp_dport(443),
            mark_garden(),
            accept(),
        ]);
    }
    for entry in &spec.walled_garden {
        let GardenEntry::Network(open) = entry else {
            continue;
        };
        let mut rule = vec![
            guest(),
            daddr_in(open.network, vec![prefix(open.network, open.prefix)]),
        ];
        if let Some(port) = open.port {
            rule.extend([tcp_or_udp(), any_dport(port)]);
        }
        rule.extend([mark_garden(), accept()]);
        forward.push(rule);
    }
    forward.extend([
        vec![guest(), tcp_dport(443), reset()],
        // QUIC: browsers fall back at once when told the port is closed.
        vec![guest(), udp_dport(443), unreachable()],
        vec![guest(), drop()],
        vec![
            to_guest(),
            established(),
            is_in(field("ip", "daddr"), text(&format!("@{DOWNLOAD}"))),
            accept(),
        ],
        vec![to_guest(), established(), accept()],
        vec![to_guest(), drop()],
    ]);

    let postrouting = vec![vec![
        guest(),
        is(meta(MetaKey::Oifname), text(&spec.uplink)),
        Statement::Masquerade(None),
    ]];

    vec![
        (
            "prerouting",
            NfChainType::NAT,
            NfHook::Prerouting,
            -100,
            prerouting,
        ),
        ("input", NfChainType::Filter, NfHook::Input, 0, input),
        ("forward", NfChainType::Filter, NfHook::Forward, 0, forward),
        (
            "postrouting",
            NfChainType::NAT,
            NfHook::Postrouting,
            100,
            postrouting,
        ),
    ]
}

/// The networks joined visitors never reach, IPv4 and IPv6, as nft
/// prefixes: the fixed ones and the uplink's own subnets, leaving out
/// subnets inside another (an interval set refuses overlaps).
fn local_networks(uplink: &[(IpAddr, u8)]) -> (Vec<Expression<'static>>, Vec<Expression<'static>>) {
    let fixed = LOCAL_V4
        .iter()
        .chain(LOCAL_V6)
        .map(|(a, len)| (a.parse::<IpAddr>().expect("a fixed address"), *len));
    let mut all: Vec<(IpAddr, u8)> = fixed
        .chain(
            uplink
                .iter()
                .map(|(a, len)| (first_address(*a, *len), *len)),
        )
        .collect();
    all.sort_by_key(|(a, len)| (*len, *a));
    all.dedup();
    let mut kept: Vec<(IpAddr, u8)> = Vec::new();
    for (a, len) in all {
        if !kept.iter().any(|(k, klen)| {
            k.is_ipv4() == a.is_ipv4() && *klen <= len && first_address(a, *klen) == *k
        }) {
            kept.push((a, len));
        }
    }
    kept.sort();
    let (v4, v6): (Vec<_>, Vec<_>) = kept.into_iter().partition(|(a, _)| a.is_ipv4());
    let exprs = |v: Vec<(IpAddr, u8)>| v.into_iter().map(|(a, len)| prefix(a, len)).collect();
    (exprs(v4), exprs(v6))
}

fn prefix(addr: IpAddr, len: u8) -> Expression<'static> {
    Expression::Named(NamedExpression::Prefix(Prefix {
        addr: Box::new(text(&first_address(addr, len).to_string())),
        len: len.into(),
    }))
}

/// `ip daddr { ... }` or `ip6 daddr { ... }`, by the family of `like`.
fn daddr_in(like: IpAddr, networks: Vec<Expression<'static>>) -> Statement<'static> {
    let protocol = if like.is_ipv4() { "ip" } else { "ip6" };
    is(field(protocol, "daddr"), set(networks))
}

fn set(items: Vec<Expression<'static>>) -> Expression<'static> {
    Expression::Named(NamedExpression::Set(
        items.into_iter().map(SetItem::Element).collect(),
    ))
}

fn isnt(left: Expression<'static>, right: Expression<'static>) -> Statement<'static> {
    Statement::Match(Match {
        left,
        right,
        op: Operator::NEQ,
    })
}

fn text(s: &str) -> Expression<'static> {
    Expression::String(s.to_owned().into())
}

fn meta(key: MetaKey) -> Expression<'static> {
    Expression::Named(NamedExpression::Meta(Meta { key }))
}

fn field(protocol: &'static str, field: &'static str) -> Expression<'static> {
    Expression::Named(NamedExpression::Payload(Payload::PayloadField(
        PayloadField {
            protocol: protocol.into(),
            field: field.into(),
        },
    )))
}

fn is(left: Expression<'static>, right: Expression<'static>) -> Statement<'static> {
    Statement::Match(Match {
        left,
        right,
        op: Operator::EQ,
    })
}

fn is_in(left: Expression<'static>, right: Expression<'static>) -> Statement<'static> {
    Statement::Match(Match {
        left,
        right,
        op: Operator::IN,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_read_from_nft_s_listing() {
        let listing = r#"{"nftables": [{"metainfo": {"version": "1.0.6"}}, {"set": {"family": "inet",
            "name": "upload", "table": "anjungan_captive", "type": "ipv4_addr", "flags": ["timeout"],
            "elem": [{"elem": {"val": "10.42.0.9", "timeout": 50, "expires": 49,
            "counter": {"packets": 3, "bytes": 180}}}], "stmt": [{"counter": null}]}}]}"#;
        assert_eq!(
            counters(listing),
            vec![(Ipv4Addr::new(10, 42, 0, 9), 3, 180)]
        );
        assert!(counters("not json").is_empty());
    }

    #[test]
    fn the_counter_sets_count_and_are_filled_with_the_sessions() {
        let session = Session {
            id: 1,
            mac: Mac([2; 6]),
            ip: Ipv4Addr::new(10, 42, 0, 9),
            started_at: 0,
            expires_at: 100,
            method: anjungan::wifi::JoinMethod::Radius,
        };
        let spec = GateSpec {
            interface: "wlan0".into(),
            uplink: "eth0".into(),
            address: Ipv4Addr::new(10, 42, 0, 1),
            port: 80,
            tls_port: None,
            allow_local: Vec::new(),
            walled_garden: Vec::new(),
            uplink_subnets: Vec::new(),
        };
        let json = ruleset(&spec, &[session], 40);
        let commands = json["nftables"].as_array().unwrap();
        for name in [UPLOAD, DOWNLOAD] {
            let set = commands
                .iter()
                .find_map(|c| c.pointer("/add/set").filter(|s| s["name"] == name))
                .unwrap();
            assert_eq!(set["stmt"], serde_json::json!([{ "counter": null }]));
            let elements = commands
                .iter()
                .find_map(|c| c.pointer("/add/element").filter(|s| s["name"] == name))
                .unwrap();
            assert_eq!(elements["elem"][0]["elem"]["val"], "10.42.0.9");
            assert_eq!(elements["elem"][0]["elem"]["timeout"], 60);
        }
    }

    fn spec(allow_local: &[&str], uplink: &[(&str, u8)]) -> GateSpec {
        GateSpec {
            interface: "wlan0".into(),
            uplink: "eth0".into(),
            address: Ipv4Addr::new(10, 42, 0, 1),
            port: 80,
            tls_port: None,
            allow_local: allow_local.iter().map(|a| a.parse().unwrap()).collect(),
            walled_garden: Vec::new(),
            uplink_subnets: uplink
                .iter()
                .map(|(a, len)| (a.parse().unwrap(), *len))
                .collect(),
        }
    }

    /// The rules of one chain, each as its JSON text, in order.
    fn chain(spec: &GateSpec, name: &str) -> Vec<String> {
        chains(spec)
            .into_iter()
            .find(|c| c.0 == name)
            .unwrap()
            .4
            .iter()
            .map(|rule| serde_json::to_string(rule).unwrap())
            .collect()
    }

    const GUEST_TO_GUEST: &[&str] = &[
        "iifname",
        "oifname\"}},\"right\":\"wlan0\",\"op\":\"==\"}},{\"drop",
    ];

    fn position(rules: &[String], all: &[&str]) -> usize {
        rules
            .iter()
            .position(|r| all.iter().all(|part| r.contains(part)))
            .unwrap_or_else(|| panic!("no rule with {all:?} in {rules:#?}"))
    }

    #[test]
    fn joined_guests_reach_no_local_network_and_no_other_guest() {
        let rules = chain(&spec(&[], &[("10.98.0.1", 24)]), "forward");
        let joined = position(&rules, &["@joined", "accept"]);
        let guest_to_guest = position(&rules, GUEST_TO_GUEST);
        let rfc1918 = position(&rules, &["192.168.0.0", "172.16.0.0", "100.64.0.0", "drop"]);
        let v6 = position(&rules, &["fc00::", "fe80::", "ff00::", "drop"]);
        let other_side = position(&rules, &["\"!=\"", "eth0", "drop"]);
        assert!(guest_to_guest < joined && rfc1918 < joined && v6 < joined);
        assert!(other_side < joined);
        // The uplink's 10.98.0.0/24 is inside 10.0.0.0/8 already.
        assert!(!rules[rfc1918].contains("10.98.0.0"), "{}", rules[rfc1918]);
    }

    #[test]
    fn the_uplink_s_public_subnets_are_local_too() {
        let rules = chain(
            &spec(&[], &[("198.51.100.7", 24), ("2001:db8:5::1", 64)]),
            "forward",
        );
        position(&rules, &["198.51.100.0", "\"len\":24", "drop"]);
        position(&rules, &["2001:db8:5::", "\"len\":64", "drop"]);
    }

    #[test]
    fn allow_local_opens_one_destination_before_the_local_networks_close() {
        let rules = chain(
            &spec(&["10.98.0.2/32:80", "192.168.7.0/24"], &[]),
            "forward",
        );
        let router = position(
            &rules,
            &[
                "10.98.0.2",
                "\"len\":32",
                "@joined",
                "\"th\"",
                "80",
                "accept",
            ],
        );
        let printer = position(&rules, &["192.168.7.0", "\"len\":24", "@joined", "accept"]);
        let local = position(&rules, &["192.168.0.0", "drop"]);
        assert!(router < local && printer < local);
        assert!(!rules[printer].contains("dport"));
        let guest_to_guest = position(&rules, GUEST_TO_GUEST);
        assert!(
            guest_to_guest < router,
            "no allowance reopens guest to guest"
        );
    }

    #[test]
    fn the_walled_garden_opens_https_to_its_names_and_its_networks_before_joining() {
        let mut spec = spec(&[], &[]);
        spec.walled_garden = ["lapor.go.id", "203.0.113.0/24:8443", "198.51.100.7"]
            .iter()
            .map(|e| e.parse().unwrap())
            .collect();
        let rules = chain(&spec, "forward");
        let names = position(&rules, &["@garden", "dport", "443", "accept"]);
        assert!(!rules[names].contains("@joined"), "before joining");
        let port = position(
            &rules,
            &["203.0.113.0", "\"len\":24", "\"th\"", "8443", "accept"],
        );
        let whole = position(&rules, &["198.51.100.7", "\"len\":32", "accept"]);
        assert!(!rules[whole].contains("dport"));
        let local = position(&rules, &["192.168.0.0", "drop"]);
        let uplink_only = position(&rules, &["\"!=\"", "eth0", "drop"]);
        let refused = position(&rules, &["443", "tcp reset"]);
        let going_on = position(&rules, &["\"mark\"", "26465", "established", "accept"]);
        for open in [names, port, whole] {
            assert!(local < open && uplink_only < open && open < refused);
            assert!(rules[open].contains("\"mangle\"") && rules[open].contains("26465"));
        }
        assert!(local < going_on && uplink_only < going_on && going_on < refused);
        // Port 80 still goes to the portal for everyone not joined.
        let nat = chain(&spec, "prerouting");
        position(&nat, &["dport", "80", "dnat"]);
        assert!(nat.iter().all(|r| !r.contains("garden")), "{nat:#?}");

        let json = ruleset(&spec, &[], 0);
        let set = json["nftables"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|c| c.pointer("/add/set").filter(|s| s["name"] == GARDEN))
            .unwrap();
        assert_eq!(set["timeout"], GARDEN_SECONDS);
        assert_eq!(set["flags"], serde_json::json!(["timeout"]));
    }

    #[test]
    fn without_a_garden_https_is_refused_to_all_before_joining() {
        let rules = chain(&spec(&[], &[]), "forward");
        assert!(
            rules
                .iter()
                .all(|r| !r.contains("@garden") && !r.contains("mark"))
        );
        let joined = position(&rules, &["@joined", "accept"]);
        let refused = position(&rules, &["443", "tcp reset"]);
        assert!(joined < refused && refused + 1 < rules.len());
        for rule in &rules[joined + 1..refused] {
            assert!(rule.contains("@joined"), "only joined accepts: {rule}");
        }
    }

    #[test]
    fn local_networks_leave_out_what_another_holds() {
        let (v4, v6) = local_networks(&[
            ("10.98.0.1".parse().unwrap(), 24),
            ("198.51.100.7".parse().unwrap(), 24),
            ("198.51.100.9".parse().unwrap(), 25),
            ("fd00::1".parse().unwrap(), 64),
        ]);
        let v4 = serde_json::to_string(&v4).unwrap();
        assert_eq!(v4.matches("198.51.100.0").count(), 1, "{v4}");
        assert!(!v4.contains("10.98.0.0"), "{v4}");
        assert_eq!(v6.len(), LOCAL_V6.len());
    }

    #[test]
    fn guests_cannot_reroute_the_device_and_dns_is_metered_before_joining() {
        let rules = chain(&spec(&[], &[]), "input");
        let established = position(&rules, &["established", "accept"]);
        let advice = position(&rules, &["nd-router-advert", "nd-redirect", "drop"]);
        let redirect = position(&rules, &["\"icmp\"", "redirect", "drop"]);
        let meter = position(
            &rules,
            &[
                "dns_before_joining",
                "\"!=\"",
                "@joined",
                "\"inv\":true",
                "drop",
            ],
        );
        assert!(advice < established && redirect < established && meter < established);
        assert!(rules[meter].contains(&format!("\"rate\":{DNS_RATE}")));
        assert!(rules[meter].contains(&format!("\"burst\":{DNS_BURST}")));
        position(
            &rules,
            &[
                "nd-neighbor-solicit",
                "nd-neighbor-advert",
                "packet-too-big",
                "accept",
            ],
        );
        position(&rules, &["echo-request", "limit", "accept"]);
        assert!(rules.last().unwrap().contains("drop"));
    }

    #[test]
    fn the_portal_answers_the_guest_side_only() {
        let rules = chain(&spec(&[], &[]), "input");
        let from_elsewhere = position(&rules, &["\"!=\"", "wlan0", "\"lo\"", "10.42.0.1", "drop"]);
        let port = position(
            &rules,
            &["\"!=\"", "wlan0", "\"lo\"", "dport", "80", "drop"],
        );
        let guests = position(
            &rules,
            &["==", "wlan0", "10.42.0.1", "dport", "80", "accept"],
        );
        assert!(from_elsewhere < guests && port < guests);
    }

    #[test]
    fn https_is_opened_to_guests_only_and_only_when_served() {
        let plain = chain(&spec(&[], &[]), "input");
        assert!(!plain.iter().any(|r| r.contains("443")), "{plain:?}");
        let mut with_tls = spec(&[], &[]);
        with_tls.tls_port = Some(443);
        let rules = chain(&with_tls, "input");
        let elsewhere = position(
            &rules,
            &["\"!=\"", "wlan0", "\"lo\"", "dport", "443", "drop"],
        );
        let guests = position(
            &rules,
            &["==", "wlan0", "10.42.0.1", "dport", "443", "accept"],
        );
        assert!(elsewhere < guests);
        assert!(rules.last().unwrap().contains("drop"));
    }
}
