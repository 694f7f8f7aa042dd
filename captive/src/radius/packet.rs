//! RADIUS packets on the wire (RFC 2865, 2866, 5176) with the
//! Message-Authenticator of RFC 3579 on every packet: encoding with the
//! authenticators, decoding bounded by the packet's own length, and the
//! checks an answer or a request from the server must pass. Pure: no
//! sockets, no clock (the random Request Authenticator is given).

use hmac::{Hmac, Mac as _};
use md5::{Digest, Md5};

/// Packet codes the portal sends or accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    AccessRequest = 1,
    AccessAccept = 2,
    AccessReject = 3,
    AccountingRequest = 4,
    AccountingResponse = 5,
    AccessChallenge = 11,
    DisconnectRequest = 40,
    DisconnectAck = 41,
    DisconnectNak = 42,
    CoaRequest = 43,
    CoaAck = 44,
    CoaNak = 45,
}

impl Code {
    fn from_u8(b: u8) -> Option<Code> {
        Some(match b {
            1 => Code::AccessRequest,
            2 => Code::AccessAccept,
            3 => Code::AccessReject,
            4 => Code::AccountingRequest,
            5 => Code::AccountingResponse,
            11 => Code::AccessChallenge,
            40 => Code::DisconnectRequest,
            41 => Code::DisconnectAck,
            42 => Code::DisconnectNak,
            43 => Code::CoaRequest,
            44 => Code::CoaAck,
            45 => Code::CoaNak,
            _ => return None,
        })
    }
}

/// Attribute types (RFC 2865, 2866, 2869, 3576, 3579).
pub mod attr {
    pub const USER_NAME: u8 = 1;
    pub const USER_PASSWORD: u8 = 2;
    pub const NAS_IP_ADDRESS: u8 = 4;
    pub const SERVICE_TYPE: u8 = 6;
    pub const FRAMED_IP_ADDRESS: u8 = 8;
    pub const REPLY_MESSAGE: u8 = 18;
    pub const STATE: u8 = 24;
    pub const CLASS: u8 = 25;
    pub const VENDOR_SPECIFIC: u8 = 26;
    pub const SESSION_TIMEOUT: u8 = 27;
    pub const IDLE_TIMEOUT: u8 = 28;
    pub const CALLED_STATION_ID: u8 = 30;
    pub const CALLING_STATION_ID: u8 = 31;
    pub const NAS_IDENTIFIER: u8 = 32;
    pub const ACCT_STATUS_TYPE: u8 = 40;
    pub const ACCT_DELAY_TIME: u8 = 41;
    pub const ACCT_INPUT_OCTETS: u8 = 42;
    pub const ACCT_OUTPUT_OCTETS: u8 = 43;
    pub const ACCT_SESSION_ID: u8 = 44;
    pub const ACCT_SESSION_TIME: u8 = 46;
    pub const ACCT_INPUT_PACKETS: u8 = 47;
    pub const ACCT_OUTPUT_PACKETS: u8 = 48;
    pub const ACCT_TERMINATE_CAUSE: u8 = 49;
    pub const ACCT_INPUT_GIGAWORDS: u8 = 52;
    pub const ACCT_OUTPUT_GIGAWORDS: u8 = 53;
    pub const EVENT_TIMESTAMP: u8 = 55;
    pub const NAS_PORT_TYPE: u8 = 61;
    pub const ACCT_INTERIM_INTERVAL: u8 = 85;
    pub const MESSAGE_AUTHENTICATOR: u8 = 80;
    pub const ERROR_CAUSE: u8 = 101;

    /// WISPr (vendor 14122) and ChilliSpot (vendor 14559): CoovaChilli's
    /// vocabulary, which RADIUS servers of hotspots speak.
    pub const VENDOR_WISPR: u32 = 14122;
    pub const WISPR_BANDWIDTH_MAX_UP: u8 = 7;
    pub const WISPR_BANDWIDTH_MAX_DOWN: u8 = 8;
    pub const VENDOR_CHILLISPOT: u32 = 14559;
    pub const CHILLISPOT_MAX_TOTAL_OCTETS: u8 = 3;
}

/// Values of Acct-Terminate-Cause (RFC 2866 5.10).
pub mod cause {
    pub const USER_REQUEST: u32 = 1;
    pub const LOST_SERVICE: u32 = 3;
    pub const IDLE_TIMEOUT: u32 = 4;
    pub const SESSION_TIMEOUT: u32 = 5;
    pub const ADMIN_RESET: u32 = 6;
    pub const NAS_REBOOT: u32 = 11;
}

