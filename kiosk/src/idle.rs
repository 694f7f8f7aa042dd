//! The idle reset's clock. It counts seconds without a touch (ticked once a
//! second by the app's timer, so tests drive it with Slint's mocked time)
//! and says when to show the countdown and when to reset.

/// At most this many seconds of visible countdown before a reset.
pub const COUNTDOWN_SECONDS: u32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Active,
    /// Seconds left before the reset, shown to the citizen.
    Countdown(u32),
    /// Time is up: reset now.
    Expired,
}

#[derive(Debug, Clone)]
pub struct IdleClock {
    timeout: u32,
    idle: u32,
}

impl IdleClock {
    /// `timeout` is `idle_reset_seconds` from the configuration (10 to 3600).
    pub fn new(timeout: u32) -> IdleClock {
        IdleClock {
            timeout: timeout.max(1),
            idle: 0,
        }
    }

    /// The countdown is the last tenth-to-third of the wait, at most
    /// [`COUNTDOWN_SECONDS`]: long enough to notice, short enough not to nag.
    fn countdown_length(&self) -> u32 {
        (self.timeout / 3).clamp(1, COUNTDOWN_SECONDS)
    }

    pub fn touch(&mut self) {
        self.idle = 0;
    }

    /// One second passed without a touch.
    pub fn tick(&mut self) -> Phase {
        self.idle = self.idle.saturating_add(1);
        self.phase()
    }

    pub fn phase(&self) -> Phase {
        if self.idle >= self.timeout {
            Phase::Expired
        } else if self.idle + self.countdown_length() >= self.timeout {
            Phase::Countdown(self.timeout - self.idle)
        } else {
            Phase::Active
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_down_then_expires() {
        let mut clock = IdleClock::new(90);
        let phases: Vec<Phase> = (0..90).map(|_| clock.tick()).collect();
        assert_eq!(phases[78], Phase::Active);
        assert_eq!(phases[79], Phase::Countdown(10));
        assert_eq!(phases[88], Phase::Countdown(1));
        assert_eq!(phases[89], Phase::Expired);
    }

    #[test]
    fn a_touch_starts_over() {
        let mut clock = IdleClock::new(30);
        for _ in 0..25 {
            clock.tick();
        }
        assert_eq!(clock.phase(), Phase::Countdown(5));
        clock.touch();
        assert_eq!(clock.phase(), Phase::Active);
    }

    #[test]
    fn short_timeouts_keep_a_short_countdown() {
        let mut clock = IdleClock::new(10);
        let phases: Vec<Phase> = (0..10).map(|_| clock.tick()).collect();
        assert_eq!(phases[5], Phase::Active);
        assert_eq!(phases[6], Phase::Countdown(3));
        assert_eq!(phases[9], Phase::Expired);
    }
}
