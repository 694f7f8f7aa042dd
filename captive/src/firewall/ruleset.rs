//! The portal's nftables ruleset, built from the live sessions: a pure
//! function, so every rule can be read and tested without a kernel.
//!
//! Everything lives in one table of our own, `inet anjungan_captive`;
//! nothing else in the ruleset is touched. The table is replaced in one
//! transaction (`add table; delete table; add table ...`), so a restart never
//! leaves a moment without gating or without the joined visitors.
//!
//! For a visitor on `interface`:
//! - joined (`ether saddr . ip saddr` in the set `joined`): forwarded
//!   untouched; the set's elements carry a kernel timeout that ends the
//!   session at its end, with no program running;
//! - not joined: TCP port 80 to any address is redirected (DNAT) to the
//!   portal; TCP 443 is refused with a reset, so HTTPS fails at once instead
//!   of hanging; everything else off the device is dropped;
//! - everyone: to the device itself only DHCP, DNS and the portal's port;
//!   the admin page, SSH and every other port are out of reach.

use std::borrow::Cow;
use std::collections::HashSet;
use std::net::Ipv4Addr;

use anjungan::wifi::{Mac, Session};
use nftables::batch::Batch;
use nftables::expr::{CT, Elem, Expression, Meta, MetaKey, NamedExpression, Payload, PayloadField};
use nftables::schema::{
    Chain, Element, NfListObject, Nftables, Rule, Set, SetFlag, SetType, SetTypeValue, Table,
};
use nftables::stmt::{Match, NAT, NATFamily, Operator, Reject, RejectType, Statement};
use nftables::types::{NfChainPolicy, NfChainType, NfFamily, NfHook};

pub const TABLE: &str = "anjungan_captive";
pub const SET: &str = "joined";
const FAMILY: NfFamily = NfFamily::INet;

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
}

/// The whole table with `sessions` as the set's elements, each with the
/// time it has left at `now`. Expired sessions are left out.
pub fn ruleset(spec: &GateSpec, sessions: &[Session], now: i64) -> Nftables<'static> {
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
    let live: Vec<Expression<'static>> = sessions
        .iter()
        .filter(|s| s.seconds_left(now) > 0)
        .map(|s| element(s.mac, s.ip, s.seconds_left(now)))
        .collect();
    if !live.is_empty() {
        b.add(NfListObject::Element(Element {
            family: FAMILY,
            table: TABLE.into(),
            name: SET.into(),
            elem: Cow::Owned(live),
        }));
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
    b.to_nftables()
}

/// Lets one visitor out for `seconds`.
pub fn admit(mac: Mac, ip: Ipv4Addr, seconds: i64) -> Nftables<'static> {
    let mut b = Batch::new();
    b.add(NfListObject::Element(set_element(mac, ip, seconds)));
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
    b.to_nftables()
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
        elem: Cow::Owned(vec![element(mac, ip, seconds)]),
    }
}

fn key(mac: Mac, ip: Ipv4Addr) -> Expression<'static> {
    Expression::Named(NamedExpression::Concat(vec![
        Expression::String(mac.to_string().into()),
        Expression::String(ip.to_string().into()),
    ]))
}

fn element(mac: Mac, ip: Ipv4Addr, seconds: i64) -> Expression<'static> {
    Expression::Named(NamedExpression::Elem(Elem {
        val: Box::new(key(mac, ip)),
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
    let to_guest = || is(meta(MetaKey::Oifname), text(&spec.interface));
    let joined = || {
        Statement::Match(Match {
            left: Expression::Named(NamedExpression::Concat(vec![
                field("ether", "saddr"),
                field("ip", "saddr"),
            ])),
            right: text(&format!("@{SET}")),
            op: Operator::IN,
        })
    };
    let portal = text(&spec.address.to_string());
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
    let accept = || Statement::Accept(None);
    let drop = || Statement::Drop(None);
    let reset = || Statement::Reject(Some(Reject::new(Some(RejectType::TCPReset), None)));
    let unreachable = || Statement::Reject(None);

    let mut prerouting = Vec::new();
    if spec.port != 80 {
        // Joined visitors still reach the portal at http://address/.
        prerouting.push(vec![
            guest(),
            is(field("ip", "daddr"), portal.clone()),
            tcp_dport(80),
            dnat(),
        ]);
    }
    prerouting.push(vec![guest(), joined(), Statement::Return(None)]);
    prerouting.push(vec![guest(), tcp_dport(80), dnat()]);

    let input = vec![
        vec![guest(), established(), accept()],
        vec![guest(), udp_dport(67), accept()],
        vec![
            guest(),
            is(field("ip", "daddr"), portal.clone()),
            udp_dport(53),
            accept(),
        ],
        vec![
            guest(),
            is(field("ip", "daddr"), portal.clone()),
            tcp_dport(53),
            accept(),
        ],
        vec![
            guest(),
            is(field("ip", "daddr"), portal),
            tcp_dport(spec.port),
            accept(),
        ],
        vec![guest(), is(meta(MetaKey::L4proto), text("icmp")), accept()],
        vec![
            guest(),
            is(meta(MetaKey::L4proto), text("ipv6-icmp")),
            accept(),
        ],
        vec![guest(), drop()],
    ];

    let forward = vec![
        vec![guest(), joined(), accept()],
        vec![guest(), tcp_dport(443), reset()],
        // QUIC: browsers fall back at once when told the port is closed.
        vec![guest(), udp_dport(443), unreachable()],
        vec![guest(), drop()],
        vec![to_guest(), established(), accept()],
        vec![to_guest(), drop()],
    ];

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
