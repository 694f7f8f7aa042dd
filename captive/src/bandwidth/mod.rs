//! Per-visitor bandwidth, shaped in the kernel: download and upload rates
//! from `[captive] download_kbit` / `upload_kbit`, or a RADIUS server's
//! WISPr-Bandwidth-Max-Down/Up (at sign-in or by a CoA-Request). `plan`
//! makes the `tc` lines (pure), `tc` runs them. `Bandwidth::sync` makes
//! the kernel's classes those of the live sessions: `usage::tick` calls it
//! every second and after a join, so classes come with a join, follow a
//! visitor's new address, go at the session's end, and are made again at
//! start for sessions that survive a restart.

pub mod plan;
pub mod tc;

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::sync::Mutex;

pub use plan::Rates;

use crate::Result;

/// What the rest of the portal sees of traffic control, so tests can
/// watch it without a kernel.
pub trait Shaper: Send + Sync {
    /// Removes what a previous run left and makes the empty structure.
    fn reset(&self) -> Result<()>;
    /// Takes each address from its rates before to its rates after.
    fn apply(&self, changes: &[(Ipv4Addr, Rates, Rates)]) -> Result<()>;
}

/// The shaping of the portal: the shaper (none when nothing is ever
/// shaped) and what the kernel has now.
pub struct Bandwidth {
    shaper: Option<Box<dyn Shaper>>,
    /// The configured rates (RADIUS grants override them per visitor).
    pub defaults: Rates,
    /// Rates in the kernel now, per address; `None` until `reset` worked.
    applied: Mutex<Option<HashMap<Ipv4Addr, Rates>>>,
}

impl Bandwidth {
    /// Nothing shaped (`firewall = "none"`, or no rates and no RADIUS).
    pub fn none() -> Bandwidth {
        Bandwidth {
            shaper: None,
            defaults: Rates::default(),
            applied: Mutex::new(None),
        }
    }

    pub fn new(shaper: Box<dyn Shaper>, defaults: Rates) -> Bandwidth {
        Bandwidth {
            shaper: Some(shaper),
            defaults,
            applied: Mutex::new(None),
        }
    }

    pub fn is_active(&self) -> bool {
        self.shaper.is_some()
    }

    /// Makes the kernel's classes `wanted` (address to rates; unlimited
    /// visitors need not be in it). The first call, and the one after a
    /// failure, starts from a clean structure. Blocking.
    pub fn sync(&self, wanted: &HashMap<Ipv4Addr, Rates>) -> Result<()> {
        let Some(shaper) = &self.shaper else {
            return Ok(());
        };
        let mut applied = self.applied.lock().unwrap_or_else(|e| e.into_inner());
        if applied.is_none() {
            shaper.reset()?;
            *applied = Some(HashMap::new());
        }
        let now = applied.as_mut().expect("set above");
        let changes = changes(now, wanted);
        if changes.is_empty() {
            return Ok(());
        }
        match shaper.apply(&changes) {
            Ok(()) => {
                now.retain(|ip, _| wanted.contains_key(ip));
                now.extend(wanted.iter().map(|(ip, r)| (*ip, *r)));
                now.retain(|_, r| !r.is_unlimited());
                Ok(())
            }
            Err(e) => {
                // Unknown now: made again from scratch on the next sync.
                *applied = None;
                Err(e)
            }
        }
    }
}

/// Pure: what must change to go from `have` to `want`, in address order.
pub fn changes(
    have: &HashMap<Ipv4Addr, Rates>,
    want: &HashMap<Ipv4Addr, Rates>,
) -> Vec<(Ipv4Addr, Rates, Rates)> {
    let mut out: Vec<_> = have
        .iter()
        .filter(|(ip, _)| !want.contains_key(ip))
        .map(|(ip, r)| (*ip, *r, Rates::default()))
        .chain(want.iter().filter_map(|(ip, r)| {
            let before = have.get(ip).copied().unwrap_or_default();
            (before != *r).then_some((*ip, before, *r))
        }))
        .collect();
    out.sort_by_key(|(ip, _, _)| *ip);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Recording(Mutex<Vec<String>>);

    impl Shaper for std::sync::Arc<Recording> {
        fn reset(&self) -> Result<()> {
            self.0.lock().unwrap().push("reset".into());
            Ok(())
        }
        fn apply(&self, changes: &[(Ipv4Addr, Rates, Rates)]) -> Result<()> {
            for (ip, _, after) in changes {
                self.0
                    .lock()
                    .unwrap()
                    .push(format!("{ip} {:?} {:?}", after.down_kbit, after.up_kbit));
            }
            Ok(())
        }
    }

    #[test]
    fn sync_resets_once_then_applies_only_what_changed() {
        let rec = std::sync::Arc::new(Recording(Mutex::new(Vec::new())));
        let b = Bandwidth::new(Box::new(rec.clone()), Rates::from_config(1_000, 500));
        let a = Ipv4Addr::new(10, 42, 0, 5);
        let c = Ipv4Addr::new(10, 42, 0, 6);
        let r = Rates::from_config(1_000, 500);
        b.sync(&HashMap::from([(a, r)])).unwrap();
        b.sync(&HashMap::from([(a, r)])).unwrap();
        b.sync(&HashMap::from([(c, r)])).unwrap();
        assert_eq!(
            *rec.0.lock().unwrap(),
            vec![
                "reset",
                "10.42.0.5 Some(1000) Some(500)",
                "10.42.0.5 None None",
                "10.42.0.6 Some(1000) Some(500)",
            ]
        );
    }
}
