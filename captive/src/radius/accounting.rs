//! Accounting (RFC 2866): a Start when a RADIUS visitor joins, an
//! Interim-Update every Acct-Interim-Interval, a Stop when the session
//! ends, with the bytes and packets of the kernel's per-session counters
//! and why it ended. Records are queued in the database first and sent
//! until a server acknowledges them, so they survive a restart or servers
//! that are down for a while. Idle-Timeout is kept here too: a session
//! whose counters stand still that long is ended.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::time::Duration;

use anjungan::wifi::Session;
use anjungan::wifi::radius::{self as record, Account, Grant, Usage};

use super::Radius;
use super::packet::{self, Code, Packet, attr, cause};
use crate::Result;
use crate::portal::Portal;

/// How often counters are read and records sent.
pub const TICK: Duration = Duration::from_secs(2);
/// Interim-Update intervals a server may ask for; RFC 2869 advises at
/// least 60 s, but a server asking for less gets what it asked down to this.
pub const MIN_INTERIM: i64 = 5;
/// Records sent per tick at most (after an outage, the backlog drains over
/// several ticks).
const SEND_PER_TICK: usize = 50;

/// Acct-Status-Type values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Start = 1,
    Stop = 2,
    Interim = 3,
}

/// The attributes of an accounting record of `account` at `now` (without
/// Acct-Delay-Time, added when it is sent).
pub fn attributes(
    radius: &Radius,
    account: &Account,
    status: Status,
    now: i64,
    terminate_cause: Option<u32>,
) -> Vec<(u8, Vec<u8>)> {
    let s = &account.session;
    let mut p = Packet::new(Code::AccountingRequest, 0);
    p.add_u32(attr::ACCT_STATUS_TYPE, status as u32)
        .add(attr::ACCT_SESSION_ID, account.acct_session_id.as_bytes())
        .add(attr::USER_NAME, account.grant.username.as_bytes());
    radius.visitor_attributes(&mut p, s.mac, s.ip);
    if let Some(class) = &account.grant.class {
        p.add(attr::CLASS, class.clone());
    }
    p.add_u32(
        attr::EVENT_TIMESTAMP,
        now.clamp(0, i64::from(u32::MAX)) as u32,
    );
    if status != Status::Start {
        let end = account.ended_at.unwrap_or(s.expires_at).min(now);
        let seconds = (end - s.started_at).clamp(0, i64::from(u32::MAX)) as u32;
        let u = account.usage;
        let low = |n: u64| (n & 0xffff_ffff) as u32;
        let giga = |n: u64| (n >> 32).min(u64::from(u32::MAX)) as u32;
        p.add_u32(attr::ACCT_SESSION_TIME, seconds)
            .add_u32(attr::ACCT_INPUT_OCTETS, low(u.input_octets))
            .add_u32(attr::ACCT_OUTPUT_OCTETS, low(u.output_octets))
            .add_u32(attr::ACCT_INPUT_GIGAWORDS, giga(u.input_octets))
            .add_u32(attr::ACCT_OUTPUT_GIGAWORDS, giga(u.output_octets))
            .add_u32(attr::ACCT_INPUT_PACKETS, low(u.input_packets))
            .add_u32(attr::ACCT_OUTPUT_PACKETS, low(u.output_packets));
    }
    if let Some(c) = terminate_cause {
        p.add_u32(attr::ACCT_TERMINATE_CAUSE, c);
    }
    p.attributes
}

/// Why a session that is over ended, for its Stop.
pub fn stop_cause(account: &Account, now: i64) -> Option<u32> {
    if let Some(c) = account.terminate_cause {
        return Some(c);
    }
    match account.ended_at {
        Some(_) if account.kicked => Some(cause::ADMIN_RESET),
        // Ended because the firewall could not let the visitor out.
        Some(_) => Some(cause::LOST_SERVICE),
        None if account.session.expires_at <= now => Some(cause::SESSION_TIMEOUT),
        None => None,
    }
}

/// What is due for an account at `now`, given when its traffic last moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    Nothing,
    Interim,
    /// Its traffic stood still for Idle-Timeout: end it.
    Idle,
    Stop(u32),
}

