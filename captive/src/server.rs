//! Serving connections with bounds a public network needs: small request
//! heads, a deadline for sending them (which also closes a kept-alive
//! connection idle that long: hyper starts the deadline again after every
//! answer), a cap on connections in all and per client address, so that one
//! guest opening thousands leaves the portal answering everyone else;
//! HTTP/1.1 only (no browser speaks anything else to a plain-HTTP portal).
//! Bytes that are not HTTP (a TLS handshake on port 80) close the
//! connection. With an acceptor (`serve_with`), the same loop serves
//! HTTPS: the handshake gets the header deadline too, so a connection that
//! never finishes one holds its share no longer than a silent one.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::clock::Clock;
use crate::intercept::ConnectedAt;
use crate::limits::{
    HEADER_TIMEOUT, MAX_CONNECTIONS, MAX_CONNECTIONS_PER_ADDRESS, MAX_HEAD_BYTES, MAX_HEADERS,
};

/// Serves `app` on `listener` until `shutdown` completes, then gives open
/// connections a moment to finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    clock: Clock,
    shutdown: impl Future<Output = ()>,
) {
    serve_with(listener, None, app, clock, shutdown).await;
}

/// `serve`, over TLS when `tls` is given.
pub async fn serve_with(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    app: Router,
    clock: Clock,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let per_address = PerAddress::new(MAX_CONNECTIONS_PER_ADDRESS);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            () = &mut shutdown => break,
            p = permits.clone().acquire_owned() => p.expect("the semaphore is never closed"),
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        // Over its address's share: closed at once, so the guest's next
        // connection gets no further and the others' are accepted.
        let Some(share) = per_address.take(peer.ip()) else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let connected_at = ConnectedAt(clock.now());
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request
                .extensions_mut()
                .insert(ConnectInfo::<SocketAddr>(peer));
            request.extensions_mut().insert(connected_at);
            app.clone().oneshot(request.map(axum::body::Body::new))
        });
        let mut http = http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .max_buf_size(MAX_HEAD_BYTES)
            .max_headers(MAX_HEADERS);
        let watcher = graceful.watcher();
        let tls = tls.clone();
        tokio::spawn(async move {
            // A malformed request (or handshake) ends its own connection,
            // nothing else.
            match tls {
                None => {
                    let connection = http.serve_connection(TokioIo::new(stream), service);
                    let _ = watcher.watch(connection).await;
                }
                Some(tls) => {
                    if let Ok(Ok(stream)) =
                        tokio::time::timeout(HEADER_TIMEOUT, tls.accept(stream)).await
                    {
                        let connection = http.serve_connection(TokioIo::new(stream), service);
                        let _ = watcher.watch(connection).await;
                    }
                }
            }
            drop((permit, share));
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(3), graceful.shutdown()).await;
}

/// Open connections per client address.
struct PerAddress {
    most: usize,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One connection of an address; given back when dropped.
struct Share {
    ip: IpAddr,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl PerAddress {
    fn new(most: usize) -> PerAddress {
        PerAddress {
            most,
            open: Arc::default(),
        }
    }

    fn take(&self, ip: IpAddr) -> Option<Share> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(ip).or_insert(0);
        if *n >= self.most {
            return None;
        }
        *n += 1;
        Some(Share {
            ip,
            open: self.open.clone(),
        })
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_has_its_own_share_given_back_on_close() {
        let limit = PerAddress::new(2);
        let (a, b): (IpAddr, IpAddr) = (
            "10.42.0.100".parse().unwrap(),
            "10.42.0.101".parse().unwrap(),
        );
        let first = limit.take(a).unwrap();
        let _second = limit.take(a).unwrap();
        assert!(limit.take(a).is_none(), "a's share is used up");
        assert!(limit.take(b).is_some(), "b is not affected");
        drop(first);
        assert!(limit.take(a).is_some(), "a closed one");
    }
}
