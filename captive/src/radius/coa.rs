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
            // Changes that only name the session are acknowledged; the
            // session's limits cannot be changed yet (shaping applies
            // them), so a change that asks for that is refused.
            let changes = request
                .attributes
                .iter()
                .any(|(t, _)| !IDENTIFYING.contains(t));
            if changes {
                reply(nak, Some(UNSUPPORTED_ATTRIBUTE))
            } else {
                reply(ack, None)
            }
        }
    }
}