pub fn due(account: &Account, now: i64) -> Due {
    if let Some(c) = stop_cause(account, now) {
        return Due::Stop(c);
    }
    if let Some(idle) = account.grant.idle_timeout
        && now - account.active_at >= idle
    {
        return Due::Idle;
    }
    match account.grant.interim_interval {
        Some(every) if now - account.last_interim_at >= every.max(MIN_INTERIM) => Due::Interim,
        _ => Due::Nothing,
    }
}

/// What the kernel counted since the last reading `seen`: the counters
/// start again at zero when the table is put back or the visitor moves to
/// a new address, and then all of the reading is new.
pub fn since(seen: Usage, now: Usage) -> Usage {
    let d = |a: u64, b: u64| if b >= a { b - a } else { b };
    if now.input_octets < seen.input_octets || now.output_octets < seen.output_octets {
        return now;
    }
    Usage {
        input_octets: d(seen.input_octets, now.input_octets),
        output_octets: d(seen.output_octets, now.output_octets),
        input_packets: d(seen.input_packets, now.input_packets),
        output_packets: d(seen.output_packets, now.output_packets),
    }
}

fn add(a: Usage, b: Usage) -> Usage {
    Usage {
        input_octets: a.input_octets.saturating_add(b.input_octets),
        output_octets: a.output_octets.saturating_add(b.output_octets),
        input_packets: a.input_packets.saturating_add(b.input_packets),
        output_packets: a.output_packets.saturating_add(b.output_packets),
    }
}

/// Reads the kernel's counters into the database. Blocking.
pub fn count(portal: &Portal, radius: &Radius, now: i64) -> Result<Vec<Account>> {
    // Held from reading the totals to saving them: a Disconnect-Request's
    // count beside the tick's would otherwise save one over the other.
    let mut seen = radius.seen.lock().unwrap_or_else(|e| e.into_inner());
    let mut accounts = portal.sessions.with_store(|s| record::open(s))?;
    if accounts.is_empty() {
        // Nobody to count: no `nft` run every tick on an idle portal.
        return Ok(accounts);
    }
    let readings: HashMap<Ipv4Addr, Usage> = portal.gate.usage()?.into_iter().collect();
    let mut counted = Vec::new();
    for a in accounts.iter_mut() {
        let over = a.ended_at.is_some() || a.session.expires_at <= now;
        let Some(reading) = readings.get(&a.session.ip).copied().filter(|_| !over) else {
            continue;
        };
        let new = since(
            seen.get(&a.session.id).copied().unwrap_or_default(),
            reading,
        );
        seen.insert(a.session.id, reading);
        if new == Usage::default() {
            continue;
        }
        a.usage = add(a.usage, new);
        a.active_at = now;
        counted.push((a.session.id, a.usage, now));
    }
    if !counted.is_empty() {
        portal
            .sessions
            .with_store(|s| record::save_usage(s, &counted))?;
    }
    drop(seen);
    Ok(accounts)
}

/// Queues a visitor's Start (at join, after the firewall let them out).
pub fn start(
    portal: &Portal,
    radius: &Radius,
    session: &Session,
    acct_session_id: &str,
    grant: &Grant,
) -> Result<()> {
    let account = Account {
        session: session.clone(),
        ended_at: None,
        kicked: false,
        acct_session_id: acct_session_id.to_owned(),
        grant: grant.clone(),
        last_interim_at: session.started_at,
        active_at: session.started_at,
        usage: Usage::default(),
        terminate_cause: None,
    };
    let attrs = attributes(radius, &account, Status::Start, session.started_at, None);
    portal.sessions.with_store(|s| {
        record::queue(
            s,
            session.id,
            &packet::encode_attributes(&attrs),
            session.started_at,
            false,
        )
    })?;
    Ok(())
}

