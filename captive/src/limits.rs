//! Limits that keep one visitor from spoiling the Wi-Fi for others: the
//! portal's own settings, and rate limits per address on joining and on
//! voucher attempts (so codes cannot be guessed), and per device on moving
//! a session to a new address (each move reads the lease file, writes the
//! database and runs `nft` twice, under the lock every join waits for);
//! on survey answers, complaints (per address and for the whole portal, so
//! a flood cannot bury the region's inbox) and complaint look-ups (so
//! references cannot be tried in bulk).

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The portal's limits (`[captive] max_visitors` and `daily_minutes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortalLimits {
    /// Most visitors joined at once.
    pub max_visitors: usize,
    /// Internet time per visitor per day, minutes.
    pub daily_minutes: u32,
}

impl Default for PortalLimits {
    fn default() -> Self {
        PortalLimits {
            max_visitors: 250, // also the default of [captive] max_visitors
            daily_minutes: 240,
        }
    }
}

/// Largest form the portal reads (a join form is under 200 bytes, a
/// survey under 400).
pub const MAX_BODY_BYTES: usize = 4 * 1024;
/// Largest complaint form: its text at its longest
/// (`anjungan::voice::complaint::MAX_TEXT`), every character non-ASCII and
/// percent-encoded (up to 12 bytes each), with room for the other fields.
pub const MAX_COMPLAINT_BODY_BYTES: usize = 28 * 1024;
/// Largest request head (request line and headers). hyper's smallest buffer.
pub const MAX_HEAD_BYTES: usize = 8 * 1024;
pub const MAX_HEADERS: usize = 48;
/// A client that has not sent its headers by then is dropped (slow-loris);
/// so is a kept-alive connection that sends no new request for as long.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// A request the portal has not answered by then gets a 503.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections one client address may hold open to the portal: only a
/// visitor not yet joined (and stray probes) talk to it, and a browser
/// opens at most 6 per host; more are closed as soon as accepted.
pub const MAX_CONNECTIONS_PER_ADDRESS: usize = 16;
/// The guest subnet the caps are made for, at its largest: a /24 (the
/// shipped one is 10.42.0.0/24). `preflight` warns about a larger one.
pub const LARGEST_GUEST_PREFIX: u8 = 24;
/// Connections served at once; more wait to be accepted. Every address of
/// the guest subnet with its whole share fits (16 x 256 = 4096), so one
/// guest holding many addresses cannot fill it for the others.
pub const MAX_CONNECTIONS: usize = MAX_CONNECTIONS_PER_ADDRESS << (32 - LARGEST_GUEST_PREFIX);

/// A joined device moves its session to a new address at most once in
/// this time; a phone that roams or renews its lease needs far less.
pub const MOVE_EVERY: Duration = Duration::from_secs(30);

/// Survey answers per address: a few at once (a family on one phone), then
/// one a minute. One per device per service per day is the domain's rule.
pub fn survey_limiter() -> RateLimiter {
    RateLimiter::new(5, Duration::from_secs(60))
}

/// Complaints per address: three at once, then one in ten minutes.
pub fn complaint_limiter() -> RateLimiter {
    RateLimiter::new(3, Duration::from_secs(10 * 60))
}

/// Complaints from the whole guest network: thirty at once, then one a
/// minute; far above what a public hotspot sees, far below a flood.
pub fn all_complaints_limiter() -> RateLimiter<()> {
    RateLimiter::new(30, Duration::from_secs(60))
}

/// Complaint look-ups per address: enough for a visitor checking a few
/// references, far too few to try references in bulk.
pub fn lookup_limiter() -> RateLimiter {
    RateLimiter::new(10, Duration::from_secs(30))
}

/// A token bucket per key (a client address, a MAC): `burst` attempts at
/// once, then one every `every`. Bounded: when full, the buckets that are
/// full again are dropped.
pub struct RateLimiter<K = IpAddr> {
    burst: u32,
    every: Duration,
    buckets: Mutex<HashMap<K, Bucket>>,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

const MAX_TRACKED: usize = 4096;

impl<K: Hash + Eq + Copy> RateLimiter<K> {
    pub fn new(burst: u32, every: Duration) -> RateLimiter<K> {
        RateLimiter {
            burst,
            every,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one attempt for `key` at `now`; false when it has none left.
    pub fn allow(&self, key: K, now: Instant) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let burst = f64::from(self.burst);
        let refill = |b: &Bucket| {
            let gained =
                now.saturating_duration_since(b.at).as_secs_f64() / self.every.as_secs_f64();
            (b.tokens + gained).min(burst)
        };
        if buckets.len() >= MAX_TRACKED && !buckets.contains_key(&key) {
            // Forget the buckets that are full again: they hold no memory
            // of abuse.
            buckets.retain(|_, b| refill(b) < burst);
            if buckets.len() >= MAX_TRACKED {
                return false;
            }
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let tokens = refill(bucket);
        let allowed = tokens >= 1.0;
        *bucket = Bucket {
            tokens: if allowed { tokens - 1.0 } else { tokens },
            at: now,
        };
        allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_guest_address_s_share_fits_under_the_global_cap() {
        let guest_addresses = 1usize << (32 - LARGEST_GUEST_PREFIX);
        assert!(MAX_CONNECTIONS_PER_ADDRESS * guest_addresses <= MAX_CONNECTIONS);
    }

    #[test]
    fn a_burst_then_one_per_period() {
        let limiter = RateLimiter::new(3, Duration::from_secs(10));
        let ip: IpAddr = "10.42.0.100".parse().unwrap();
        let other: IpAddr = "10.42.0.101".parse().unwrap();
        let t0 = Instant::now();
        assert!((0..3).all(|_| limiter.allow(ip, t0)));
        assert!(!limiter.allow(ip, t0));
        assert!(limiter.allow(other, t0), "another visitor is not affected");
        assert!(!limiter.allow(ip, t0 + Duration::from_secs(9)));
        assert!(limiter.allow(ip, t0 + Duration::from_secs(20)));
    }
}
