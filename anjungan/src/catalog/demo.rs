//! The demo catalog built into every program: a real-looking region, shown
//! until a region installs its own, so a first run needs no set-up.

use super::model::Bundle;

const DEMO_JSON: &str = include_str!("../../data/demo-catalog.json");

/// The demo catalog's bundle text, exactly as shipped.
pub fn json() -> &'static str {
    DEMO_JSON
}

/// The demo catalog. It is validated by the same rules as any import; a
/// test keeps it valid.
pub fn bundle() -> Bundle {
    super::parse(DEMO_JSON.as_bytes()).expect("the built-in demo catalog is valid")
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn demo_is_valid_and_complete() {
        let b = bundle();
        assert!(b.services.len() >= 60, "{} services", b.services.len());
        assert!(b.categories.len() >= 8);
        assert!(!b.announcements.is_empty());
        let mut per_category: HashMap<&str, usize> = HashMap::new();
        for s in &b.services {
            *per_category.entry(&s.category).or_default() += 1;
            let bilingual = |t: &super::super::Text| t.languages().any(|(l, _)| l == "en");
            assert!(bilingual(&s.name), "{}: name needs English", s.id);
            for field in [&s.summary, &s.duration, &s.product, &s.complaints] {
                assert!(
                    field.as_ref().is_some_and(bilingual),
                    "{}: every Standar Pelayanan field in id and en",
                    s.id
                );
            }
            assert!(
                !s.requirements.is_empty() && s.requirements.iter().all(bilingual),
                "{}",
                s.id
            );
            assert!(
                !s.procedure.is_empty() && s.procedure.iter().all(bilingual),
                "{}",
                s.id
            );
            assert!(
                s.fee.is_some() && s.office.is_some() && s.online_url.is_some(),
                "{}",
                s.id
            );
        }
        assert!(
            b.categories
                .iter()
                .all(|c| per_category.contains_key(c.id.as_str()))
        );
        assert!(b.offices.iter().all(|o| !o.hours.is_empty()));
    }
}
