//! The two languages of the interface. Catalog text follows the same choice
//! through `Text::get`, which falls back to Indonesian.

use std::fmt;
use std::str::FromStr;

use crate::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Bahasa Indonesia: what a fresh screen shows.
    #[default]
    Id,
    En,
}

impl Lang {
    /// The BCP 47 code used in the catalog and for the bundled translations.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    /// Switches Slint's `@tr` strings. The `.slint` sources are written in
    /// English (Slint's default language); Indonesian comes from
    /// `lang/id/LC_MESSAGES/kiosk.po`, bundled at build time.
    pub fn select_translation(self) {
        // Only fails when no component exists yet or the language is not
        // bundled; both are programming errors caught by the UI tests.
        if let Err(e) = slint::select_bundled_translation(self.code()) {
            eprintln!("anjungan-kiosk: cannot switch the interface to {self}: {e}");
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = Error;
    fn from_str(s: &str) -> Result<Lang, Error> {
        match s {
            "id" => Ok(Lang::Id),
            "en" => Ok(Lang::En),
            _ => Err(Error::BadArgument(format!(
                "unknown language \"{s}\"; use id or en"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for lang in [Lang::Id, Lang::En] {
            assert_eq!(lang.code().parse::<Lang>().unwrap(), lang);
        }
        assert!("jv".parse::<Lang>().is_err());
        assert_eq!(Lang::default(), Lang::Id);
    }
}
