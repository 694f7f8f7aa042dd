//! Disconnect-Request and CoA-Request (RFC 5176) from the RADIUS side, on
//! `radius_coa_port` of `admin_listen`'s address (never the guests'
//! side). A request must be genuine (its Request Authenticator and
//! Message-Authenticator by the shared secret) or it is dropped unanswered;
//! a genuine one is answered with an ACK or a NAK with its Error-Cause.

use std::net::SocketAddr;
use std::sync::Arc;

use anjungan::wifi::radius as record;
use tokio::net::UdpSocket;

use super::Radius;
use super::packet::{self, Code, MAX_PACKET, Packet, attr, cause};
use crate::portal::Portal;
use crate::{Error, Result};

/// Error-Cause values (RFC 5176 3.5).
const UNSUPPORTED_ATTRIBUTE: u32 = 401;
const MISSING_ATTRIBUTE: u32 = 402;
const SESSION_NOT_FOUND: u32 = 503;
const RESOURCES_UNAVAILABLE: u32 = 506;

/// What a CoA-Request asks to change (each `None`: unchanged).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LimitsChange {
    pub up_bps: Option<i64>,
    pub down_bps: Option<i64>,
    pub total_octets: Option<i64>,
}

/// The limits a CoA-Request changes, or `None` when it asks for anything
/// else too (another attribute, another vendor's, or one of ours that is
/// not a bandwidth or data limit).
pub fn limits_change(request: &Packet) -> Option<LimitsChange> {
    let ours = |vendor: u32, typ: u8| {
        matches!(
            (vendor, typ),
            (attr::VENDOR_WISPR, attr::WISPR_BANDWIDTH_MAX_UP)
                | (attr::VENDOR_WISPR, attr::WISPR_BANDWIDTH_MAX_DOWN)
                | (attr::VENDOR_CHILLISPOT, attr::CHILLISPOT_MAX_TOTAL_OCTETS)
        )
    };
    for (t, value) in &request.attributes {
        if IDENTIFYING.contains(t) {
            continue;
        }
        if *t != attr::VENDOR_SPECIFIC || value.len() < 4 {
            return None;
        }
        let vendor = u32::from_be_bytes([value[0], value[1], value[2], value[3]]);
        let mut rest = &value[4..];
        while !rest.is_empty() {
            let (typ, len) = (rest[0], usize::from(*rest.get(1)?));
            if len != 6 || len > rest.len() || !ours(vendor, typ) {
                return None;
            }
            rest = &rest[len..];
        }
    }
    let positive = |v: Option<u32>| v.filter(|n| *n > 0).map(i64::from);
    Some(LimitsChange {
        up_bps: positive(request.vendor_u32(attr::VENDOR_WISPR, attr::WISPR_BANDWIDTH_MAX_UP)),
        down_bps: positive(request.vendor_u32(attr::VENDOR_WISPR, attr::WISPR_BANDWIDTH_MAX_DOWN)),
        total_octets: positive(
            request.vendor_u32(attr::VENDOR_CHILLISPOT, attr::CHILLISPOT_MAX_TOTAL_OCTETS),
        ),
    })
}

/// Attributes that identify a session, or may come with any request.
const IDENTIFYING: &[u8] = &[
    attr::USER_NAME,
    attr::ACCT_SESSION_ID,
    attr::FRAMED_IP_ADDRESS,
    attr::CALLING_STATION_ID,
    attr::NAS_IP_ADDRESS,
    attr::NAS_IDENTIFIER,
    attr::EVENT_TIMESTAMP,
    attr::MESSAGE_AUTHENTICATOR,
    attr::STATE,
];

pub async fn bind(addr: SocketAddr) -> Result<UdpSocket> {
    UdpSocket::bind(addr)
        .await
        .map_err(|source| Error::Listen { addr, source })
}

/// Answers requests on `socket` for as long as the portal runs.
pub async fn serve(portal: Arc<Portal>, socket: UdpSocket) {
    let mut buf = vec![0u8; MAX_PACKET];
    loop {
        let (n, from) = match socket.recv_from(&mut buf).await {
            Ok(got) => got,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read a RADIUS Disconnect/CoA request");
                continue;
            }
        };
        let bytes = buf[..n].to_vec();
        let portal = portal.clone();
        let answer = tokio::task::spawn_blocking(move || {
            let radius = portal.radius.as_ref()?;
            answer(&portal, radius, &bytes)
        })
        .await;
        if let Ok(Some(reply)) = answer {
            if let Err(e) = socket.send_to(&reply, from).await {
                tracing::warn!(error = %e, %from, "cannot answer a RADIUS Disconnect/CoA request");
            }
        } else {
            tracing::warn!(%from, "a RADIUS Disconnect/CoA request that is not genuine; dropped");
        }
    }
}

