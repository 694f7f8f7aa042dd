//! A visitor's Wi-Fi hardware (MAC) address: the key of a session, because
//! a phone's IP address may change while its MAC stays.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mac(pub [u8; 6]);

impl Mac {
    /// Phones that randomise their MAC set the "locally administered" bit;
    /// such a visitor becomes a new visitor whenever the phone picks a new
    /// address, which technicians are told about.
    pub fn is_randomised(&self) -> bool {
        self.0[0] & 0x02 != 0
    }
}

impl FromStr for Mac {
    type Err = String;

    /// Reads `aa:bb:cc:dd:ee:ff` (also with `-`, any case).
    fn from_str(s: &str) -> Result<Mac, String> {
        let bad = || format!("\"{s}\" is not a MAC address like aa:bb:cc:dd:ee:ff");
        let mut bytes = [0u8; 6];
        let mut parts = s.split([':', '-']);
        for b in &mut bytes {
            let part = parts.next().ok_or_else(bad)?;
            if part.len() != 2 {
                return Err(bad());
            }
            *b = u8::from_str_radix(part, 16).map_err(|_| bad())?;
        }
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(Mac(bytes))
    }
}

impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_the_usual_form() {
        let m: Mac = "AA-bb-0C:dd:ee:0f".parse().unwrap();
        assert_eq!(m.to_string(), "aa:bb:0c:dd:ee:0f");
        for bad in [
            "",
            "aa:bb:cc:dd:ee",
            "aa:bb:cc:dd:ee:ff:00",
            "aa:bb:cc:dd:ee:fg",
            "a:bb:cc:dd:ee:ff",
        ] {
            assert!(bad.parse::<Mac>().is_err(), "{bad}");
        }
    }

    #[test]
    fn knows_a_randomised_address() {
        assert!("da:a1:19:00:00:01".parse::<Mac>().unwrap().is_randomised());
        assert!(!"00:1a:2b:3c:4d:5e".parse::<Mac>().unwrap().is_randomised());
    }
}
