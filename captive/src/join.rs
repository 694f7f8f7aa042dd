//! Joining and leaving, carried out: the facts gathered (form, rate
//! limits, MAC, database), the decision (`decision`), then the record in the
//! database, then the firewall. In that order, so that a crash between the
//! two leaves a database the next start rebuilds the firewall from rightly:
//! a join is written before the visitor is let out, and a technician's end
//! is written before they are shut out. Blocking (database, `nft`); no HTTP
//! here (`routes` is the HTTP side).

use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use anjungan::wifi::radius::{self as radius_record, Grant};
use anjungan::wifi::{JoinMethod, Mac, Session, session, voucher};
use serde::Deserialize;

use crate::Result;
use crate::decision::{self, Asking, Refusal, Way};
use crate::portal::{Portal, v4};
use crate::radius::{Radius, Verdict, accounting};

#[derive(Debug, Deserialize)]
pub struct JoinForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub voucher: Option<String>,
    /// `auth = "radius"`: the account's name and password.
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub lang: Option<String>,
}

/// The whole decision and its effects.
pub fn join(portal: &Portal, ip: IpAddr, form: &JoinForm) -> Result<Result<Session, Refusal>> {
    let now = portal.now();
    if !portal.csrf.check(&form.csrf, ip, now) {
        return Ok(Err(Refusal::StaleForm));
    }
    if !portal.join_limiter.allow(ip, Instant::now()) {
        return Ok(Err(Refusal::TooManyAttempts));
    }
    let Some(ip4) = v4(ip) else {
        return Ok(Err(Refusal::NotIdentified));
    };
    let Some(mac) = portal.neighbours.mac_of(ip4) else {
        return Ok(Err(Refusal::NotIdentified));
    };
    // The servers are asked before the join lock: an answer takes up to
    // a few seconds, and other visitors' joins must not wait for it.
    let verdict = match &portal.radius {
        Some(radius) if portal.sessions.by_mac(mac, now).is_none() => {
            let Some((username, password)) =
                decision::account(form.username.as_deref(), form.password.as_deref())
            else {
                return Ok(Err(Refusal::AccountMissing));
            };
            // Few tries per address, so passwords cannot be guessed.
            if !portal.voucher_limiter.allow(ip, Instant::now()) {
                return Ok(Err(Refusal::TooManyAttempts));
            }
            let verdict = radius.authenticate(username, password, mac, ip4);
            match &verdict {
                Verdict::Rejected(message) => {
                    tracing::info!(mac = %mac, reply = message.as_deref().unwrap_or(""), "RADIUS refused a sign-in")
                }
                Verdict::NoServer => {
                    tracing::warn!(mac = %mac, "no RADIUS server answered a sign-in; nobody can join until one does")
                }
                Verdict::Accepted { .. } => {}
            }
            Some(verdict)
        }
        _ => None,
    };
    let waited = Instant::now();
    let _one_at_a_time = portal.join_lock.lock().unwrap_or_else(|e| e.into_inner());
    let waited = waited.elapsed();
    if let Some(existing) = portal.sessions.by_mac(mac, now) {
        // Already joined (a second tap, or a new address): keep the session,
        // if the DHCP server agrees the address is this device's.
        return Ok(follow(portal, existing, ip4)?.ok_or(Refusal::NotIdentified));
    }
    if crate::usage::day_used(portal, mac, now)? {
        return Ok(Err(Refusal::DataDayUsed));
    }
    let rules = portal.settings.rules();
    let asking = Asking {
        now,
        live_visitors: portal.sessions.count_live(now),
        kicked_at: portal
            .sessions
            .with_store(|store| session::last_kicked(store, mac))?,
        voucher: form.voucher.as_deref(),
        verdict: verdict.as_ref(),
    };
    let (method, expires_at, code) = match decision::admit(&rules, &asking) {
        Err(refusal) => return Ok(Err(refusal)),
        Ok(Way::Radius { expires_at, grant }) => {
            let Some(radius) = &portal.radius else {
                return Ok(Err(Refusal::AccountsUnreachable));
            };
            return join_by_radius(portal, radius, mac, ip4, (now, expires_at), grant).map(Ok);
        }
        Ok(Way::Voucher(typed)) => {
            if !portal.voucher_limiter.allow(ip, Instant::now()) {
                return Ok(Err(Refusal::TooManyAttempts));
            }
            let redemption = portal
                .sessions
                .with_store(|store| voucher::redeem(store, typed, mac, now))?;
            match decision::voucher(redemption) {
                Ok(until) => (JoinMethod::Voucher, until, Some(typed)),
                Err(refusal) => return Ok(Err(refusal)),
            }
        }
        Ok(Way::ClickThrough) => {
            let used = portal
                .sessions
                .with_store(|store| session::used_since(store, mac, decision::day_start(now)))?;
            match decision::click_through(&rules, used, now) {
                Ok(until) => (JoinMethod::ClickThrough, until, None),
                Err(refusal) => return Ok(Err(refusal)),
            }
        }
    };
    let written = Instant::now();
    let joined = portal
        .sessions
        .with_store(|store| session::record(store, mac, ip4, now, expires_at, method, code))?;
    let written = written.elapsed();
    let admitted = Instant::now();
    if let Err(e) = portal.gate.admit(mac, ip4, expires_at - now) {
        // Not let out: do not count it as a session either.
        let _ = portal
            .sessions
            .with_store(|store| session::end(store, joined.id, now));
        return Err(e);
    }
    // The cost of a join's parts, for the crowd benchmark
    // (`ANJUNGAN_LOG=info,captive::timing=debug`): joins wait for each
    // other on `join_lock`, so these add up to the joins per second.
    tracing::debug!(
        target: "captive::timing",
        lock_wait_us = micros(waited),
        db_us = micros(written),
        nft_us = micros(admitted.elapsed()),
        "join timing"
    );
    tracing::info!(mac = %mac, ip = %ip4, until = expires_at, ?method, "visitor joined");
    portal.sessions.insert(joined.clone());
    Ok(Ok(joined))
}

