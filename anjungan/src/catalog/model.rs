//! The catalog's types, shaped exactly like the bundle format
//! (`../shared/spec/catalog-format.md`) so that export writes back what
//! import read. Fields the format does not list are dropped on import.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// The one format name a bundle may carry.
pub const FORMAT: &str = "anjungan-catalog";
/// The newest bundle version this build understands.
pub const VERSION: u64 = 1;

/// Text in several languages, keyed by lower-case BCP 47 code. Indonesian
/// (`id`) is always present: it is what every other language falls back to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Text(BTreeMap<String, String>);

impl Text {
    /// Text in Indonesian only.
    pub fn id(indonesian: impl Into<String>) -> Text {
        Text(BTreeMap::from([("id".to_owned(), indonesian.into())]))
    }

    /// Adds or replaces one language.
    pub fn with(mut self, lang: &str, text: impl Into<String>) -> Text {
        self.0.insert(lang.to_owned(), text.into());
        self
    }

    /// The text in `lang`, or in Indonesian where `lang` is missing.
    pub fn get(&self, lang: &str) -> &str {
        self.0
            .get(lang)
            .filter(|s| !s.is_empty())
            .or_else(|| self.0.get("id"))
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// Every language's text, for search.
    pub fn languages(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(r#"a text object such as {"id": "...", "en": "..."}"#)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
                let mut texts = BTreeMap::new();
                while let Some((lang, text)) = map.next_entry::<String, String>()? {
                    texts.insert(lang, text);
                }
                if !texts.contains_key("id") {
                    return Err(serde::de::Error::custom(
                        "text without Indonesian (\"id\"); every text needs at least {\"id\": \"...\"}",
                    ));
                }
                Ok(Text(texts))
            }
        }
        d.deserialize_map(TextVisitor)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    pub format: String,
    pub version: u64,
    /// RFC 3339, kept as written so export returns it unchanged.
    pub published: String,
    pub region: Region,
    pub categories: Vec<Category>,
    pub offices: Vec<Office>,
    pub services: Vec<Service>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub announcements: Vec<Announcement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    /// Kemendagri region code, e.g. `32.73`.
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub id: String,
    pub name: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Office {
    pub id: String,
    pub name: Text,
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hours: Vec<Hours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// One line of opening hours, local time: `{"days": "mon-fri", "open": "08:00", "close": "15:30"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hours {
    pub days: String,
    pub open: String,
    pub close: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub id: String,
    pub category: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<String>,
    pub name: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Persyaratan, one item each.
    pub requirements: Vec<Text>,
    /// Prosedur, one step each.
    pub procedure: Vec<Text>,
    /// Jangka waktu.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<Text>,
    /// Biaya; absent means the publisher did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee: Option<Fee>,
    /// Produk pelayanan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<Text>,
    /// Penanganan pengaduan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complaints: Option<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub legal_basis: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_prefix: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    /// Whole Rupiah; 0 means free.
    pub amount: u64,
    pub currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
}

impl Fee {
    pub fn is_free(&self) -> bool {
        self.amount == 0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    pub id: String,
    pub title: Text,
    pub body: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_falls_back_to_indonesian() {
        let t = Text::id("Akta Kelahiran").with("en", "Birth certificate");
        assert_eq!(t.get("en"), "Birth certificate");
        assert_eq!(t.get("su"), "Akta Kelahiran");
        let empty_en = Text::id("Akta").with("en", "");
        assert_eq!(empty_en.get("en"), "Akta");
    }

    #[test]
    fn text_needs_indonesian() {
        let e = serde_json::from_str::<Text>(r#"{"en": "Birth certificate"}"#).unwrap_err();
        assert!(e.to_string().contains("\"id\""), "{e}");
        let t: Text = serde_json::from_str(r#"{"id": "Akta", "jv": "Akta"}"#).unwrap();
        assert_eq!(t.get("jv"), "Akta");
    }
}
