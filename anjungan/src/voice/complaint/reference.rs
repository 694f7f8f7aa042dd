//! A complaint's reference: what the citizen keeps to ask about it later.
//! Eight symbols of the readable alphabet (no `0`/`O`, `1`/`I`/`L`), shown
//! as `ADU-7K4P-9MXR` (ADU for *aduan*): short enough to say on the phone,
//! and 39 random bits, which no one guesses within the portal's limits on
//! look-ups.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::readable_code;

const LEN: usize = 8;
const PREFIX: &str = "ADU";

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference(String);

impl Reference {
    pub(crate) fn random() -> Reference {
        Reference(readable_code::random(LEN))
    }

    /// A reference as someone typed or said it: any case, with or without
    /// `ADU` and the dashes or spaces.
    pub fn parse(typed: &str) -> Option<Reference> {
        let clean: String = typed
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\t'))
            .take(LEN + PREFIX.len() + 1)
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let code = match clean.strip_prefix(PREFIX) {
            Some(rest) if rest.len() == LEN => rest,
            _ => &clean,
        };
        readable_code::normalize(code, LEN).map(Reference)
    }

    /// The eight symbols as stored (and as the hub keeps them).
    pub fn stored(&self) -> &str {
        &self.0
    }

    pub(crate) fn from_stored(s: String) -> Reference {
        Reference(s)
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PREFIX}-{}-{}", &self.0[..4], &self.0[4..])
    }
}

impl Serialize for Reference {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_any_way_it_is_the_same_reference() {
        let r = Reference::random();
        let shown = r.to_string();
        assert_eq!(shown.len(), 13);
        assert!(shown.starts_with("ADU-"));
        for typed in [
            shown.clone(),
            shown.to_lowercase(),
            shown.replace('-', ""),
            shown.replace('-', " "),
            shown[4..].to_string(),
            shown[4..].replace('-', "").to_lowercase(),
        ] {
            assert_eq!(Reference::parse(&typed), Some(r.clone()), "{typed}");
        }
        // A reference that itself starts with ADU is still read whole.
        assert_eq!(
            Reference::parse("adu2-3456").map(|r| r.to_string()),
            Some("ADU-ADU2-3456".into())
        );
        for bad in [
            "",
            "ADU-",
            "ADU-0000-0000",
            "ABCD-EFG",
            "ABCD-EFGHJ",
            "ADU-ABCD-EFGH-J",
        ] {
            assert_eq!(Reference::parse(bad), None, "{bad}");
        }
    }
}
