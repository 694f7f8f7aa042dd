//! systemd's view of the kiosk (`Type=notify`, `WatchdogSec=` in
//! anjungan-kiosk.service): ready once the first frame is on the screen,
//! and alive for as long as the UI thread turns. The ping is a Slint timer
//! on that thread, so a UI thread that hangs (or a kiosk stopped with
//! SIGSTOP) misses it and systemd restarts the kiosk.

use std::time::Duration;

use anjungan::systemd;
use slint::{Timer, TimerMode};

/// Keeps the watchdog's timer running; dropped when the event loop ends.
pub struct Supervision {
    _ping: Option<Timer>,
}

/// Schedules READY=1 for after the first frame and starts the watchdog's
/// pings. Call just before running the event loop.
pub fn start() -> Supervision {
    // Each turn of Slint's loop runs the timers that are due, then draws.
    // A timer started by a timer is due on the next turn only, after the
    // first turn has drawn the first frame (the software renderer has no
    // rendering notifier to say so directly).
    Timer::single_shot(Duration::ZERO, || {
        Timer::single_shot(Duration::ZERO, || {
            if let Err(e) = systemd::ready() {
                eprintln!("anjungan-kiosk: cannot tell systemd the kiosk is ready: {e}");
            }
        });
    });
    let ping = systemd::watchdog_interval().map(|every| {
        let timer = Timer::default();
        timer.start(TimerMode::Repeated, every, || {
            if let Err(e) = systemd::alive() {
                eprintln!("anjungan-kiosk: cannot ping systemd's watchdog: {e}");
            }
        });
        timer
    });
    Supervision { _ping: ping }
}
