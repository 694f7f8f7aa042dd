//! The free Wi-Fi's domain: who a visitor is (`Mac`), the vouchers the
//! kiosk prints and the technician issues, and the visitors' sessions with
//! their limits. The portal (`anjungan-captive`) gates the network with
//! these; this module knows no HTTP and no firewall.

mod mac;
pub mod session;
pub mod voucher;

pub use mac::Mac;
pub use session::{JoinMethod, Session};
pub use voucher::{Redemption, Voucher};
