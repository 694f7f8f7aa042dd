//! Asking the RADIUS servers: one request to the first server (the one
//! that answered last), sent again on silence, then the same to the next. Bounded so that a visitor
//! waits a few seconds at most: `TRIES` × `WAIT` per server. Blocking (a
//! UDP socket with a read timeout): called from blocking tasks.

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::Secret;
use super::packet::{self, MAX_PACKET, Packet};

/// How long one try waits for an answer.
pub const WAIT: Duration = Duration::from_millis(1_000);
/// Tries per server: the first and one more (UDP loses packets).
pub const TRIES: u32 = 2;

/// The servers, in the order they are asked.
#[derive(Debug)]
pub struct Servers {
    pub addresses: Vec<SocketAddr>,
    pub wait: Duration,
    pub tries: u32,
    /// The server that answered last is asked first: with the first one
    /// down, every request would otherwise wait for it.
    answered: AtomicUsize,
}

impl Servers {
    pub fn new(addresses: Vec<SocketAddr>) -> Servers {
        Servers {
            addresses,
            wait: WAIT,
            tries: TRIES,
            answered: AtomicUsize::new(0),
        }
    }

    /// Sends the request `make` builds (given an id and a fresh random
    /// authenticator, it returns the bytes and the authenticator answers
    /// are checked against) to each server in turn at `port_offset` from
    /// its port (0: authentication, 1: accounting); the first checked
    /// answer. `None` when no server answered.
    pub fn ask(
        &self,
        port_offset: u16,
        secret: &Secret,
        make: &dyn Fn(u8, [u8; 16]) -> (Vec<u8>, [u8; 16]),
    ) -> Option<(SocketAddr, Packet)> {
        let first = self.answered.load(Ordering::Relaxed);
        let n = self.addresses.len();
        for index in (0..n).map(|i| (first + i) % n) {
            let server = self.addresses[index];
            let to = SocketAddr::new(server.ip(), server.port().wrapping_add(port_offset));
            match self.ask_one(to, secret, make) {
                Ok(Some(answer)) => {
                    self.answered.store(index, Ordering::Relaxed);
                    return Some((to, answer));
                }
                Ok(None) => {
                    tracing::warn!(server = %to, "RADIUS server did not answer; trying the next")
                }
                Err(e) => {
                    tracing::warn!(server = %to, error = %e, "cannot reach the RADIUS server; trying the next")
                }
            }
        }
        None
    }

    fn ask_one(
        &self,
        to: SocketAddr,
        secret: &Secret,
        make: &dyn Fn(u8, [u8; 16]) -> (Vec<u8>, [u8; 16]),
    ) -> std::io::Result<Option<Packet>> {
        let local: SocketAddr = if to.is_ipv4() {
            "0.0.0.0:0".parse().expect("an address")
        } else {
            "[::]:0".parse().expect("an address")
        };
        let socket = UdpSocket::bind(local)?;
        socket.connect(to)?;
        let mut random = [0u8; 17];
        getrandom::fill(&mut random).map_err(|e| std::io::Error::other(e.to_string()))?;
        let id = random[0];
        let mut authenticator = [0; 16];
        authenticator.copy_from_slice(&random[1..]);
        // The same packet on every try, so the server can tell a
        // retransmission from a new request.
        let (bytes, expect) = make(id, authenticator);
        let mut buf = [0u8; MAX_PACKET];
        for _ in 0..self.tries {
            socket.send(&bytes)?;
            let deadline = Instant::now() + self.wait;
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                socket.set_read_timeout(Some(left))?;
                match socket.recv(&mut buf) {
                    Ok(n) => match packet::check_answer(&buf[..n], id, &expect, secret.bytes()) {
                        Some(answer) => return Ok(Some(answer)),
                        None => {
                            tracing::warn!(server = %to, "an answer failed the RADIUS checks (wrong secret, or forged); ignored")
                        }
                    },
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) => {}
                    // Nothing listens there (ICMP port unreachable): that
                    // server is down, no use waiting for it.
                    Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                        return Ok(None);
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(None)
    }
}
