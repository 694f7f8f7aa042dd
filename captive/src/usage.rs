//! Every second: the visitors' bandwidth classes made those of the live
//! sessions (`bandwidth`), and their data counted against the limits
//! (`[captive] data_limit_mb_session`, `data_limit_mb_day`, a RADIUS
//! server's ChilliSpot-Max-Total-Octets) from the kernel's per-visitor
//! counters. A session that reaches a limit ends as a technician's end
//! does (database, then firewall), with the reason kept for its page and
//! its RADIUS Stop (Session-Timeout); after the day's limit the visitor
//! cannot join again until the next local day.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anjungan::wifi::data::{self, DataLimits, LimitReached};
use anjungan::wifi::radius::{self as record, Grant};
use anjungan::wifi::{Mac, Session};

use crate::Result;
use crate::bandwidth::Rates;
use crate::decision::{Refusal, day_start};
use crate::portal::{Portal, v4};
use crate::radius::accounting;
use crate::radius::packet::cause;

pub const TICK: Duration = Duration::from_secs(1);

/// The data limits configured, and what the counting remembers.
#[derive(Default)]
pub struct DataUse {
    pub session_mb: u32,
    pub day_mb: u32,
    /// The kernel's byte counter (both ways) of each session as last read.
    seen: Mutex<HashMap<i64, u64>>,
    /// Visitors a limit shut out, and the day it did (the page's notice).
    shut_out: Mutex<HashMap<Mac, (LimitReached, i64)>>,
}

impl DataUse {
    pub fn new(session_mb: u32, day_mb: u32) -> DataUse {
        DataUse {
            session_mb,
            day_mb,
            ..DataUse::default()
        }
    }

    /// The limits of a session with `grant` (a RADIUS session's).
    pub fn limits(&self, grant: Option<&Grant>) -> DataLimits {
        DataLimits::new(
            self.session_mb,
            self.day_mb,
            grant.and_then(|g| g.max_total_octets),
        )
    }
}

/// Pure: bytes counted since the last reading `seen` of a counter that
/// reads `now`; a counter that went back started again (the table put
/// back, a new address), and all of it is new.
pub fn counted_since(seen: Option<u64>, now: u64) -> u64 {
    match seen {
        Some(before) if now >= before => now - before,
        _ => now,
    }
}

/// What the RADIUS server granted each live RADIUS session.
fn grants(portal: &Portal) -> Result<HashMap<i64, Grant>> {
    if portal.radius.is_none() {
        return Ok(HashMap::new());
    }
    Ok(portal
        .sessions
        .with_store(|s| record::open(s))?
        .into_iter()
        .filter(|a| a.ended_at.is_none())
        .map(|a| (a.session.id, a.grant))
        .collect())
}

/// The bandwidth classes made those of the live sessions. Blocking.
pub fn shape(portal: &Portal) -> Result<()> {
    if !portal.bandwidth.is_active() {
        return Ok(());
    }
    let now = portal.now();
    let grants = grants(portal)?;
    shape_sessions(portal, &portal.sessions.live(now), &grants)
}

fn shape_sessions(portal: &Portal, live: &[Session], grants: &HashMap<i64, Grant>) -> Result<()> {
    let defaults = portal.bandwidth.defaults;
    let wanted: HashMap<Ipv4Addr, Rates> = live
        .iter()
        .filter_map(|s| {
            let rates = match grants.get(&s.id) {
                Some(g) => defaults.with_radius(g.max_down_bps, g.max_up_bps),
                None => defaults,
            };
            (!rates.is_unlimited()).then_some((s.ip, rates))
        })
        .collect();
    portal.bandwidth.sync(&wanted)
}

