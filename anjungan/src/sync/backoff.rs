//! When to try again: the interval after a success, a doubling wait after
//! failures in a row, each with a random part so that a hundred devices
//! started together (or refused together by a hub that was down) spread
//! out instead of coming back in the same second.

use std::time::Duration;

/// The longest wait after failures: a region's server that comes back is
/// tried by every device within four hours.
pub const MAX_WAIT: Duration = Duration::from_secs(4 * 60 * 60);

/// How long to wait before the next try, after `failures` failures in a row
/// (0: the last try succeeded), with runs every `interval`. `unit` is a
/// random number in [0, 1).
///
/// After a success: the interval, give or take a tenth. After `n` failures:
/// `interval × 2^(n-1)` capped at [`MAX_WAIT`], of which the first half is
/// certain and the second half random ("equal jitter"), so the wait still
/// grows with every failure and no two devices keep the same rhythm.
pub fn wait(failures: u32, interval: Duration, unit: f64) -> Duration {
    let unit = unit.clamp(0.0, 1.0);
    if failures == 0 {
        return interval.mul_f64(0.9 + 0.2 * unit);
    }
    let doubled = interval.saturating_mul(1u32 << (failures - 1).min(20));
    let full = doubled.min(MAX_WAIT.max(interval));
    full / 2 + (full / 2).mul_f64(unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIVE_MINUTES: Duration = Duration::from_secs(300);

    #[test]
    fn a_success_waits_the_interval_give_or_take_a_tenth() {
        assert_eq!(wait(0, FIVE_MINUTES, 0.0), Duration::from_secs(270));
        assert_eq!(wait(0, FIVE_MINUTES, 0.5), FIVE_MINUTES);
        assert!(wait(0, FIVE_MINUTES, 0.999_999) <= Duration::from_secs(330));
    }

    #[test]
    fn failures_double_the_wait_up_to_the_cap() {
        let most = |n| wait(n, FIVE_MINUTES, 1.0);
        let least = |n| wait(n, FIVE_MINUTES, 0.0);
        assert_eq!(most(1), FIVE_MINUTES);
        assert_eq!(least(1), FIVE_MINUTES / 2);
        assert_eq!(most(2), FIVE_MINUTES * 2);
        assert_eq!(most(3), FIVE_MINUTES * 4);
        // Even the shortest wait after n failures is longer than the
        // shortest after n - 1, until the cap.
        for n in 2..=6 {
            assert!(least(n) > least(n - 1), "{n}");
        }
        assert_eq!(most(7), MAX_WAIT);
        assert_eq!(most(1000), MAX_WAIT);
        assert_eq!(least(1000), MAX_WAIT / 2);
    }

    #[test]
    fn an_interval_longer_than_the_cap_is_kept() {
        let day = Duration::from_secs(86_400);
        assert_eq!(wait(5, day, 1.0), day);
    }

    #[test]
    fn devices_spread_out() {
        // A hundred devices failing together: their next tries spread over
        // half the wait instead of landing in one second.
        let tries: std::collections::BTreeSet<u64> = (0..100)
            .map(|i| wait(3, FIVE_MINUTES, f64::from(i) / 100.0).as_secs())
            .collect();
        assert!(tries.len() > 90, "{}", tries.len());
    }
}