/// Ends RADIUS session `id` now for `cause` (idle, a Disconnect-Request):
/// its last bytes counted, then the database, then the firewall, as a
/// technician's end. False when it was not live.
pub fn end(portal: &Portal, radius: &Radius, id: i64, why: u32) -> Result<bool> {
    let now = portal.now();
    count(portal, radius, now)?;
    let _one_at_a_time = portal.join_lock.lock().unwrap_or_else(|e| e.into_inner());
    let Some(s) = portal.sessions.live(now).into_iter().find(|s| s.id == id) else {
        return Ok(false);
    };
    if !portal
        .sessions
        .with_store(|st| record::end(st, id, now, why))?
    {
        return Ok(false);
    }
    portal.sessions.remove(id);
    if let Err(e) = portal.gate.revoke(s.mac, s.ip) {
        tracing::warn!(error = %e, mac = %s.mac, "cannot shut the visitor out; putting the whole table back from the database");
        crate::watch::put_back(portal)?;
    }
    tracing::info!(mac = %s.mac, ip = %s.ip, cause = why, "RADIUS session ended");
    Ok(true)
}

/// One round: counters read, idle sessions ended, due records queued,
/// queued records sent. Blocking.
pub fn tick(portal: &Portal, radius: &Radius) -> Result<()> {
    let now = portal.now();
    for account in count(portal, radius, now)? {
        let id = account.session.id;
        match due(&account, now) {
            Due::Nothing => {}
            Due::Idle => {
                end(portal, radius, id, cause::IDLE_TIMEOUT)?;
            }
            Due::Interim => {
                let attrs = attributes(radius, &account, Status::Interim, now, None);
                portal.sessions.with_store(|s| {
                    record::queue(s, id, &packet::encode_attributes(&attrs), now, false)
                })?;
            }
            Due::Stop(why) => {
                let attrs = attributes(radius, &account, Status::Stop, now, Some(why));
                portal.sessions.with_store(|s| {
                    record::queue(s, id, &packet::encode_attributes(&attrs), now, true)
                })?;
                radius
                    .seen
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&id);
            }
        }
    }
    send(portal, radius, now)
}

/// Sends queued records, oldest first, until one finds no server.
fn send(portal: &Portal, radius: &Radius, now: i64) -> Result<()> {
    let waiting = portal
        .sessions
        .with_store(|s| record::pending(s, SEND_PER_TICK))?;
    for p in waiting {
        let Some(mut attrs) = packet::decode_attributes(&p.attributes) else {
            tracing::warn!(
                id = p.id,
                "an accounting record in the database cannot be read; dropped"
            );
            portal
                .sessions
                .with_store(|s| record::acknowledged(s, p.id))?;
            continue;
        };
        let delay = (now - p.created_at).clamp(0, i64::from(u32::MAX)) as u32;
        attrs.push((attr::ACCT_DELAY_TIME, delay.to_be_bytes().to_vec()));
        let make = |id: u8, _random: [u8; 16]| {
            let mut packet = Packet::new(Code::AccountingRequest, id);
            packet.attributes = attrs.clone();
            let bytes = packet.encode_request(radius.secret.bytes());
            let mut authenticator = [0; 16];
            authenticator.copy_from_slice(&bytes[4..20]);
            (bytes, authenticator)
        };
        match radius.servers.ask(1, &radius.secret, &make) {
            Some((_, answer)) if answer.code == Code::AccountingResponse => {
                portal
                    .sessions
                    .with_store(|s| record::acknowledged(s, p.id))?;
            }
            Some(_) => tracing::warn!(
                "a RADIUS server answered accounting with something else; kept to send again"
            ),
            None => {
                tracing::warn!("no RADIUS server takes accounting now; records kept to send again");
                break;
            }
        }
    }
    Ok(())
}

