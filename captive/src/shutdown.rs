//! Stopping: SIGTERM (what systemd sends) and Ctrl-C end the portal
//! gracefully. The firewall is left as it is, so joined visitors keep the
//! internet while the portal is down or restarting.

/// Completes when the process is asked to stop.
pub async fn signalled() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("stopping; the firewall keeps the joined visitors");
}
