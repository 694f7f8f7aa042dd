//! What citizens type at the kiosk, and the service they mean: each must be
//! among the first three results. Affixes, abbreviations, typos, unfinished
//! words and English, over the demo catalog (tests/data/search-queries.tsv).

use anjungan::catalog::{Catalog, demo};
use anjungan::search::SearchIndex;

#[test]
fn citizens_find_what_they_mean() {
    check(demo::bundle(), include_str!("data/search-queries.tsv"));
}

/// A catalog and queries written without sight of the search code or the
/// demo catalog (another region, other wording, sparse keywords, services
/// in Indonesian only), as outside acceptance tests will be.
#[test]
fn held_out_catalog_and_queries() {
    let bundle = anjungan::catalog::parse(include_bytes!("data/held-out-catalog.json")).unwrap();
    check(bundle, include_str!("data/held-out-queries.tsv"));
}

fn check(bundle: anjungan::catalog::Bundle, table: &str) {
    let catalog = Catalog::new(bundle, None);
    let index = SearchIndex::build(&catalog);
    let mut failures = Vec::new();
    let mut rows = 0;
    for line in table.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [query, _lang, expected, kind] = cols[..] else {
            panic!("a row needs query, lang, expected, kind: {line:?}");
        };
        assert!(
            catalog.service(expected).is_some(),
            "{expected} is not in the demo catalog"
        );
        rows += 1;
        let top: Vec<&str> = index
            .search(query, 3)
            .iter()
            .map(|h| h.service(&catalog).id.as_str())
            .collect();
        if !top.contains(&expected) {
            failures.push(format!(
                "{kind:<12} {query:<30} wanted {expected}, got {top:?}"
            ));
        }
    }
    assert!(rows >= 40, "the table has {rows} queries");
    assert!(
        failures.is_empty(),
        "{} of {rows} queries missed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
