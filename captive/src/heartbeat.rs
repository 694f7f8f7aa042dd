//! systemd's watchdog for the portal: a ping from a task on the tokio
//! runtime that serves the visitors, sent only when the database answers,
//! so a stuck runtime or a database that no longer answers gets the portal
//! restarted (`WatchdogSec=` in anjungan-captive.service). The firewall
//! keeps every joined visitor through the restart.

use anjungan::config::Config;
use anjungan::store::Store;
use anjungan::systemd;

/// Pings for as long as the portal runs; returns at once when the unit has
/// no watchdog (a terminal, the tests).
pub async fn beat(config: Config) {
    let Some(every) = systemd::watchdog_interval() else {
        return;
    };
    let mut store = None;
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        // SQLite blocks: off the runtime's workers, like every other query.
        let config = config.clone();
        let looked = tokio::task::spawn_blocking(move || {
            let store = match store.take() {
                Some(store) => store,
                None => Store::open_for(&config)?,
            };
            store.answers().map(|()| store)
        })
        .await;
        match looked {
            Ok(Ok(answered)) => {
                store = Some(answered);
                if let Err(e) = systemd::alive() {
                    tracing::warn!(error = %e, "cannot ping systemd's watchdog");
                }
            }
            Ok(Err(e)) => {
                // Opened afresh next time: the file may have been replaced.
                store = None;
                tracing::warn!(
                    error = %e,
                    "the database does not answer; no watchdog ping, systemd restarts the portal if this lasts"
                );
            }
            Err(_) => store = None,
        }
    }
}
