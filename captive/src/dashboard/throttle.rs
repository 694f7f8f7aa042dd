//! Slowing down guessing at the dashboard's login: after a few failures
//! from one address each next try must wait longer (1 s, 2 s, 4 s, ... up
//! to a minute), and at [`LOCK_AFTER`] failures in a row the address is
//! locked out for [`LOCK_SECONDS`]. All addresses together have the same
//! (wider) bounds, so many addresses cannot share the work. Pure: times
//! are passed in, so tests need no clock. A try made too early is refused
//! without looking at the password at all.

use std::collections::HashMap;
use std::net::IpAddr;

/// Failures in a row that cost nothing: typing mistakes.
const FREE_FAILURES: u32 = 2;
/// Failures in a row from one address that lock it out.
pub const LOCK_AFTER: u32 = 10;
pub const LOCK_SECONDS: i64 = 15 * 60;
const LONGEST_WAIT: i64 = 64;
/// All addresses together: failures after which each try waits, and
/// after which everyone is locked out for a while.
const GLOBAL_FREE_FAILURES: u32 = 20;
const GLOBAL_LOCK_AFTER: u32 = 100;
/// A failure is forgotten after this long without another.
const FORGET_SECONDS: i64 = LOCK_SECONDS;
/// Addresses remembered at most: the table stays small whoever knocks.
const MAX_ADDRESSES: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The password may be checked.
    Go,
    /// Not before this many more seconds.
    Wait(i64),
}

#[derive(Debug, Clone, Copy, Default)]
struct Record {
    failures: u32,
    /// Unix seconds of the last failure.
    last: i64,
    /// Unix seconds before which no try is looked at.
    not_before: i64,
}

impl Record {
    fn fresh(&mut self, now: i64) {
        if now - self.last > FORGET_SECONDS && now >= self.not_before {
            *self = Record::default();
        }
    }

    fn verdict(&self, now: i64) -> Verdict {
        if now < self.not_before {
            Verdict::Wait(self.not_before - now)
        } else {
            Verdict::Go
        }
    }
}

#[derive(Debug, Default)]
pub struct Throttle {
    by_address: HashMap<IpAddr, Record>,
    everyone: Record,
}

/// The wait after the `failures`-th failure in a row from one address.
pub fn wait_after(failures: u32) -> i64 {
    if failures >= LOCK_AFTER {
        LOCK_SECONDS
    } else if failures <= FREE_FAILURES {
        0
    } else {
        (1i64 << (failures - FREE_FAILURES - 1).min(6)).min(LONGEST_WAIT)
    }
}

fn global_wait_after(failures: u32) -> i64 {
    if failures >= GLOBAL_LOCK_AFTER {
        LOCK_SECONDS
    } else if failures > GLOBAL_FREE_FAILURES {
        2
    } else {
        0
    }
}

impl Throttle {
    /// Whether a try from `ip` may be looked at now.
    pub fn check(&mut self, ip: IpAddr, now: i64) -> Verdict {
        self.everyone.fresh(now);
        let own = self.by_address.get_mut(&ip).map(|r| {
            r.fresh(now);
            r.verdict(now)
        });
        match (own.unwrap_or(Verdict::Go), self.everyone.verdict(now)) {
            (Verdict::Wait(a), Verdict::Wait(b)) => Verdict::Wait(a.max(b)),
            (Verdict::Wait(a), _) | (_, Verdict::Wait(a)) => Verdict::Wait(a),
            _ => Verdict::Go,
        }
    }

    /// A wrong password from `ip`: returns the seconds before its next try.
    pub fn failed(&mut self, ip: IpAddr, now: i64) -> i64 {
        if self.by_address.len() >= MAX_ADDRESSES && !self.by_address.contains_key(&ip) {
            // The oldest failure goes; the global record still counts it.
            if let Some(oldest) = self
                .by_address
                .iter()
                .min_by_key(|(_, r)| r.last)
                .map(|(a, _)| *a)
            {
                self.by_address.remove(&oldest);
            }
        }
        let own = self.by_address.entry(ip).or_default();
        own.fresh(now);
        own.failures += 1;
        own.last = now;
        own.not_before = now + wait_after(own.failures);
        self.everyone.fresh(now);
        self.everyone.failures += 1;
        self.everyone.last = now;
        self.everyone.not_before = now + global_wait_after(self.everyone.failures);
        own.not_before.max(self.everyone.not_before) - now
    }

    /// The right password from `ip`: its failures are forgiven (others'
    /// still count).
    pub fn succeeded(&mut self, ip: IpAddr) {
        self.by_address.remove(&ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 1));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2));

    #[test]
    fn the_wait_grows_with_each_failure_then_locks_out() {
        let waits: Vec<i64> = (1..=LOCK_AFTER).map(wait_after).collect();
        assert_eq!(waits, [0, 0, 1, 2, 4, 8, 16, 32, 64, LOCK_SECONDS]);
    }

    #[test]
    fn a_try_too_early_is_refused_and_a_success_forgives() {
        let mut t = Throttle::default();
        let mut now = 1_000;
        for expected in [0, 0, 1, 2, 4] {
            assert_eq!(t.check(A, now), Verdict::Go);
            assert_eq!(t.failed(A, now), expected);
            if expected > 0 {
                assert_eq!(t.check(A, now), Verdict::Wait(expected));
                assert_eq!(t.check(B, now), Verdict::Go, "others are not slowed");
            }
            now += expected;
        }
        t.succeeded(A);
        assert_eq!(t.check(A, now), Verdict::Go);
        assert_eq!(t.failed(A, now), 0, "counted from zero again");
    }

    #[test]
    fn a_locked_out_address_gets_one_try_per_lockout_until_it_is_right() {
        let mut t = Throttle::default();
        let mut now = 0;
        for _ in 0..LOCK_AFTER {
            now += t.failed(A, now);
        }
        assert_eq!(t.check(A, now - 1), Verdict::Wait(1));
        assert_eq!(t.check(A, now), Verdict::Go);
        assert_eq!(t.failed(A, now), LOCK_SECONDS, "wrong again: locked again");
        now += LOCK_SECONDS;
        t.succeeded(A);
        assert_eq!(t.failed(A, now), 0, "right once: forgiven");
        // Quiet for a lockout's length after a short wait: forgotten too.
        let mut t = Throttle::default();
        for _ in 0..4 {
            t.failed(B, 0);
        }
        assert_eq!(t.failed(B, FORGET_SECONDS + 1), 0);
    }

    #[test]
    fn many_addresses_together_are_slowed_and_then_locked_out() {
        let mut t = Throttle::default();
        let mut now = 0;
        let ip = |n: u32| IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + n));
        for n in 0..GLOBAL_FREE_FAILURES {
            assert_eq!(t.failed(ip(n), now), 0);
        }
        assert_eq!(t.failed(ip(1000), now), 2);
        assert_eq!(
            t.check(ip(2000), now),
            Verdict::Wait(2),
            "a fresh address too"
        );
        for n in GLOBAL_FREE_FAILURES + 1..GLOBAL_LOCK_AFTER {
            now += 2;
            assert_eq!(t.check(ip(n), now), Verdict::Go);
            t.failed(ip(n), now);
        }
        assert_eq!(t.check(ip(5000), now), Verdict::Wait(LOCK_SECONDS));
    }
}
