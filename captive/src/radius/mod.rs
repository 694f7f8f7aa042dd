//! `auth = "radius"`: visitors sign in with a name and password the
//! region's RADIUS servers check, and the portal accounts for their
//! sessions there.
//!
//! - `packet`: the wire format and its authenticators (pure);
//! - `client`: asking the servers in turn, bounded in time;
//! - `accounting`: Start, Interim-Update and Stop records from the
//!   kernel's counters, queued in the database and sent until acknowledged;
//! - `coa`: Disconnect-Request and CoA-Request (RFC 5176) from the servers.
//!
//! The packet code is our own, small and tested against RFC 2865's
//! example: the `radius` crate neither computes nor checks the
//! Message-Authenticator that every packet must now carry (Blast-RADIUS).

pub mod accounting;
pub mod client;
pub mod coa;
pub mod packet;

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::path::Path;
use std::sync::Mutex;

use anjungan::config::Config;
use anjungan::wifi::Mac;
use anjungan::wifi::radius::{Grant, Usage};

use crate::{Error, Result};
use client::Servers;
use packet::{Code, Packet, attr};

/// The shared secret; never printed (its `Debug` hides it).
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(hidden)")
    }
}

impl Secret {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Secret {
        Secret(bytes.into())
    }

    /// Reads the secret: the file's first line, without its line end.
    pub fn read(path: &Path) -> Result<Secret> {
        let fail = |reason: String| Error::RadiusSecret {
            path: path.to_owned(),
            reason,
        };
        let text = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
        let line = text.split(|b| *b == b'\n').next().unwrap_or_default();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            return Err(fail("it is empty".into()));
        }
        if line.len() > 128 {
            return Err(fail("it is longer than 128 bytes".into()));
        }
        Ok(Secret(line.to_vec()))
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

/// Who the portal is to the servers.
#[derive(Debug, Clone)]
pub struct Nas {
    pub ip: Ipv4Addr,
    pub identifier: String,
    pub ssid: String,
}

/// The RADIUS side of the portal.
#[derive(Debug)]
pub struct Radius {
    pub servers: Servers,
    pub secret: Secret,
    pub nas: Nas,
    /// The kernel's counters of each session as last read: the next
    /// reading minus this is what was used since.
    pub seen: Mutex<HashMap<i64, Usage>>,
}

/// What the servers said of a name and password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Accepted {
        /// Seconds; the portal's `session_minutes` when the server sets
        /// none.
        session_timeout: Option<u32>,
        grant: Grant,
    },
    /// With the server's Reply-Message, if any.
    Rejected(Option<String>),
    /// No server answered (or none answered genuinely).
    NoServer,
}

/// Longest user name and password taken from the form (RFC 2865: 253
/// and 128 bytes).
pub const MAX_USERNAME: usize = 253;
pub const MAX_PASSWORD: usize = 128;

impl Radius {
    /// From `[captive]`, reading the secret file.
    pub fn from_config(config: &Config, nas_ip: Ipv4Addr) -> Result<Radius> {
        let c = &config.captive;
        Ok(Radius {
            servers: Servers::new(c.radius_servers.clone()),
            secret: Secret::read(&c.radius_secret_file)?,
            nas: Nas {
                ip: nas_ip,
                identifier: config.device.id.clone(),
                ssid: c.ssid.clone(),
            },
            seen: Mutex::new(HashMap::new()),
        })
    }

    /// The attributes every request about a visitor carries.
    fn visitor_attributes(&self, p: &mut Packet, mac: Mac, ip: Ipv4Addr) {
        p.add(attr::NAS_IP_ADDRESS, self.nas.ip.octets())
            .add(attr::NAS_IDENTIFIER, self.nas.identifier.as_bytes())
            .add(attr::CALLED_STATION_ID, self.nas.ssid.as_bytes())
            .add(attr::CALLING_STATION_ID, station_id(mac))
            .add(attr::FRAMED_IP_ADDRESS, ip.octets())
            // Wireless - IEEE 802.11.
            .add_u32(attr::NAS_PORT_TYPE, 19);
    }

    /// Asks the servers whether `username` with `password` may join.
    /// Blocking: at most `servers × tries × wait`.
    pub fn authenticate(&self, username: &str, password: &str, mac: Mac, ip: Ipv4Addr) -> Verdict {
        let make = |id: u8, authenticator: [u8; 16]| {
            let mut p = Packet::new(Code::AccessRequest, id);
            p.authenticator = authenticator;
            p.add(attr::USER_NAME, username.as_bytes());
            p.add(
                attr::USER_PASSWORD,
                packet::hide_password(password.as_bytes(), self.secret.bytes(), &authenticator),
            );
            // Login-User: a captive portal's sign-in.
            p.add_u32(attr::SERVICE_TYPE, 1);
            self.visitor_attributes(&mut p, mac, ip);
            (p.encode_access_request(self.secret.bytes()), authenticator)
        };
        match self.servers.ask(0, &self.secret, &make) {
            None => Verdict::NoServer,
            Some((_, answer)) => match answer.code {
                Code::AccessAccept => Verdict::Accepted {
                    session_timeout: answer.get_u32(attr::SESSION_TIMEOUT),
                    grant: grant(username, &answer),
                },
                // A challenge (a second factor) is not something this
                // page can ask: refused, with the server's words.
                _ => Verdict::Rejected(answer.get_text(attr::REPLY_MESSAGE)),
            },
        }
    }
}

/// `AA-BB-CC-DD-EE-FF`, as RADIUS servers write a station (RFC 3580 3.21).
pub fn station_id(mac: Mac) -> String {
    mac.0
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join("-")
}

/// What of an Access-Accept the portal keeps.
fn grant(username: &str, answer: &Packet) -> Grant {
    let positive = |v: Option<u32>| v.filter(|n| *n > 0).map(i64::from);
    Grant {
        username: username.to_owned(),
        class: answer.get(attr::CLASS).map(<[u8]>::to_vec),
        idle_timeout: positive(answer.get_u32(attr::IDLE_TIMEOUT)),
        interim_interval: positive(answer.get_u32(attr::ACCT_INTERIM_INTERVAL)),
        max_up_bps: positive(answer.vendor_u32(attr::VENDOR_WISPR, attr::WISPR_BANDWIDTH_MAX_UP)),
        max_down_bps: positive(
            answer.vendor_u32(attr::VENDOR_WISPR, attr::WISPR_BANDWIDTH_MAX_DOWN),
        ),
        max_total_octets: positive(
            answer.vendor_u32(attr::VENDOR_CHILLISPOT, attr::CHILLISPOT_MAX_TOTAL_OCTETS),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_the_first_line_and_never_shown() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("radius.secret");
        std::fs::write(&path, "s3cret\n").unwrap();
        let secret = Secret::read(&path).unwrap();
        assert_eq!(secret.bytes(), b"s3cret");
        assert!(!format!("{secret:?}").contains("s3cret"));
        std::fs::write(&path, "\n").unwrap();
        let empty = Secret::read(&path).unwrap_err().to_string();
        assert!(
            empty.contains("radius_secret_file") && empty.contains("empty"),
            "{empty}"
        );
        let missing = Secret::read(&dir.path().join("none"))
            .unwrap_err()
            .to_string();
        assert!(missing.contains("radius_secret_file"), "{missing}");
    }

    #[test]
    fn stations_are_written_as_radius_servers_expect() {
        assert_eq!(
            station_id(Mac([0x02, 0, 0xab, 1, 2, 3])),
            "02-00-AB-01-02-03"
        );
    }
}
