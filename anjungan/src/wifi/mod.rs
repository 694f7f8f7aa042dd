//! The free Wi-Fi's domain: who a visitor is (`Mac`), the vouchers the
//! kiosk prints and the technician issues, and the visitors' sessions with
//! their limits, and what a RADIUS server granted (`radius`). The portal
//! (`anjungan-captive`) gates the network with
//! these; this module knows no HTTP and no firewall.

pub mod data;
mod mac;
pub mod radius;
pub mod session;
pub mod voucher;

pub use mac::Mac;
pub use session::{JoinMethod, Session};
pub use voucher::{Redemption, Voucher};

/// The code phones read to join the open Wi-Fi network `ssid` (the `WIFI:`
/// scheme that Android and iOS cameras understand): on the kiosk's home
/// screen and on voucher slips. `;`, `,`, `:`, `\` and `"` are escaped as
/// the scheme requires.
pub fn join_qr(ssid: &str) -> String {
    let mut escaped = String::with_capacity(ssid.len());
    for c in ssid.chars() {
        if matches!(c, ';' | ',' | ':' | '\\' | '"') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    format!("WIFI:T:nopass;S:{escaped};;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_qr_escapes_special_characters() {
        assert_eq!(join_qr("Banyumas Free"), "WIFI:T:nopass;S:Banyumas Free;;");
        assert_eq!(join_qr("a;b:c"), "WIFI:T:nopass;S:a\\;b\\:c;;");
        assert_eq!(
            join_qr("Banyumas;Free"),
            "WIFI:T:nopass;S:Banyumas\\;Free;;"
        );
    }
}