const HEADER: usize = 20;
/// RFC 2865 3: a packet is at most 4096 bytes.
pub const MAX_PACKET: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    pub code: Code,
    pub id: u8,
    pub authenticator: [u8; 16],
    pub attributes: Vec<(u8, Vec<u8>)>,
}

/// Why bytes are not a packet we take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Malformed {
    Short,
    Length,
    Code,
    Attribute,
}

impl Packet {
    pub fn new(code: Code, id: u8) -> Packet {
        Packet {
            code,
            id,
            authenticator: [0; 16],
            attributes: Vec::new(),
        }
    }

    pub fn add(&mut self, typ: u8, value: impl Into<Vec<u8>>) -> &mut Packet {
        self.attributes.push((typ, value.into()));
        self
    }

    pub fn add_u32(&mut self, typ: u8, value: u32) -> &mut Packet {
        self.add(typ, value.to_be_bytes())
    }

    /// The first value of attribute `typ`.
    pub fn get(&self, typ: u8) -> Option<&[u8]> {
        self.attributes
            .iter()
            .find(|(t, _)| *t == typ)
            .map(|(_, v)| v.as_slice())
    }

    pub fn get_u32(&self, typ: u8) -> Option<u32> {
        self.get(typ)?.try_into().ok().map(u32::from_be_bytes)
    }

    pub fn get_text(&self, typ: u8) -> Option<String> {
        self.get(typ)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }

    /// The first value of vendor `vendor`'s attribute `typ` (RFC 2865 5.26
    /// layout: vendor id, then type, length, value).
    pub fn vendor_u32(&self, vendor: u32, typ: u8) -> Option<u32> {
        self.attributes
            .iter()
            .filter(|(t, v)| *t == attr::VENDOR_SPECIFIC && v.len() >= 4)
            .filter(|(_, v)| u32::from_be_bytes([v[0], v[1], v[2], v[3]]) == vendor)
            .find_map(|(_, v)| {
                let mut rest = &v[4..];
                while rest.len() >= 2 {
                    let (t, len) = (rest[0], usize::from(rest[1]));
                    if len < 2 || len > rest.len() {
                        return None;
                    }
                    if t == typ {
                        return rest[2..len].try_into().ok().map(u32::from_be_bytes);
                    }
                    rest = &rest[len..];
                }
                None
            })
    }

    /// The packet's bytes with `authenticator` and the attributes as they
    /// are (no authenticators computed).
    fn raw(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + 64);
        out.extend([self.code as u8, self.id, 0, 0]);
        out.extend(self.authenticator);
        for (t, v) in &self.attributes {
            out.push(*t);
            // Values are at most 253 bytes; callers cut longer ones.
            let v = &v[..v.len().min(253)];
            out.push((v.len() + 2) as u8);
            out.extend(v);
        }
        let len = (out.len() as u16).to_be_bytes();
        out[2..4].copy_from_slice(&len);
        out
    }

    /// An Access-Request on the wire: `authenticator` is the random Request
    /// Authenticator; Message-Authenticator first (Blast-RADIUS), over the
    /// packet with it.
    pub fn encode_access_request(mut self, secret: &[u8]) -> Vec<u8> {
        self.attributes
            .retain(|(t, _)| *t != attr::MESSAGE_AUTHENTICATOR);
        self.attributes
            .insert(0, (attr::MESSAGE_AUTHENTICATOR, vec![0; 16]));
        let mut raw = self.raw();
        sign(&mut raw, secret);
        raw
    }

    /// An Accounting-, Disconnect- or CoA-Request on the wire: the
    /// Message-Authenticator over the packet with a zero authenticator, then
    /// the Request Authenticator, MD5 over the packet and the secret
    /// (RFC 2866 3, RFC 5176 3.3).
    pub fn encode_request(mut self, secret: &[u8]) -> Vec<u8> {
        self.attributes
            .retain(|(t, _)| *t != attr::MESSAGE_AUTHENTICATOR);
        self.attributes
            .insert(0, (attr::MESSAGE_AUTHENTICATOR, vec![0; 16]));
        self.authenticator = [0; 16];
        let mut raw = self.raw();
        sign(&mut raw, secret);
        let auth = md5_of(&[&raw, secret]);
        raw[4..20].copy_from_slice(&auth);
        raw
    }

    /// An answer to a request whose Request Authenticator was `request`:
    /// the Message-Authenticator over the packet with that authenticator,
    /// then the Response Authenticator (RFC 2865 3, RFC 3579 3.2).
    pub fn encode_response(mut self, request: &[u8; 16], secret: &[u8]) -> Vec<u8> {
        self.attributes
            .retain(|(t, _)| *t != attr::MESSAGE_AUTHENTICATOR);
        self.attributes
            .insert(0, (attr::MESSAGE_AUTHENTICATOR, vec![0; 16]));
        self.authenticator = *request;
        let mut raw = self.raw();
        sign(&mut raw, secret);
        let auth = md5_of(&[&raw, secret]);
        raw[4..20].copy_from_slice(&auth);
        raw
    }

    /// Reads a packet; bytes past its length are padding and ignored (RFC
    /// 2865 3).
    pub fn decode(bytes: &[u8]) -> Result<Packet, Malformed> {
        let packet = frame(bytes)?;
        let code = Code::from_u8(packet[0]).ok_or(Malformed::Code)?;
        let mut attributes = Vec::new();
        let mut rest = &packet[HEADER..];
        while !rest.is_empty() {
            if rest.len() < 2 {
                return Err(Malformed::Attribute);
            }
            let len = usize::from(rest[1]);
            if len < 2 || len > rest.len() {
                return Err(Malformed::Attribute);
            }
            attributes.push((rest[0], rest[2..len].to_vec()));
            rest = &rest[len..];
        }
        let mut authenticator = [0; 16];
        authenticator.copy_from_slice(&packet[4..20]);
        Ok(Packet {
            code,
            id: packet[1],
            authenticator,
            attributes,
        })
    }
}

