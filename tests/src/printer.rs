//! A test printer on loopback (TCP port 9100 style) that answers ESC/POS
//! real-time status requests (DLE EOT) for the mode it is put in and
//! records every other byte: the kiosk's and the command line's printing
//! are tested against it.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use anjungan::config::Printer;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Ready,
    PaperOut,
    /// Takes 20 bytes of a job, then closes the connection.
    DropMidJob,
    /// Accepts the connection and never answers.
    Silent,
}

/// A test printer on loopback: answers DLE EOT with status bytes for its
/// mode and records every other byte it receives.
pub struct TestPrinter {
    port: u16,
    mode: Arc<Mutex<Mode>>,
    received: Arc<Mutex<Vec<u8>>>,
}

impl TestPrinter {
    pub fn start(mode: Mode) -> TestPrinter {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(Mutex::new(mode));
        let received = Arc::new(Mutex::new(Vec::new()));
        let (m, r) = (mode.clone(), received.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mode = *m.lock().unwrap();
                let r = r.clone();
                std::thread::spawn(move || serve(&mut stream, mode, &r));
            }
        });
        TestPrinter {
            port,
            mode,
            received,
        }
    }

    /// `[kiosk] printer` for this printer.
    pub fn config_value(&self) -> String {
        format!("tcp:127.0.0.1:{}", self.port)
    }

    pub fn printer(&self) -> Printer {
        Printer::Tcp {
            host: "127.0.0.1".into(),
            port: self.port,
        }
    }

    pub fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    pub fn received(&self) -> Vec<u8> {
        self.received.lock().unwrap().clone()
    }
}

fn serve(stream: &mut std::net::TcpStream, mode: Mode, received: &Mutex<Vec<u8>>) {
    let mut job_bytes = 0usize;
    let mut buf = [0u8; 1];
    let mut pending = Vec::new();
    while let Ok(1) = stream.read(&mut buf) {
        pending.push(buf[0]);
        if pending.starts_with(&[0x10, 0x04]) {
            if pending.len() < 3 {
                continue;
            }
            let n = pending[2];
            pending.clear();
            let answer = match (mode, n) {
                (Mode::Silent, _) => continue,
                (Mode::PaperOut, 2) => 0x32,
                (Mode::PaperOut, 4) => 0x72,
                (Mode::PaperOut, 1) => 0x1a,
                _ => 0x12,
            };
            if stream.write_all(&[answer]).is_err() {
                return;
            }
            continue;
        }
        if pending.len() == 1 && pending[0] == 0x10 {
            continue;
        }
        received.lock().unwrap().append(&mut pending);
        job_bytes += 1;
        if mode == Mode::DropMidJob && job_bytes > 20 {
            return;
        }
    }
}
