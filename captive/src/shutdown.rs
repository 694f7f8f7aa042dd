//! Stopping: SIGTERM (what systemd sends) and Ctrl-C end the portal
//! gracefully. The firewall is left as it is, so joined visitors keep the
//! internet while the portal is down or restarting.

use tokio::signal::unix::{Signal, SignalKind, signal};

/// The stop signals, caught from the moment this is made: the portal makes
/// it first thing, so a SIGTERM while it waits for its radio or loads its
/// catalog ends it cleanly instead of killing it.
pub struct Stop {
    term: Option<Signal>,
    interrupt: Option<Signal>,
}

impl Stop {
    pub fn listen() -> Stop {
        Stop {
            term: signal(SignalKind::terminate()).ok(),
            interrupt: signal(SignalKind::interrupt()).ok(),
        }
    }

    /// Completes when the process is asked to stop.
    pub async fn requested(&mut self) {
        async fn next(s: &mut Option<Signal>) {
            match s {
                Some(s) => {
                    s.recv().await;
                }
                // Not caught: the signal's default action ends the process.
                None => std::future::pending::<()>().await,
            }
        }
        tokio::select! {
            () = next(&mut self.term) => {},
            () = next(&mut self.interrupt) => {},
        }
        tracing::info!("stopping; the firewall keeps the joined visitors");
    }
}