/// One round. Blocking.
pub fn tick(portal: &Portal) -> Result<()> {
    let now = portal.now();
    let live = portal.sessions.live(now);
    let grants = grants(portal)?;
    if portal.bandwidth.is_active() {
        shape_sessions(portal, &live, &grants)?;
    }
    let limited: Vec<(&Session, DataLimits)> = live
        .iter()
        .map(|s| (s, portal.data.limits(grants.get(&s.id))))
        .filter(|(_, l)| l.any())
        .collect();
    if limited.is_empty() {
        return Ok(());
    }
    let readings: HashMap<Ipv4Addr, u64> = portal
        .gate
        .usage()?
        .into_iter()
        .map(|(ip, u)| (ip, u.total_octets()))
        .collect();
    let used: Vec<(i64, u64)> = {
        let mut seen = portal.data.seen.lock().unwrap_or_else(|e| e.into_inner());
        let live_ids: Vec<i64> = live.iter().map(|s| s.id).collect();
        seen.retain(|id, _| live_ids.contains(id));
        limited
            .iter()
            .filter_map(|(s, _)| {
                let reading = *readings.get(&s.ip)?;
                let new = counted_since(seen.insert(s.id, reading), reading);
                (new > 0).then_some((s.id, new))
            })
            .collect()
    };
    if !used.is_empty() {
        portal.sessions.with_store(|st| data::add(st, &used))?;
    }
    let today = day_start(now);
    for (s, limits) in limited {
        let (session, day) = portal.sessions.with_store(|st| {
            Ok::<_, anjungan::Error>((
                data::session_octets(st, s.id)?,
                data::day_octets(st, s.mac, today)?,
            ))
        })?;
        if let Some(limit) = data::reached(limits, session, day) {
            end(portal, s, limit, grants.contains_key(&s.id))?;
        }
    }
    Ok(())
}

/// Ends `s` because it reached `limit`: its last bytes counted for
/// RADIUS, the database, then the firewall.
fn end(portal: &Portal, s: &Session, limit: LimitReached, by_radius: bool) -> Result<()> {
    let now = portal.now();
    if let (Some(radius), true) = (&portal.radius, by_radius) {
        accounting::count(portal, radius, now)?;
    }
    let _one_at_a_time = portal.join_lock.lock().unwrap_or_else(|e| e.into_inner());
    let ended = portal
        .sessions
        .with_store(|st| data::end(st, s.id, now, limit, cause::SESSION_TIMEOUT))?;
    if !ended {
        return Ok(());
    }
    portal.sessions.remove(s.id);
    portal
        .data
        .shut_out
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(s.mac, (limit, day_start(now)));
    if let Err(e) = portal.gate.revoke(s.mac, s.ip) {
        tracing::warn!(error = %e, mac = %s.mac, "cannot shut the visitor out; putting the whole table back from the database");
        crate::watch::put_back(portal)?;
    }
    tracing::info!(mac = %s.mac, ip = %s.ip, ?limit, "session ended: data limit reached");
    Ok(())
}

/// Whether `mac` used the day's data limit (joining is refused). Blocking.
pub fn day_used(portal: &Portal, mac: Mac, now: i64) -> Result<bool> {
    let Some(limit) = portal.data.limits(None).day else {
        return Ok(false);
    };
    let used = portal
        .sessions
        .with_store(|st| data::day_octets(st, mac, day_start(now)))?;
    Ok(used >= limit)
}

/// What the page of the visitor at `ip` says when a data limit ended
/// their session today. Looks up the MAC only when someone was shut out.
pub fn notice(portal: &Portal, ip: IpAddr) -> Option<Refusal> {
    let shut_out = portal
        .data
        .shut_out
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if shut_out.is_empty() {
        return None;
    }
    let mac = portal.neighbours.mac_of(v4(ip)?)?;
    let (limit, day) = shut_out.get(&mac)?;
    (*day == day_start(portal.now())).then_some(match limit {
        LimitReached::Session => Refusal::DataSessionUsed,
        LimitReached::Day => Refusal::DataDayUsed,
    })
}

/// Runs `tick` every `TICK` for as long as the portal runs.
pub async fn run(portal: Arc<Portal>) {
    if !portal.bandwidth.is_active() && portal.radius.is_none() && !portal.data.limits(None).any() {
        return;
    }
    let mut every = tokio::time::interval(TICK);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let portal = portal.clone();
        if let Ok(Err(e)) = tokio::task::spawn_blocking(move || tick(&portal)).await {
            tracing::warn!(error = %e, "shaping and data limits round failed; trying again");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_that_start_again_count_from_zero() {
        assert_eq!(counted_since(None, 500), 500);
        assert_eq!(counted_since(Some(200), 500), 300);
        assert_eq!(counted_since(Some(900), 40), 40);
    }
}