/// Runs `tick` every `TICK` for as long as the portal runs.
pub async fn run(portal: std::sync::Arc<Portal>) {
    let mut every = tokio::time::interval(TICK);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let portal = portal.clone();
        let done = tokio::task::spawn_blocking(move || match &portal.radius {
            Some(radius) => tick(&portal, radius),
            None => Ok(()),
        })
        .await;
        if let Ok(Err(e)) = done {
            tracing::warn!(error = %e, "RADIUS accounting round failed; trying again");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anjungan::wifi::{JoinMethod, Mac};

    fn account() -> Account {
        Account {
            session: Session {
                id: 1,
                mac: Mac([2; 6]),
                ip: Ipv4Addr::new(10, 42, 0, 9),
                started_at: 1_000,
                expires_at: 4_600,
                method: JoinMethod::Radius,
            },
            ended_at: None,
            kicked: false,
            acct_session_id: "00000001-000003E8".into(),
            grant: Grant {
                username: "siti".into(),
                idle_timeout: Some(300),
                interim_interval: Some(60),
                ..Grant::default()
            },
            last_interim_at: 1_000,
            active_at: 1_000,
            usage: Usage::default(),
            terminate_cause: None,
        }
    }

    #[test]
    fn interims_are_due_every_interval_and_idle_sessions_end() {
        let a = account();
        assert_eq!(due(&a, 1_059), Due::Nothing);
        assert_eq!(due(&a, 1_060), Due::Interim);
        let active = Account {
            last_interim_at: 1_280,
            active_at: 1_250,
            ..a.clone()
        };
        assert_eq!(due(&active, 1_300), Due::Nothing);
        assert_eq!(due(&active, 1_550), Due::Idle);
        let fast = Account {
            grant: Grant {
                interim_interval: Some(1),
                ..a.grant.clone()
            },
            ..a.clone()
        };
        assert_eq!(due(&fast, 1_004), Due::Nothing, "at most every MIN_INTERIM");
    }

    #[test]
    fn each_end_has_its_terminate_cause() {
        let a = account();
        assert_eq!(due(&a, 4_600), Due::Stop(cause::SESSION_TIMEOUT));
        let kicked = Account {
            ended_at: Some(2_000),
            kicked: true,
            ..a.clone()
        };
        assert_eq!(due(&kicked, 2_001), Due::Stop(cause::ADMIN_RESET));
        let idle = Account {
            ended_at: Some(2_000),
            terminate_cause: Some(cause::IDLE_TIMEOUT),
            ..a.clone()
        };
        assert_eq!(due(&idle, 2_001), Due::Stop(cause::IDLE_TIMEOUT));
    }

    #[test]
    fn counters_that_start_again_count_from_zero() {
        let u = |i, o| Usage {
            input_octets: i,
            output_octets: o,
            input_packets: 1,
            output_packets: 1,
        };
        assert_eq!(since(u(100, 200), u(150, 260)).output_octets, 60);
        assert_eq!(since(u(100, 200), u(10, 20)), u(10, 20));
    }

    #[test]
    fn a_stop_carries_time_bytes_gigawords_and_cause() {
        let radius = Radius {
            servers: super::super::client::Servers::new(vec![]),
            secret: super::super::Secret::new("s"),
            nas: super::super::Nas {
                ip: Ipv4Addr::new(10, 42, 0, 1),
                identifier: "anjungan-demo".into(),
                ssid: "Wi-Fi".into(),
            },
            seen: Default::default(),
        };
        let a = Account {
            ended_at: Some(1_100),
            usage: Usage {
                input_octets: 5 << 32 | 7,
                output_octets: 9,
                input_packets: 3,
                output_packets: 4,
            },
            ..account()
        };
        let p = Packet {
            attributes: attributes(&radius, &a, Status::Stop, 1_200, Some(cause::IDLE_TIMEOUT)),
            ..Packet::new(Code::AccountingRequest, 0)
        };
        assert_eq!(p.get_u32(attr::ACCT_STATUS_TYPE), Some(2));
        assert_eq!(p.get_u32(attr::ACCT_SESSION_TIME), Some(100));
        assert_eq!(p.get_u32(attr::ACCT_INPUT_OCTETS), Some(7));
        assert_eq!(p.get_u32(attr::ACCT_INPUT_GIGAWORDS), Some(5));
        assert_eq!(p.get_u32(attr::ACCT_OUTPUT_OCTETS), Some(9));
        assert_eq!(
            p.get_u32(attr::ACCT_TERMINATE_CAUSE),
            Some(cause::IDLE_TIMEOUT)
        );
        assert_eq!(
            p.get_text(attr::CALLING_STATION_ID).unwrap(),
            "02-02-02-02-02-02"
        );
    }
}
