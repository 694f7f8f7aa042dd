//! A stand-in between device and hub that misbehaves on demand: answers
//! 500 itself, hangs, or passes the request to the hub and drops the
//! connection before the answer comes back (the hub stored the batch, the
//! device never hears so).

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Pass,
    Answer500,
    Hang,
    DropAfterForward,
}

pub struct Proxy {
    pub addr: SocketAddr,
    mode: Arc<Mutex<Mode>>,
    wire: Arc<Wire>,
}

/// Bytes that crossed the proxy (head and body), each way.
#[derive(Default)]
struct Wire {
    up: AtomicU64,
    down: AtomicU64,
}

impl Proxy {
    pub fn start(hub: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mode = Arc::new(Mutex::new(Mode::Pass));
        let wire = Arc::new(Wire::default());
        let (shared, counted) = (mode.clone(), wire.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (mode, wire) = (shared.clone(), counted.clone());
                std::thread::spawn(move || serve(client, hub, &mode, &wire));
            }
        });
        Proxy { addr, mode, wire }
    }

    /// Bytes of HTTP passed so far: (device to hub, hub to device).
    pub fn bytes(&self) -> (u64, u64) {
        (
            self.wire.up.load(Ordering::Relaxed),
            self.wire.down.load(Ordering::Relaxed),
        )
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }
}

/// One client connection: request after request while the mode passes.
fn serve(client: TcpStream, hub: SocketAddr, mode: &Mutex<Mode>, wire: &Wire) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut client = client;
    let mut upstream: Option<(TcpStream, BufReader<TcpStream>)> = None;
    while let Some(request) = read_message(&mut reader) {
        let mode = *mode.lock().unwrap();
        match mode {
            Mode::Answer500 => {
                let _ = client.write_all(
                    b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 4\r\nconnection: close\r\n\r\noops",
                );
                return;
            }
            Mode::Hang => {
                std::thread::sleep(Duration::from_secs(30));
                return;
            }
            Mode::Pass | Mode::DropAfterForward => {
                let (up, up_reader) = upstream.get_or_insert_with(|| {
                    let s = TcpStream::connect(hub).unwrap();
                    let r = BufReader::new(s.try_clone().unwrap());
                    (s, r)
                });
                up.write_all(&request).unwrap();
                wire.up.fetch_add(request.len() as u64, Ordering::Relaxed);
                let Some(answer) = read_message(up_reader) else {
                    return;
                };
                wire.down.fetch_add(answer.len() as u64, Ordering::Relaxed);
                if mode == Mode::DropAfterForward {
                    return;
                }
                if client.write_all(&answer).is_err() {
                    return;
                }
            }
        }
    }
}

/// One HTTP/1.1 message with a `content-length` body (what reqwest sends
/// and axum answers), or `None` at the end of the connection.
fn read_message(reader: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut message = Vec::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
        message.extend_from_slice(line.as_bytes());
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    message.extend_from_slice(&body);
    Some(message)
}
