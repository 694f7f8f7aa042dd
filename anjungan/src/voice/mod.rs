//! The citizens' voice: the satisfaction survey (SKM, giving the IKM of
//! PermenPAN-RB 14/2017) and complaints, from the kiosk, the Wi-Fi page and
//! paper. Nothing stored here names a person or a device.

#[macro_use]
mod codes;
pub mod complaint;
pub mod survey;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// Where an answer or a complaint came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    Kiosk,
    /// The Wi-Fi page.
    Portal,
    /// Paper forms typed in by staff (`anjungan survey import`).
    Paper,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Kiosk, Channel::Portal, Channel::Paper];

    pub fn code(self) -> &'static str {
        match self {
            Channel::Kiosk => "kiosk",
            Channel::Portal => "portal",
            Channel::Paper => "paper",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Channel {
    type Err = String;
    fn from_str(s: &str) -> Result<Channel, String> {
        Channel::ALL
            .into_iter()
            .find(|c| c.code() == s)
            .ok_or_else(|| format!("\"{s}\" is not a channel; use kiosk, portal or paper"))
    }
}

/// A catalog service id as the survey and complaints keep it: the
/// catalog's own rule (lower-case letters, digits, '-', at most 64), so
/// nothing else from a form reaches the database. Whether the catalog has
/// it is the caller's to check: an answer stays valid after the catalog
/// drops the service.
pub(crate) fn service_id(id: &str) -> Option<&str> {
    crate::catalog::is_slug(id).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_round_trip() {
        for c in Channel::ALL {
            assert_eq!(c.code().parse::<Channel>().unwrap(), c);
        }
        assert!("sms".parse::<Channel>().unwrap_err().contains("kiosk"));
    }
}