/// A RADIUS sign-in the server accepted, carried out: the session and
/// what the server granted in the database, the firewall, then the
/// accounting Start queued. Call with `join_lock` held.
fn join_by_radius(
    portal: &Portal,
    radius: &Radius,
    mac: Mac,
    ip: Ipv4Addr,
    (now, expires_at): (i64, i64),
    grant: &Grant,
) -> Result<Session> {
    let (joined, acct_session_id) = portal
        .sessions
        .with_store(|store| radius_record::record(store, mac, ip, now, expires_at, grant))?;
    if let Err(e) = portal.gate.admit(mac, ip, expires_at - now) {
        // Never let out, so never accounted: no Start, and no Stop either.
        let _ = portal
            .sessions
            .with_store(|store| radius_record::abandon(store, joined.id, now));
        return Err(e);
    }
    tracing::info!(mac = %mac, %ip, until = expires_at, user = %grant.username, "visitor joined by RADIUS");
    portal.sessions.insert(joined.clone());
    accounting::start(portal, radius, &joined, &acct_session_id, grant)?;
    Ok(joined)
}

/// A joined visitor's MAC seen at `ip`: if that is a new address that the
/// DHCP server leased to that MAC (the phone got a new lease), the session
/// follows it, in the database and the firewall. At an address the server
/// did not give that MAC (a cloned MAC, a static address), the session
/// stays where it is and `None` says so; so does a session ended
/// meanwhile. Call with `join_lock` held.
pub fn follow(portal: &Portal, session: Session, ip: Ipv4Addr) -> Result<Option<Session>> {
    if session.ip == ip {
        return Ok(Some(session));
    }
    let now = portal.now();
    if portal.leases.holder(ip, now) != Some(session.mac) {
        tracing::debug!(mac = %session.mac, %ip, "a joined visitor's MAC at an address not leased to it; not moved");
        return Ok(None);
    }
    let moved = portal
        .sessions
        .with_store(|store| session::move_to(store, session.id, ip))?;
    if !moved {
        // Ended meanwhile (a technician's end): it stays ended.
        tracing::debug!(mac = %session.mac, "a session ended before it could move; not moved");
        return Ok(None);
    }
    portal.gate.revoke(session.mac, session.ip)?;
    portal
        .gate
        .admit(session.mac, ip, session.seconds_left(now))?;
    let moved = Session { ip, ..session };
    tracing::info!(mac = %moved.mac, ip = %ip, "joined visitor moved to a new address");
    portal.sessions.insert(moved.clone());
    Ok(Some(moved))
}

