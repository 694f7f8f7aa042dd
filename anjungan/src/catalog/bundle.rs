//! Reading a bundle: every refusal that `catalog-format.md` lists, each
//! naming the place (`services[12].category: unknown category "pajak-daerah"`),
//! and writing one back out.

use std::collections::HashSet;
use std::fmt;

use serde_json::Value;

use super::model::{Bundle, FORMAT, VERSION};

/// The largest bundle accepted. A region's real catalog is a few megabytes;
/// the bound keeps a wrong file from exhausting a small device's memory.
pub const MAX_BUNDLE_BYTES: usize = 128 * 1024 * 1024;

/// Why a bundle was refused, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {message}")]
pub struct Refusal {
    /// A path into the document (`services[12].category`) or a position
    /// (`line 3, column 7`) for JSON that does not parse.
    pub place: String,
    pub message: String,
}

impl Refusal {
    fn at(place: impl fmt::Display, message: impl Into<String>) -> Refusal {
        Refusal {
            place: place.to_string(),
            message: message.into(),
        }
    }
}

/// Parses and validates a bundle. Nothing about the device is touched.
pub fn parse(bytes: &[u8]) -> Result<Bundle, Refusal> {
    if bytes.len() > MAX_BUNDLE_BYTES {
        return Err(Refusal::at(
            "bundle",
            format!(
                "{} bytes is larger than the {} MiB a device accepts; split or trim the catalog",
                bytes.len(),
                MAX_BUNDLE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        Refusal::at(
            format_args!("line {}, column {}", e.line(), e.column()),
            format!("not valid JSON ({})", strip_position(&e.to_string())),
        )
    })?;
    check_header(&value)?;
    let bundle: Bundle = serde_path_to_error::deserialize(value).map_err(|e| {
        let place = e.path().to_string();
        let place = if place == "." { "bundle".into() } else { place };
        Refusal::at(place, e.into_inner().to_string())
    })?;
    check(&bundle)?;
    Ok(bundle)
}

/// The bundle as JSON, in the format it was read in.
pub fn to_json(bundle: &Bundle) -> String {
    let mut json = serde_json::to_string_pretty(bundle).expect("a Bundle always serialises");
    json.push('\n');
    json
}

/// serde_json appends " at line L column C"; the place already says it.
fn strip_position(message: &str) -> &str {
    message.split(" at line ").next().unwrap_or(message)
}

/// Format and version first, so a newer bundle gets "update Anjungan"
/// rather than a complaint about some field it added.
fn check_header(value: &Value) -> Result<(), Refusal> {
    let Some(top) = value.as_object() else {
        return Err(Refusal::at("bundle", "must be a JSON object"));
    };
    match top.get("format") {
        None => {
            return Err(Refusal::at(
                "format",
                "missing; this is not an Anjungan catalog bundle",
            ));
        }
        Some(Value::String(f)) if f == FORMAT => {}
        Some(other) => {
            return Err(Refusal::at(
                "format",
                format!("{other} is not \"{FORMAT}\"; this is not an Anjungan catalog bundle"),
            ));
        }
    }
    match top.get("version") {
        None => Err(Refusal::at(
            "version",
            "missing; the format needs \"version\": 1",
        )),
        Some(v) => match v.as_u64() {
            Some(n) if n > VERSION => Err(Refusal::at(
                "version",
                format!(
                    "{n} is newer than this device understands ({VERSION}); update Anjungan before importing this catalog"
                ),
            )),
            Some(n) if n >= 1 => Ok(()),
            _ => Err(Refusal::at(
                "version",
                format!("{v} is not a version; use 1"),
            )),
        },
    }
}

pub(crate) fn is_slug(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn check_id<'a>(
    seen: &mut HashSet<&'a str>,
    place: impl Fn() -> String,
    id: &'a str,
) -> Result<(), Refusal> {
    if !is_slug(id) {
        return Err(Refusal::at(
            place(),
            format!("\"{id}\" is not a valid id; use 1 to 64 lower-case letters, digits and '-'"),
        ));
    }
    if !seen.insert(id) {
        return Err(Refusal::at(place(), format!("id \"{id}\" is used twice")));
    }
    Ok(())
}

fn check_time(
    place: impl Fn() -> String,
    value: &str,
) -> Result<chrono::DateTime<chrono::FixedOffset>, Refusal> {
    chrono::DateTime::parse_from_rfc3339(value).map_err(|_| {
        Refusal::at(
            place(),
            format!("\"{value}\" is not an RFC 3339 time such as \"2026-11-01T08:00:00+07:00\""),
        )
    })
}

/// Everything the types alone do not say.
fn check(b: &Bundle) -> Result<(), Refusal> {
    check_time(|| "published".into(), &b.published)?;
    if b.region.code.trim().is_empty() {
        return Err(Refusal::at("region.code", "must not be empty"));
    }
    if b.categories.is_empty() {
        return Err(Refusal::at("categories", "needs at least one category"));
    }

    let mut categories = HashSet::new();
    for (i, c) in b.categories.iter().enumerate() {
        check_id(&mut categories, || format!("categories[{i}].id"), &c.id)?;
    }

    let mut offices = HashSet::new();
    for (i, o) in b.offices.iter().enumerate() {
        check_id(&mut offices, || format!("offices[{i}].id"), &o.id)?;
        for (j, h) in o.hours.iter().enumerate() {
            super::hours::OpeningHours::parse(h)
                .map_err(|m| Refusal::at(format!("offices[{i}].hours[{j}]"), m))?;
        }
        if let Some(l) = o.location
            && (!(-90.0..=90.0).contains(&l.lat) || !(-180.0..=180.0).contains(&l.lon))
        {
            return Err(Refusal::at(
                format!("offices[{i}].location"),
                "latitude must be within -90..90 and longitude within -180..180",
            ));
        }
    }

    let mut services = HashSet::new();
    for (i, s) in b.services.iter().enumerate() {
        let at = |field: &str| format!("services[{i}].{field}");
        check_id(&mut services, || at("id"), &s.id)?;
        if !categories.contains(s.category.as_str()) {
            return Err(Refusal::at(
                at("category"),
                format!("unknown category \"{}\"", s.category),
            ));
        }
        if let Some(office) = &s.office
            && !offices.contains(office.as_str())
        {
            return Err(Refusal::at(
                at("office"),
                format!("unknown office \"{office}\""),
            ));
        }
        if let Some(url) = &s.online_url
            && !is_https_url(url)
        {
            return Err(Refusal::at(
                at("online_url"),
                format!(
                    "\"{url}\" is not an https:// address; only secure addresses are shown to citizens"
                ),
            ));
        }
        if let Some(p) = &s.queue_prefix
            && !((1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(Refusal::at(
                at("queue_prefix"),
                format!("\"{p}\" is not allowed; use one to three capital letters such as \"A\""),
            ));
        }
        if let Some(fee) = &s.fee
            && fee.currency != "IDR"
        {
            return Err(Refusal::at(
                at("fee.currency"),
                format!("\"{}\" is not supported; use \"IDR\"", fee.currency),
            ));
        }
        if s.name.get("id").trim().is_empty() {
            return Err(Refusal::at(at("name.id"), "must not be empty"));
        }
    }

    let mut announcements = HashSet::new();
    for (i, a) in b.announcements.iter().enumerate() {
        check_id(
            &mut announcements,
            || format!("announcements[{i}].id"),
            &a.id,
        )?;
        let from = a
            .from
            .as_deref()
            .map(|t| check_time(|| format!("announcements[{i}].from"), t))
            .transpose()?;
        let until = a
            .until
            .as_deref()
            .map(|t| check_time(|| format!("announcements[{i}].until"), t))
            .transpose()?;
        if let (Some(from), Some(until)) = (from, until)
            && until < from
        {
            return Err(Refusal::at(
                format!("announcements[{i}].until"),
                "is before \"from\"",
            ));
        }
    }
    Ok(())
}

/// `https://` followed by a host, no white space: what a phone can open from
/// a QR code.
fn is_https_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    !host.is_empty() && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_urls() {
        assert!(is_https_url("https://oss.go.id"));
        assert!(is_https_url("https://lapor.go.id/path?q=1"));
        assert!(!is_https_url("http://oss.go.id"));
        assert!(!is_https_url("https://"));
        assert!(!is_https_url("https:///path"));
        assert!(!is_https_url("https://a b"));
        assert!(!is_https_url("javascript:alert(1)"));
    }

    #[test]
    fn slugs() {
        assert!(is_slug("akta-kelahiran-2"));
        assert!(!is_slug(""));
        assert!(!is_slug("Akta"));
        assert!(!is_slug("akta_lahir"));
        assert!(!is_slug(&"a".repeat(65)));
    }
}
