//! The device's HTTP client for the region's servers: rustls (the system's
//! certificates, so a region's own CA added to it works), bounded waits and
//! bodies, and a count of what was spent. The pull uses [`Http::get`]; the
//! push posts through [`Http::client`] with the same settings.

use std::cell::Cell;
use std::io::Read;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use reqwest::header::{ETAG, HeaderValue, IF_NONE_MATCH};

use super::Failure;
use crate::config::SyncConfig;

/// Longest ETag kept: a header a server makes up should not grow a row.
const MAX_ETAG: usize = 256;

/// What a GET brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Got {
    /// 304: what we have is current.
    NotModified,
    Body {
        etag: Option<String>,
        bytes: Vec<u8>,
    },
}

/// The client and what it has spent: requests made and body bytes read.
pub struct Http {
    client: Client,
    timeout: Duration,
    requests: Cell<u32>,
    bytes: Cell<u64>,
}

impl Http {
    pub fn new(config: &SyncConfig) -> Result<Http, Failure> {
        // reqwest is built without a crypto provider of its own (aws-lc
        // would be a second C library to build for every architecture):
        // rustls's ring provider, installed once per process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let timeout = Duration::from_secs(config.timeout_seconds.into());
        let client = Client::builder()
            .user_agent(concat!("anjungan/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(timeout)
            // The blocking client applies this to every wait: the answer's
            // head, and each read of its body. A big catalog on a slow link
            // still comes, as long as it keeps coming.
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .map_err(|e| Failure::Client { cause: chain(&e) })?;
        Ok(Http {
            client,
            timeout,
            requests: Cell::new(0),
            bytes: Cell::new(0),
        })
    }

    /// The client, for requests other than a GET (the push).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Requests made so far.
    pub fn requests(&self) -> u32 {
        self.requests.get()
    }

    /// Body bytes read so far.
    pub fn bytes(&self) -> u64 {
        self.bytes.get()
    }

    /// GETs `url`, conditionally when `etag` is given, reading at most
    /// `limit` bytes of body. Anything but a 2xx (or the 304 asked for)
    /// is a failure.
    pub fn get(&self, url: &str, etag: Option<&str>, limit: usize) -> Result<Got, Failure> {
        let mut request = self.client.get(url);
        if let Some(value) = etag.and_then(|e| HeaderValue::from_str(e).ok()) {
            request = request.header(IF_NONE_MATCH, value);
        }
        self.requests.set(self.requests.get() + 1);
        let response = request.send().map_err(|e| self.failure(url, &e))?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED && etag.is_some() {
            return Ok(Got::NotModified);
        }
        if !status.is_success() {
            return Err(Failure::Status {
                url: url.to_owned(),
                status: status.as_u16(),
                hint: match status.as_u16() {
                    404 | 410 => {
                        ": check [sync] catalog_url, and that the catalog and its .minisig are published"
                    }
                    401 | 403 => ": check that the server lets the device read the file",
                    _ => "",
                },
            });
        }
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(Failure::TooLarge {
                url: url.to_owned(),
                limit,
            });
        }
        let etag = response
            .headers()
            .get(ETAG)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= MAX_ETAG)
            .map(str::to_owned);
        let bytes = self.read_bounded(url, response, limit)?;
        Ok(Got::Body { etag, bytes })
    }

    /// GETs `url` with the bearer `token` (the hub's answers to this
    /// device), reading at most `limit` bytes; anything but a 2xx is a
    /// failure.
    pub fn get_authorized(&self, url: &str, token: &str, limit: usize) -> Result<Vec<u8>, Failure> {
        self.requests.set(self.requests.get() + 1);
        let response = self
            .client
            .get(url)
            .bearer_auth(token)
            .send()
            .map_err(|e| self.failure(url, &e))?;
        let status = response.status();
        let bytes = self.read_bounded(url, response, limit)?;
        if !status.is_success() {
            return Err(hub_status(url, status));
        }
        Ok(bytes)
    }

    /// POSTs the JSON `body` to `url` with the bearer `token`; any answer
    /// but a 2xx is a failure. The answer's body is read (bounded) and
    /// dropped, so the connection can carry the next batch.
    pub fn post_json(&self, url: &str, token: &str, body: Vec<u8>) -> Result<(), Failure> {
        self.requests.set(self.requests.get() + 1);
        let response = self
            .client
            .post(url)
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .map_err(|e| self.failure(url, &e))?;
        let status = response.status();
        self.read_bounded(url, response, 64 * 1024)?;
        if !status.is_success() {
            return Err(hub_status(url, status));
        }
        Ok(())
    }

    fn read_bounded(
        &self,
        url: &str,
        response: Response,
        limit: usize,
    ) -> Result<Vec<u8>, Failure> {
        let mut bytes = Vec::new();
        let read = response.take(limit as u64 + 1).read_to_end(&mut bytes);
        self.bytes.set(self.bytes.get() + bytes.len() as u64);
        match read {
            Err(e) if is_timeout(&e) => Err(Failure::Timeout {
                url: url.to_owned(),
                seconds: self.timeout.as_secs() as u32,
            }),
            Err(e) => Err(Failure::Truncated {
                url: url.to_owned(),
                cause: chain(&e),
            }),
            Ok(_) if bytes.len() > limit => Err(Failure::TooLarge {
                url: url.to_owned(),
                limit,
            }),
            Ok(_) => Ok(bytes),
        }
    }

    fn failure(&self, url: &str, e: &reqwest::Error) -> Failure {
        if e.is_timeout() {
            Failure::Timeout {
                url: url.to_owned(),
                seconds: self.timeout.as_secs() as u32,
            }
        } else if e.is_body() || e.is_decode() {
            Failure::Truncated {
                url: url.to_owned(),
                cause: chain(e),
            }
        } else {
            Failure::Unreachable {
                url: url.to_owned(),
                cause: chain(e),
            }
        }
    }
}

/// A hub's refusal, with what to do about the usual ones.
fn hub_status(url: &str, status: StatusCode) -> Failure {
    Failure::Status {
        url: url.to_owned(),
        status: status.as_u16(),
        hint: match status.as_u16() {
            401 => {
                ": enrol this device at the hub (`anjungan-hub device add ID`) and put its token in [sync] token_file"
            }
            403 => ": the token is another device's; check [device] id and [sync] token_file",
            _ => "",
        },
    }
}

/// Whether a read of the body gave up waiting: reqwest hands its own
/// timeout through `Read` as an I/O error that wraps it.
fn is_timeout(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::TimedOut
        || e.get_ref()
            .and_then(|inner| inner.downcast_ref::<reqwest::Error>())
            .is_some_and(reqwest::Error::is_timeout)
}

/// An error and its causes on one line: reqwest's own message alone says
/// little ("error sending request").
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}
