//! Which services the survey and complaint forms offer: the whole catalog
//! by category when it is short enough for a phone's list, else only what
//! the visitor searched for (through the one search function), and always
//! the service they came from.

use anjungan::Lang;

use super::views::{Choice, ServicePicker};
use crate::portal::Services;

/// Longest catalog listed whole; a longer one is searched.
pub const MAX_LISTED: usize = 150;
/// Search hits offered.
const HITS: usize = 20;
/// Longest query read, as on `/layanan`.
pub const MAX_QUERY_CHARS: usize = 200;

/// The picker for `lang`, narrowed by `query`, with `chosen` selected when
/// the catalog has it.
pub fn picker(
    services: &Services,
    lang: Lang,
    query: Option<&str>,
    chosen: Option<&str>,
) -> ServicePicker {
    let catalog = &services.catalog;
    let code = lang.code();
    let query: String = query
        .unwrap_or("")
        .trim()
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect();
    let chosen = chosen
        .and_then(|id| catalog.service(id))
        .map(|s| s.id.clone());
    let search_only = catalog.services().len() > MAX_LISTED;
    let mut offered: Vec<&anjungan::catalog::Service> = if !query.is_empty() {
        services
            .index
            .search(&query, HITS)
            .iter()
            .map(|h| h.service(catalog))
            .collect()
    } else if search_only {
        Vec::new()
    } else {
        catalog.services().iter().collect()
    };
    if let Some(s) = chosen.as_deref().and_then(|id| catalog.service(id))
        && !offered.iter().any(|o| o.id == s.id)
    {
        offered.insert(0, s);
    }
    // Grouped by category, in the order the categories first appear.
    let mut groups: Vec<(String, Vec<Choice>)> = Vec::new();
    for s in offered {
        let name = catalog
            .category(&s.category)
            .map_or_else(|| s.category.clone(), |c| c.name.get(code).to_owned());
        let choice = Choice {
            value: s.id.clone(),
            label: s.name.get(code).to_owned(),
        };
        match groups.iter_mut().find(|(g, _)| *g == name) {
            Some((_, list)) => list.push(choice),
            None => groups.push((name, vec![choice])),
        }
    }
    ServicePicker {
        groups,
        chosen,
        query,
        search_only,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anjungan::catalog::{Catalog, demo};
    use anjungan::search::SearchIndex;

    fn services(bundle: anjungan::catalog::Bundle) -> Services {
        let catalog = Catalog::new(bundle, None);
        let index = SearchIndex::build(&catalog);
        Services { catalog, index }
    }

    fn offered(p: &ServicePicker) -> Vec<&str> {
        p.groups
            .iter()
            .flat_map(|(_, l)| l.iter().map(|c| c.value.as_str()))
            .collect()
    }

    #[test]
    fn a_short_catalog_is_listed_whole_by_category() {
        let s = services(demo::bundle());
        let p = picker(&s, Lang::Id, None, Some("akta-kelahiran"));
        assert_eq!(offered(&p).len(), s.catalog.services().len());
        assert_eq!(p.chosen.as_deref(), Some("akta-kelahiran"));
        let categories: Vec<_> = p.groups.iter().map(|(g, _)| g.as_str()).collect();
        let mut unique = categories.clone();
        unique.dedup();
        assert_eq!(categories, unique, "each category once");
    }

    #[test]
    fn a_search_narrows_and_an_unknown_choice_is_dropped() {
        let s = services(demo::bundle());
        let p = picker(
            &s,
            Lang::En,
            Some("  akta kelahiran "),
            Some("no-such-service"),
        );
        assert!(offered(&p).contains(&"akta-kelahiran"), "{:?}", offered(&p));
        assert!(offered(&p).len() <= HITS);
        assert_eq!(p.chosen, None);
        assert_eq!(p.query, "akta kelahiran");
    }

    #[test]
    fn a_long_catalog_offers_only_the_search_and_the_chosen_service() {
        let mut bundle = demo::bundle();
        let first = bundle.services[0].clone();
        for i in 0..MAX_LISTED {
            let mut copy = first.clone();
            copy.id = format!("copy-{i}");
            bundle.services.push(copy);
        }
        let s = services(bundle);
        let p = picker(&s, Lang::Id, None, Some("copy-7"));
        assert!(p.search_only);
        assert_eq!(offered(&p), vec!["copy-7"]);
    }
}