/// The packet within `bytes`, by its length field.
fn frame(bytes: &[u8]) -> Result<&[u8], Malformed> {
    if bytes.len() < HEADER {
        return Err(Malformed::Short);
    }
    let len = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]));
    if !(HEADER..=MAX_PACKET).contains(&len) || len > bytes.len() {
        return Err(Malformed::Length);
    }
    Ok(&bytes[..len])
}

fn md5_of(parts: &[&[u8]]) -> [u8; 16] {
    let mut h = Md5::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

fn hmac_md5(secret: &[u8], data: &[u8]) -> [u8; 16] {
    let mut mac = Hmac::<Md5>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The offset of the first Message-Authenticator's value in `raw`.
fn message_authenticator_at(raw: &[u8]) -> Option<usize> {
    let mut at = HEADER;
    while at + 2 <= raw.len() {
        let len = usize::from(raw[at + 1]);
        if len < 2 || at + len > raw.len() {
            return None;
        }
        if raw[at] == attr::MESSAGE_AUTHENTICATOR && len == 18 {
            return Some(at + 2);
        }
        at += len;
    }
    None
}

/// Fills in the zeroed Message-Authenticator of `raw`.
fn sign(raw: &mut [u8], secret: &[u8]) {
    if let Some(at) = message_authenticator_at(raw) {
        raw[at..at + 16].fill(0);
        let mac = hmac_md5(secret, raw);
        raw[at..at + 16].copy_from_slice(&mac);
    }
}

/// Whether the Message-Authenticator in `raw` is right when computed with
/// `authenticator` in the header; `None` when there is none.
fn message_authenticator_ok(raw: &[u8], authenticator: &[u8; 16], secret: &[u8]) -> Option<bool> {
    let at = message_authenticator_at(raw)?;
    let mut copy = raw.to_vec();
    copy[4..20].copy_from_slice(authenticator);
    copy[at..at + 16].fill(0);
    let expected = hmac_md5(secret, &copy);
    Some(constant_time_eq(&expected, &raw[at..at + 16]))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// The server's answer to our request (`request_id`, `request_auth`),
/// checked: its Response Authenticator, and its Message-Authenticator,
/// which an answer to an Access-Request must carry (Blast-RADIUS,
/// CVE-2024-3596). `None` for anything else: a forged or stray packet is
/// ignored like silence.
pub fn check_answer(
    bytes: &[u8],
    request_id: u8,
    request_auth: &[u8; 16],
    secret: &[u8],
) -> Option<Packet> {
    let raw = frame(bytes).ok()?;
    let packet = Packet::decode(raw).ok()?;
    if packet.id != request_id {
        return None;
    }
    let mut zeroed = raw.to_vec();
    zeroed[4..20].copy_from_slice(request_auth);
    if !constant_time_eq(&md5_of(&[&zeroed, secret]), &packet.authenticator) {
        return None;
    }
    let access = matches!(
        packet.code,
        Code::AccessAccept | Code::AccessReject | Code::AccessChallenge
    );
    match message_authenticator_ok(raw, request_auth, secret) {
        Some(true) => Some(packet),
        None if !access => Some(packet),
        _ => None,
    }
}

/// A Disconnect- or CoA-Request from the server, checked: its Request
/// Authenticator (MD5 over the packet with zeros and the secret) and its
/// Message-Authenticator when it has one. `None` when it is not genuine.
pub fn check_request(bytes: &[u8], secret: &[u8]) -> Option<Packet> {
    let raw = frame(bytes).ok()?;
    let packet = Packet::decode(raw).ok()?;
    if !matches!(packet.code, Code::DisconnectRequest | Code::CoaRequest) {
        return None;
    }
    let mut zeroed = raw.to_vec();
    zeroed[4..20].fill(0);
    if !constant_time_eq(&md5_of(&[&zeroed, secret]), &packet.authenticator) {
        return None;
    }
    match message_authenticator_ok(raw, &[0; 16], secret) {
        Some(false) => None,
        _ => Some(packet),
    }
}

/// User-Password hidden as RFC 2865 5.2 says: padded to 16 bytes, each
/// block XORed with MD5(secret + the previous block), the first with the
/// Request Authenticator. Passwords are at most 128 bytes.
pub fn hide_password(password: &[u8], secret: &[u8], request_auth: &[u8; 16]) -> Vec<u8> {
    let password = &password[..password.len().min(128)];
    let mut padded = password.to_vec();
    padded.resize(password.len().div_ceil(16).max(1) * 16, 0);
    let mut previous: Vec<u8> = request_auth.to_vec();
    for block in padded.chunks_mut(16) {
        let key = md5_of(&[secret, &previous]);
        for (b, k) in block.iter_mut().zip(key) {
            *b ^= k;
        }
        previous = block.to_vec();
    }
    padded
}

/// Attributes encoded one after another (type, length, value): how a
/// queued accounting record is kept in the database.
pub fn encode_attributes(attributes: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (t, v) in attributes {
        let v = &v[..v.len().min(253)];
        out.push(*t);
        out.push((v.len() + 2) as u8);
        out.extend(v);
    }
    out
}

/// The inverse of `encode_attributes`; `None` for bytes it did not make.
pub fn decode_attributes(mut bytes: &[u8]) -> Option<Vec<(u8, Vec<u8>)>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let len = usize::from(*bytes.get(1)?);
        if len < 2 || len > bytes.len() {
            return None;
        }
        out.push((bytes[0], bytes[2..len].to_vec()));
        bytes = &bytes[len..];
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect()
    }

    /// RFC 2865 7.1: "nemo" with password "arctangent", secret
    /// "xyzzy5461", and the server's Access-Accept.
    const SECRET: &[u8] = b"xyzzy5461";
    const RFC_REQUEST: &str = "01 00 00 38 0f 40 3f 94 73 97 80 57 bd 83 d5 cb
        98 f4 22 7a 01 06 6e 65 6d 6f 02 12 0d be 70 8d 93 d4 13 ce 31 96 e4 3f
        78 2a 0a ee 04 06 c0 a8 01 10 05 06 00 00 00 03";
    const RFC_ACCEPT: &str = "02 00 00 26 86 fe 22 0e 76 24 ba 2a 10 05 f6 bf
        9b 55 e0 b2 06 06 00 00 00 01 0f 06 00 00 00 00 0e 06 c0 a8 01 03";

    #[test]
    fn the_password_is_hidden_as_in_rfc_2865() {
        let request = Packet::decode(&hex(RFC_REQUEST)).unwrap();
        assert_eq!(request.code, Code::AccessRequest);
        assert_eq!(request.get_text(attr::USER_NAME).unwrap(), "nemo");
        let hidden = hide_password(b"arctangent", SECRET, &request.authenticator);
        assert_eq!(request.get(attr::USER_PASSWORD).unwrap(), hidden.as_slice());
    }

    #[test]
    fn the_rfc_2865_accept_has_a_right_response_authenticator() {
        let request = Packet::decode(&hex(RFC_REQUEST)).unwrap();
        let accept = hex(RFC_ACCEPT);
        // Older than RFC 3579, so without Message-Authenticator: the
        // Response Authenticator is right...
        let mut zeroed = accept.clone();
        zeroed[4..20].copy_from_slice(&request.authenticator);
        assert_eq!(md5_of(&[&zeroed, SECRET]), accept[4..20]);
        // ...but an Access-Accept without Message-Authenticator is not taken.
        assert_eq!(
            check_answer(&accept, 0, &request.authenticator, SECRET),
            None
        );
        let decoded = Packet::decode(&accept).unwrap();
        assert_eq!(decoded.get_u32(attr::SERVICE_TYPE), Some(1));
        // An Accounting-Response need not carry one.
        let mut acct = decoded.clone();
        acct.code = Code::AccountingResponse;
        acct.attributes.clear();
        let mut raw = acct.raw();
        raw[4..20].copy_from_slice(&request.authenticator);
        let auth = md5_of(&[&raw, SECRET]);
        raw[4..20].copy_from_slice(&auth);
        assert!(check_answer(&raw, 0, &request.authenticator, SECRET).is_some());
    }

    #[test]
    fn answers_are_taken_only_when_both_authenticators_are_right() {
        let request_auth = [7; 16];
        let mut accept = Packet::new(Code::AccessAccept, 9);
        accept.add_u32(attr::SESSION_TIMEOUT, 60);
        let good = accept.clone().encode_response(&request_auth, SECRET);
        let taken = check_answer(&good, 9, &request_auth, SECRET).unwrap();
        assert_eq!(taken.get_u32(attr::SESSION_TIMEOUT), Some(60));
        assert_eq!(
            check_answer(&good, 8, &request_auth, SECRET),
            None,
            "another id"
        );
        assert_eq!(
            check_answer(&good, 9, &[8; 16], SECRET),
            None,
            "another request"
        );
        assert_eq!(
            check_answer(&good, 9, &request_auth, b"other"),
            None,
            "another secret"
        );
        // Blast-RADIUS changes attributes and keeps the MD5 right by a
        // collision: a changed byte must fail the HMAC even so.
        for at in 20..good.len() {
            let mut bad = good.clone();
            bad[at] ^= 1;
            assert_eq!(
                check_answer(&bad, 9, &request_auth, SECRET),
                None,
                "byte {at}"
            );
        }
        assert_eq!(check_answer(&good[..19], 9, &request_auth, SECRET), None);
    }

    #[test]
    fn disconnect_requests_are_checked_with_the_secret() {
        let mut disconnect = Packet::new(Code::DisconnectRequest, 3);
        disconnect.add(attr::ACCT_SESSION_ID, &b"00000001-00000064"[..]);
        let raw = disconnect.encode_request(SECRET);
        let taken = check_request(&raw, SECRET).unwrap();
        assert_eq!(
            taken.get_text(attr::ACCT_SESSION_ID).unwrap(),
            "00000001-00000064"
        );
        assert_eq!(check_request(&raw, b"other"), None);
        let mut bad = raw.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert_eq!(check_request(&bad, SECRET), None);
        let ack = Packet::new(Code::DisconnectAck, 3).encode_response(&taken.authenticator, SECRET);
        assert!(check_answer(&ack, 3, &taken.authenticator, SECRET).is_some());
    }

    #[test]
    fn vendor_attributes_and_stored_records_read_back() {
        let mut p = Packet::new(Code::AccessAccept, 1);
        let mut wispr = attr::VENDOR_WISPR.to_be_bytes().to_vec();
        wispr.extend([attr::WISPR_BANDWIDTH_MAX_UP, 6]);
        wispr.extend(1_000_000u32.to_be_bytes());
        wispr.extend([attr::WISPR_BANDWIDTH_MAX_DOWN, 6]);
        wispr.extend(2_000_000u32.to_be_bytes());
        p.add(attr::VENDOR_SPECIFIC, wispr);
        assert_eq!(
            p.vendor_u32(attr::VENDOR_WISPR, attr::WISPR_BANDWIDTH_MAX_DOWN),
            Some(2_000_000)
        );
        assert_eq!(
            p.vendor_u32(attr::VENDOR_WISPR, attr::WISPR_BANDWIDTH_MAX_UP),
            Some(1_000_000)
        );
        assert_eq!(p.vendor_u32(attr::VENDOR_CHILLISPOT, 4), None);
        let stored = encode_attributes(&p.attributes);
        assert_eq!(decode_attributes(&stored).unwrap(), p.attributes);
        assert_eq!(decode_attributes(&[1, 9, 0]), None);
        assert_eq!(Packet::decode(&[1; 19]), Err(Malformed::Short));
    }
}