/// The answer to one request's bytes; `None` for bytes that are not a
/// genuine request (RFC 5176 3.3: silently discarded).
pub fn answer(portal: &Portal, radius: &Radius, bytes: &[u8]) -> Option<Vec<u8>> {
    let request = packet::check_request(bytes, radius.secret.bytes())?;
    let (ack, nak) = match request.code {
        Code::DisconnectRequest => (Code::DisconnectAck, Code::DisconnectNak),
        _ => (Code::CoaAck, Code::CoaNak),
    };
    let reply = |code: Code, error: Option<u32>| {
        let mut p = Packet::new(code, request.id);
        if let Some(e) = error {
            p.add_u32(attr::ERROR_CAUSE, e);
        }
        Some(p.encode_response(&request.authenticator, radius.secret.bytes()))
    };
    let acct = request.get_text(attr::ACCT_SESSION_ID);
    let user = request.get_text(attr::USER_NAME);
    if acct.is_none() && user.is_none() {
        return reply(nak, Some(MISSING_ATTRIBUTE));
    }
    let found = match portal
        .sessions
        .with_store(|s| record::find(s, acct.as_deref(), user.as_deref()))
    {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(error = %e, "cannot look up the session a RADIUS request names");
            return None;
        }
    };
    if found.is_empty() {
        return reply(nak, Some(SESSION_NOT_FOUND));
    }
    match request.code {
        Code::DisconnectRequest => {
            for id in found {
                if let Err(e) = super::accounting::end(portal, radius, id, cause::ADMIN_RESET) {
                    tracing::warn!(error = %e, "cannot end the session a Disconnect-Request names");
                    return None;
                }
            }
            reply(ack, None)
        }
        _ => {
            // The bandwidth and data limit are what a CoA may change; any
            // other change is refused whole, before anything is changed.
            let Some(change) = limits_change(&request) else {
                return reply(nak, Some(UNSUPPORTED_ATTRIBUTE));
            };
            if change == LimitsChange::default() {
                return reply(ack, None);
            }
            for id in found {
                let changed = portal.sessions.with_store(|s| {
                    record::change(s, id, change.up_bps, change.down_bps, change.total_octets)
                });
                if let Err(e) = changed {
                    tracing::warn!(error = %e, "cannot change the session a CoA-Request names");
                    return None;
                }
            }
            // Applied now, not at the next tick: the server is told ACK
            // once the kernel shapes by the new rates.
            if let Err(e) = crate::usage::shape(portal) {
                tracing::warn!(error = %e, "cannot apply a CoA-Request's bandwidth");
                return reply(nak, Some(RESOURCES_UNAVAILABLE));
            }
            tracing::info!(?change, "a CoA-Request changed a session's limits");
            reply(ack, None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vsa(vendor: u32, typ: u8, value: u32) -> Vec<u8> {
        let mut v = vendor.to_be_bytes().to_vec();
        v.extend([typ, 6]);
        v.extend(value.to_be_bytes());
        v
    }

    #[test]
    fn a_coa_may_change_bandwidth_and_data_limit_only() {
        let mut p = Packet::new(Code::CoaRequest, 1);
        p.add(attr::USER_NAME, "siti");
        assert_eq!(limits_change(&p), Some(LimitsChange::default()));
        p.add(
            attr::VENDOR_SPECIFIC,
            vsa(attr::VENDOR_WISPR, attr::WISPR_BANDWIDTH_MAX_DOWN, 512_000),
        );
        p.add(
            attr::VENDOR_SPECIFIC,
            vsa(
                attr::VENDOR_CHILLISPOT,
                attr::CHILLISPOT_MAX_TOTAL_OCTETS,
                9_000,
            ),
        );
        assert_eq!(
            limits_change(&p),
            Some(LimitsChange {
                up_bps: None,
                down_bps: Some(512_000),
                total_octets: Some(9_000),
            })
        );
        let mut other = p.clone();
        other.add(attr::VENDOR_SPECIFIC, vsa(attr::VENDOR_WISPR, 1, 5));
        assert_eq!(limits_change(&other), None, "another WISPr attribute");
        let mut other = p.clone();
        other.add_u32(attr::SESSION_TIMEOUT, 60);
        assert_eq!(limits_change(&other), None, "a standard attribute");
    }
}
