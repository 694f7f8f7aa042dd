//! The portal's one clock, in Unix seconds: the system's, or one a test
//! sets. Every "now" of the daemon (sessions, joining, CSRF forms, when a
//! connection was accepted) is read from the `Clock` in the portal's state.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Cheap to clone: clones read the same clock.
#[derive(Debug, Clone)]
pub struct Clock(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    /// True: `seconds` is the time itself; false: an offset to the system
    /// clock (zero unless a test moved it).
    fixed: bool,
    seconds: AtomicI64,
}

impl Clock {
    /// The system's clock.
    pub fn system() -> Clock {
        Clock(Arc::new(Inner {
            fixed: false,
            seconds: AtomicI64::new(0),
        }))
    }

    /// A clock standing at `at` until it is moved.
    pub fn fixed(at: i64) -> Clock {
        Clock(Arc::new(Inner {
            fixed: true,
            seconds: AtomicI64::new(at),
        }))
    }

    pub fn now(&self) -> i64 {
        let seconds = self.0.seconds.load(Ordering::Relaxed);
        if self.0.fixed {
            seconds
        } else {
            system_seconds() + seconds
        }
    }

    /// Moves the clock forward (or back, with a negative number).
    pub fn advance(&self, seconds: i64) {
        self.0.seconds.fetch_add(seconds, Ordering::Relaxed);
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

fn system_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_moves_only_when_told_and_clones_share_it() {
        let clock = Clock::fixed(1_000);
        let same = clock.clone();
        assert_eq!(clock.now(), 1_000);
        same.advance(60);
        assert_eq!(clock.now(), 1_060);
    }

    #[test]
    fn the_system_clock_can_be_moved_too() {
        let clock = Clock::system();
        let before = clock.now();
        clock.advance(3_600);
        assert!(clock.now() >= before + 3_600);
        assert!(before > 1_700_000_000, "a clock after 2023");
    }
}
