//! `anjungan catalog search` gives exactly what the library gives, on the
//! catalog installed on the device.

use anjungan::catalog::{Catalog, demo};
use anjungan::search::SearchIndex;
use serde_json::Value;
use tests::{Device, stderr};

fn cli_ids(device: &Device, query: &str, lang: &str, limit: &str) -> Vec<(String, String)> {
    let out = device.run(
        "anjungan",
        &[
            "catalog", "search", query, "--lang", lang, "--limit", limit, "--json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    results
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn command_line_and_library_agree() {
    let device = Device::new();
    let catalog = Catalog::new(demo::bundle(), None);
    let index = SearchIndex::build(&catalog);
    for query in [
        "akte lahir",
        "kartu keluraga",
        "pajak ken",
        "birth certificate",
        "ktp",
        "zzzz",
    ] {
        let library: Vec<(String, String)> = index
            .search(query, 7)
            .iter()
            .map(|h| {
                let s = h.service(&catalog);
                (s.id.clone(), s.name.get("en").to_owned())
            })
            .collect();
        assert_eq!(cli_ids(&device, query, "en", "7"), library, "{query}");
    }
}

#[test]
fn results_follow_the_installed_catalog() {
    let device = Device::new();
    let mut b = demo::bundle();
    b.services.retain(|s| !s.id.contains("akta"));
    let file = device.path("no-akta.json");
    std::fs::write(&file, anjungan::catalog::to_json(&b)).unwrap();
    assert!(device.import(&file).0);
    let ids = cli_ids(&device, "akta", "id", "10");
    assert!(ids.iter().all(|(id, _)| !id.contains("akta")), "{ids:?}");
}

#[test]
fn limit_and_language_are_checked() {
    let device = Device::new();
    let out = device.run("anjungan", &["catalog", "search", "akta", "--limit", "0"]);
    assert!(!out.status.success());
    let out = device.run("anjungan", &["catalog", "search", "akta", "--lang", "fr"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("id") && stderr(&out).contains("en"),
        "{}",
        stderr(&out)
    );
}
