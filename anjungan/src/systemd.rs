//! Telling systemd how a service is doing (`sd_notify`): ready once it
//! really serves (`Type=notify` keeps it "activating" until then), and
//! alive, from the loop that would hang, as often as the unit's
//! `WatchdogSec=` asks. Outside systemd (a terminal, the tests) nothing is
//! sent and there is no watchdog.

use std::time::Duration;

use sd_notify::NotifyState;

/// Tells systemd the service is ready.
pub fn ready() -> std::io::Result<()> {
    sd_notify::notify(&[NotifyState::Ready])
}

/// The watchdog's ping: the service is alive.
pub fn alive() -> std::io::Result<()> {
    sd_notify::notify(&[NotifyState::Watchdog])
}

/// How often to ping, when the unit has a watchdog.
pub fn watchdog_interval() -> Option<Duration> {
    sd_notify::watchdog_enabled().map(ping_interval)
}

/// Half the timeout, as sd_watchdog_enabled(3) advises: one late ping (a
/// busy moment) is not yet a restart.
fn ping_interval(timeout: Duration) -> Duration {
    timeout / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pings_twice_per_timeout() {
        assert_eq!(
            ping_interval(Duration::from_secs(10)),
            Duration::from_secs(5)
        );
    }
}
