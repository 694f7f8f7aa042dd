//! Keeps the portal's table in the kernel: Debian's `nftables.service`
//! flushes the whole ruleset when it starts, and a technician may too. Every
//! `EVERY` the gate is asked whether its table is still what it installed
//! (one `nft -t list table`, a few milliseconds); if not, it is put back from
//! the database, with a warning in the log.

use std::sync::Arc;
use std::time::Duration;

use anjungan::wifi::session;

use crate::Result;
use crate::portal::Portal;

pub const EVERY: Duration = Duration::from_secs(2);

/// Runs until aborted.
pub async fn watch(portal: Arc<Portal>) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let portal = portal.clone();
        let _ = tokio::task::spawn_blocking(move || check(&portal)).await;
    }
}

/// One look, and a new table if it drifted. Blocking.
pub fn check(portal: &Portal) {
    let Some(reason) = portal.gate.drift() else {
        return;
    };
    tracing::warn!(
        reason,
        "the portal's nftables table is not as installed; putting it back from the database (see the README on nftables.service)"
    );
    // No join between reading the sessions and replacing the table, or its
    // visitor would be left out.
    let _no_joins = portal.join_lock.lock().unwrap_or_else(|e| e.into_inner());
    match put_back(portal) {
        Ok(visitors) => tracing::info!(visitors, "the portal's table is back"),
        Err(e) => tracing::error!(error = %e, "cannot put the portal's table back; trying again"),
    }
}

/// The whole table installed again from the database's live sessions;
/// their number. Call with `join_lock` held, so that no join falls between
/// reading the sessions and replacing the table. Blocking.
pub fn put_back(portal: &Portal) -> Result<usize> {
    let now = portal.now();
    let live = portal
        .sessions
        .with_store(|store| session::live(store, now))?;
    portal.gate.install(&live, now)?;
    Ok(live.len())
}
