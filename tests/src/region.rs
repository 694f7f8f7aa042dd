//! A pretend region's web server for `anjungan sync`: real HTTP/1.1 on the
//! loopback, in the test process, answering each path as the test says
//! (a file with its ETag, an error status, a body cut short, no answer at
//! all), and counting the requests and the bytes on the wire.
//!
//! Hand-written on `std::net` rather than a web framework, because the
//! faults it plays (a Content-Length it does not keep, a connection held
//! open without a word) are what frameworks are written to prevent.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the server answers one path.
#[derive(Debug, Clone)]
pub enum Answer {
    /// 200 with the body; with an ETag, a matching `If-None-Match` gets 304.
    File { body: Vec<u8>, etag: Option<String> },
    /// This status, with a short body.
    Status(u16),
    /// Announces the whole body's length, sends its first half, and
    /// closes the connection.
    CutShort(Vec<u8>),
    /// Reads the request and says nothing for this long, then closes.
    Silent(Duration),
}

/// One request the server got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub path: String,
    pub if_none_match: Option<String>,
}

#[derive(Default)]
struct State {
    answers: HashMap<String, Answer>,
    requests: Vec<Request>,
    bytes_in: u64,
    bytes_out: u64,
}

/// The server; it runs until the test process ends.
#[derive(Clone)]
pub struct Region {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl Region {
    pub fn start() -> Region {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let addr = listener.local_addr().expect("its address");
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                std::thread::spawn(move || serve(stream, &state));
            }
        });
        Region { addr, state }
    }

    /// `http://127.0.0.1:PORT/path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn answer(&self, path: &str, answer: Answer) {
        self.lock().answers.insert(path.to_owned(), answer);
    }

    /// The requests so far, oldest first.
    pub fn requests(&self) -> Vec<Request> {
        self.lock().requests.clone()
    }

    /// Bytes received and sent so far (heads and bodies).
    pub fn bytes(&self) -> (u64, u64) {
        let s = self.lock();
        (s.bytes_in, s.bytes_out)
    }

    /// Forgets the requests and bytes counted so far.
    pub fn reset_counts(&self) {
        let mut s = self.lock();
        s.requests.clear();
        s.bytes_in = 0;
        s.bytes_out = 0;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn serve(mut stream: TcpStream, state: &Mutex<State>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.lines();
    let path = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("/")
        .to_owned();
    let if_none_match = lines.find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("if-none-match")
            .then(|| value.trim().to_owned())
    });
    let answer = {
        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
        s.bytes_in += head.len() as u64;
        s.requests.push(Request {
            path: path.clone(),
            if_none_match: if_none_match.clone(),
        });
        s.answers.get(&path).cloned()
    };
    let reply: Vec<u8> = match answer {
        None => response(404, "Not Found", &[], b"not found\n", None),
        Some(Answer::Status(code)) => response(code, "Error", &[], b"error\n", None),
        Some(Answer::File { body, etag }) => match etag {
            Some(tag) if if_none_match.as_deref() == Some(tag.as_str()) => {
                response(304, "Not Modified", &[("ETag", &tag)], b"", None)
            }
            Some(tag) => response(200, "OK", &[("ETag", &tag)], &body, None),
            None => response(200, "OK", &[], &body, None),
        },
        Some(Answer::CutShort(body)) => {
            response(200, "OK", &[], &body[..body.len() / 2], Some(body.len()))
        }
        Some(Answer::Silent(how_long)) => {
            std::thread::sleep(how_long);
            Vec::new()
        }
    };
    if stream.write_all(&reply).is_ok() {
        state.lock().unwrap_or_else(|e| e.into_inner()).bytes_out += reply.len() as u64;
    }
    let _ = stream.flush();
}

/// A whole response; `length` overrides the Content-Length announced.
fn response(
    code: u16,
    reason: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    length: Option<usize>,
) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {code} {reason}\r\nConnection: close\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    if code != 304 {
        out.push_str(&format!(
            "Content-Length: {}\r\n",
            length.unwrap_or(body.len())
        ));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}
