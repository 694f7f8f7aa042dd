//! Fixed lists of codes with their words in both languages: the profile's
//! parts, complaint categories and statuses. A code is what is stored and
//! what forms and files carry; the words are what people read.

/// An enum of fixed codes with their words in both languages.
macro_rules! code_list {
    ($(#[$doc:meta])* $name:ident, $what:literal, { $($variant:ident = $code:literal, $id:literal, $en:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(into = "&'static str")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code stored and used in forms and CSV files.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The words a respondent reads.
            pub fn label(self, lang: $crate::Lang) -> &'static str {
                match self { $($name::$variant => lang.choose($id, $en)),+ }
            }
        }

        impl From<$name> for &'static str {
            fn from(v: $name) -> &'static str {
                v.code()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<$name, String> {
                $name::ALL.iter().copied().find(|v| v.code() == s).ok_or_else(|| {
                    let codes: Vec<&str> = $name::ALL.iter().map(|v| v.code()).collect();
                    format!("\"{}\" is not {}; use one of {}", s, $what, codes.join(", "))
                })
            }
        }
    };
}
