//! Large made-up catalogs, built from the demo catalog, for load tests and
//! benchmarks: what a province-wide catalog of thousands of services costs
//! a device to import and to search.

use super::demo;
use super::model::{Bundle, Service, Text};

/// Kecamatan of the demo region, to make each copy of a service distinct.
const PLACES: &[&str] = &[
    "Ajibarang",
    "Banyumas",
    "Baturraden",
    "Cilongok",
    "Gumelar",
    "Jatilawang",
    "Kalibagor",
    "Karanglewas",
    "Kebasen",
    "Kedungbanteng",
    "Kembaran",
    "Kemranjen",
    "Lumbir",
    "Patikraja",
    "Pekuncen",
    "Purwojati",
    "Purwokerto Barat",
    "Purwokerto Selatan",
    "Purwokerto Timur",
    "Purwokerto Utara",
    "Rawalo",
    "Sokaraja",
    "Somagede",
    "Sumbang",
    "Sumpiuh",
    "Tambak",
    "Wangon",
];

const SYLLABLES: &[&str] = &[
    "ba", "ka", "ma", "ra", "sa", "ta", "ja", "pa", "la", "na", "wi", "ri", "si", "ti", "ku", "mu",
    "ru", "su", "tu", "go", "lo", "no", "po", "ro", "so", "de", "ge", "ne", "ngan", "wan",
];

/// A catalog of `services` services: the demo services copied per place
/// with made-up words added, so the vocabulary grows with the size as a
/// real catalog's does. The same `seed` gives the same catalog.
pub fn bundle(services: usize, seed: u64) -> Bundle {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut b = demo::bundle();
    let templates = std::mem::take(&mut b.services);
    let word = |rng: &mut fastrand::Rng| -> String {
        (0..rng.usize(2..=4))
            .map(|_| SYLLABLES[rng.usize(..SYLLABLES.len())])
            .collect()
    };
    b.services = (0..services)
        .map(|i| {
            let t = &templates[i % templates.len()];
            let place = PLACES[(i / templates.len()) % PLACES.len()];
            let extra: Vec<String> = (0..3).map(|_| word(&mut rng)).collect();
            let suffix = |text: &Text| {
                let mut out = Text::id(format!("{} {place}", text.get("id")));
                for (lang, s) in text.languages().filter(|(l, _)| *l != "id") {
                    out = out.with(lang, format!("{s} {place}"));
                }
                out
            };
            let summary = t.summary.as_ref().map(|s| {
                let mut out = Text::id(format!("{} {}", s.get("id"), extra.join(" ")));
                for (lang, text) in s.languages().filter(|(l, _)| *l != "id") {
                    out = out.with(lang, text);
                }
                out
            });
            Service {
                id: format!("{}-{i}", t.id),
                name: suffix(&t.name),
                summary,
                keywords: t.keywords.iter().cloned().chain([word(&mut rng)]).collect(),
                ..t.clone()
            }
        })
        .collect();
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_catalog_is_valid_and_repeatable() {
        let b = bundle(500, 7);
        assert_eq!(b.services.len(), 500);
        let json = super::super::to_json(&b);
        assert_eq!(super::super::parse(json.as_bytes()).unwrap(), b);
        assert_eq!(bundle(500, 7), b);
    }
}