/// The joined session of the device at `ip`, when that device joined from
/// another address and the DHCP server gave it this one.
pub fn moved_visitor(portal: &Portal, ip: IpAddr) -> Result<Option<Session>> {
    let Some(ip4) = v4(ip) else { return Ok(None) };
    if portal.sessions.is_empty() {
        return Ok(None);
    }
    let Some(mac) = portal.neighbours.mac_of(ip4) else {
        return Ok(None);
    };
    // A move is costly and holds the lock every join waits for: at most one
    // per device per `MOVE_EVERY`, counted before waiting for the lock.
    let Some(seen) = portal.sessions.by_mac(mac, portal.now()) else {
        return Ok(None);
    };
    if seen.ip != ip4 && !portal.move_limiter.allow(mac, Instant::now()) {
        tracing::debug!(mac = %mac, %ip4, "a joined visitor moves too often; not moved");
        return Ok(None);
    }
    // Looked up again under the lock: a technician's end that held it first has
    // removed the session, and it stays ended.
    let _one_at_a_time = portal.join_lock.lock().unwrap_or_else(|e| e.into_inner());
    let Some(session) = portal.sessions.by_mac(mac, portal.now()) else {
        return Ok(None);
    };
    follow(portal, session, ip4)
}

/// A technician ends session `id` now: the database first (so that no
/// restart lets the visitor out again, and the visitor waits
/// `rejoin_wait_minutes` before joining again), then the firewall (the
/// whole table put back from the database if shutting out the one visitor
/// fails). `None` when no live session has that id.
pub fn end(portal: &Portal, id: i64) -> Result<Option<Session>> {
    let _one_at_a_time = portal.join_lock.lock().unwrap_or_else(|e| e.into_inner());
    let now = portal.now();
    let Some(s) = portal.sessions.live(now).into_iter().find(|s| s.id == id) else {
        return Ok(None);
    };
    portal
        .sessions
        .with_store(|store| session::kick(store, id, now))?;
    portal.sessions.remove(id);
    if let Err(e) = portal.gate.revoke(s.mac, s.ip) {
        // Ended in the database and in memory already, so a retry would
        // find nothing to end: make the kernel agree by putting the whole
        // table back from the database, which leaves this visitor out.
        tracing::warn!(error = %e, mac = %s.mac, "cannot shut the visitor out; putting the whole table back from the database");
        crate::watch::put_back(portal)?;
    }
    tracing::info!(mac = %s.mac, ip = %s.ip, "session ended by the technician");
    Ok(Some(s))
}

/// A technician gives live session `id` `seconds` more: the database first,
/// then the firewall's timeout; `None` when it is not live.
pub fn extend(portal: &Portal, id: i64, seconds: i64) -> Result<Option<Session>> {
    let _one_at_a_time = portal.join_lock.lock().unwrap_or_else(|e| e.into_inner());
    let now = portal.now();
    let Some(mut s) = portal.sessions.live(now).into_iter().find(|s| s.id == id) else {
        return Ok(None);
    };
    let Some(expires_at) = portal
        .sessions
        .with_store(|store| session::extend(store, id, seconds, now))?
    else {
        return Ok(None);
    };
    s.expires_at = expires_at;
    portal.sessions.insert(s.clone());
    // Out and in again with the new timeout: not every kernel refreshes an
    // element's timeout when it is added again. Established connections
    // pass meanwhile (conntrack).
    portal.gate.revoke(s.mac, s.ip)?;
    portal.gate.admit(s.mac, s.ip, s.seconds_left(now))?;
    tracing::info!(mac = %s.mac, ip = %s.ip, seconds, "session extended by the technician");
    Ok(Some(s))
}

fn micros(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}
