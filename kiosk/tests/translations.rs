//! Every interface string the views mark with `@tr` has its Indonesian in
//! `lang/id/LC_MESSAGES/kiosk.po`, and the .po has nothing stale: a string
//! added in English without a translation fails here, not at the kiosk.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn slint_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            slint_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "slint") {
            out.push(path);
        }
    }
}

/// Reads a string literal starting after its opening quote; returns the
/// unescaped text and the rest.
fn literal(s: &str) -> (String, &str) {
    let mut text = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, e)) = chars.next() {
                    text.push(e);
                }
            }
            '"' => return (text, &s[i + 1..]),
            _ => text.push(c),
        }
    }
    panic!("unterminated string in a .slint file");
}

/// The English strings of every `@tr("…")`, singular and plural.
fn tr_strings() -> BTreeSet<String> {
    let mut files = Vec::new();
    slint_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("ui"),
        &mut files,
    );
    let mut found = BTreeSet::new();
    for file in files {
        let source = fs::read_to_string(&file).unwrap();
        let mut rest = source.as_str();
        while let Some(at) = rest.find("@tr(\"") {
            let (text, after) = literal(&rest[at + 5..]);
            found.insert(text);
            rest = after;
            // A plural form: `"one" | "many" % n`.
            let trimmed = rest.trim_start();
            if let Some(plural) = trimmed.strip_prefix("| \"") {
                let (text, after) = literal(plural);
                found.insert(text);
                rest = after;
            }
        }
    }
    found
}

/// msgid and msgid_plural entries with a non-empty translation.
fn po_entries() -> (BTreeSet<String>, Vec<String>) {
    let po = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("lang/id/LC_MESSAGES/kiosk.po"),
    )
    .unwrap();
    let mut ids = BTreeSet::new();
    let mut untranslated = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for line in po.lines() {
        let quoted = |prefix: &str| {
            line.strip_prefix(prefix)
                .map(|rest| literal(rest.trim_start().strip_prefix('"').unwrap()).0)
        };
        if let Some(id) = quoted("msgid_plural").or_else(|| quoted("msgid ")) {
            if !line.starts_with("msgid_plural") {
                current.clear();
            }
            if !id.is_empty() {
                current.push(id.clone());
                ids.insert(id);
            }
        } else if let Some(text) = quoted("msgstr[0]").or_else(|| quoted("msgstr "))
            && text.is_empty()
        {
            untranslated.append(&mut current);
        }
    }
    (ids, untranslated)
}

#[test]
fn every_interface_string_is_translated_to_indonesian() {
    let wanted = tr_strings();
    let (translated, untranslated) = po_entries();
    assert!(wanted.len() > 40, "found only {} @tr strings", wanted.len());
    let missing: Vec<_> = wanted.difference(&translated).collect();
    assert!(missing.is_empty(), "no Indonesian for: {missing:#?}");
    assert!(
        untranslated.is_empty(),
        "empty translations: {untranslated:#?}"
    );
    let stale: Vec<_> = translated.difference(&wanted).collect();
    assert!(
        stale.is_empty(),
        "translations of strings no view uses: {stale:#?}"
    );
}
