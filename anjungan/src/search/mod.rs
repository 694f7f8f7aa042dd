//! Search-as-you-type over the catalog, in Bahasa Indonesia and English.
//!
//! Built once per catalog, in memory; every keystroke is one [`SearchIndex::search`].
//! A query word matches a catalog word by, from best to weakest:
//! the same word; the same stem (`pendaftaran` ~ `daftar`); an everyday
//! equivalent or abbreviation (`akte` ~ `akta`, `kk` ~ "Kartu Keluarga");
//! a completion of the word still being typed (`kel` → `kelahiran`); or a
//! typo of one or two letters (`kelahran`). Where a word matters as much as
//! where it is found: a service whose name matches ranks above one that
//! only mentions the word among its requirements.
//!
//! The library, `anjungan catalog search`, the kiosk and the portal all call
//! this one function, so they all give the same results.

mod fuzzy;
mod language;
mod normalize;

use std::collections::HashMap;

use crate::catalog::{Catalog, Service, Text};
use fuzzy::FuzzyIndex;
use language::{ABBREVIATIONS, EQUIVALENTS, Stemmers, is_stop_word};

pub use normalize::words;

/// How much a word counts by where it stands in a service.
mod weight {
    pub const NAME: f32 = 10.0;
    pub const KEYWORD: f32 = 7.0;
    pub const CATEGORY: f32 = 3.0;
    pub const SUMMARY: f32 = 3.0;
    pub const PRODUCT: f32 = 1.5;
    pub const REQUIREMENT: f32 = 1.0;
}

/// How much a match counts by how the query word reached the catalog word.
mod quality {
    pub const EXACT: f32 = 1.0;
    /// The catalog word is only the stem of what the service says.
    pub const STEM_IN_TEXT: f32 = 0.85;
    pub const STEM: f32 = 0.9;
    pub const EQUIVALENT: f32 = 0.85;
    /// Completions: scaled by how much of the word is typed.
    pub const PREFIX_MIN: f32 = 0.6;
    pub const PREFIX_SPAN: f32 = 0.15;
    pub const ONE_TYPO: f32 = 0.65;
    pub const TWO_TYPOS: f32 = 0.45;
}

/// A word still being typed expands to at most this many completions, the
/// most common first; one or two letters would otherwise touch every word.
const MAX_COMPLETIONS: usize = 64;
/// A query longer than this many words is cut: nobody types more at a
/// kiosk, and the bound keeps a pasted text from costing anything.
const MAX_QUERY_WORDS: usize = 12;

#[derive(Debug, Clone, Copy)]
struct Posting {
    doc: u32,
    weight: f32,
}

/// One result: a service of the catalog the index was built from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Position in [`Catalog::services`].
    pub service: usize,
    pub score: f32,
    /// How many of the query's words this service matched.
    pub matched_words: usize,
}

impl Hit {
    pub fn service<'a>(&self, catalog: &'a Catalog) -> &'a Service {
        &catalog.services()[self.service]
    }
}

pub struct SearchIndex {
    /// Every word of the catalog, and every stem and abbreviation of one, sorted.
    words: Vec<Box<str>>,
    /// Per word: the services it occurs in, with the best weight there.
    postings: Vec<Vec<Posting>>,
    /// Per word: inverse document frequency; rare words say more.
    idf: Vec<f32>,
    fuzzy: FuzzyIndex,
    /// Per service: words in its Indonesian name, to prefer the service
    /// whose name says only what was asked.
    name_len: Vec<u16>,
    stemmers: Stemmers,
}

/// Collects one service's words with the best weight each.
struct DocWords<'a> {
    stemmers: &'a Stemmers,
    stems: &'a mut HashMap<String, (String, String)>,
    words: HashMap<String, f32>,
}

impl DocWords<'_> {
    fn add(&mut self, word: &str, weight: f32) {
        let best = self.words.entry(word.to_owned()).or_insert(0.0);
        *best = best.max(weight);
    }

    /// Adds `text` in language `lang` (`None`: either, as for keywords).
    fn text(&mut self, text: &str, lang: Option<&str>, weight: f32) {
        let words = normalize::words(text);
        for (abbreviation, phrase) in ABBREVIATIONS {
            if words.windows(phrase.len()).any(|w| w == *phrase) {
                self.add(abbreviation, weight);
            }
            if words.iter().any(|w| w == abbreviation) {
                for word in phrase.iter().filter(|w| !is_stop_word(w)) {
                    self.add(word, weight * quality::EQUIVALENT);
                }
            }
        }
        for compound in normalize::compounds(text) {
            self.add(&compound, weight);
        }
        for word in &words {
            if is_stop_word(word) {
                continue;
            }
            self.add(word, weight);
            let stemmers = self.stemmers;
            let (id, en) = self
                .stems
                .entry(word.clone())
                .or_insert_with(|| (stemmers.indonesian(word), stemmers.english(word)));
            let (id, en) = (id.clone(), en.clone());
            let stemmed = weight * quality::STEM_IN_TEXT;
            if lang != Some("en") && id != *word {
                self.add(&id, stemmed);
            }
            if lang != Some("id") && en != *word {
                self.add(&en, stemmed);
            }
        }
    }

    fn multilingual(&mut self, text: &Text, weight: f32) {
        for (lang, t) in text.languages() {
            self.text(t, Some(lang), weight);
        }
    }
}

impl SearchIndex {
    pub fn build(catalog: &Catalog) -> SearchIndex {
        let stemmers = Stemmers::new();
        let mut stems = HashMap::new();
        let mut all: HashMap<String, Vec<Posting>> = HashMap::new();
        let mut name_len = Vec::with_capacity(catalog.services().len());
        let category_names: HashMap<&str, &Text> = catalog
            .bundle()
            .categories
            .iter()
            .map(|c| (c.id.as_str(), &c.name))
            .collect();

        for (doc, s) in catalog.services().iter().enumerate() {
            let mut d = DocWords {
                stemmers: &stemmers,
                stems: &mut stems,
                words: HashMap::new(),
            };
            d.multilingual(&s.name, weight::NAME);
            for k in &s.keywords {
                d.text(k, None, weight::KEYWORD);
            }
            if let Some(name) = category_names.get(s.category.as_str()) {
                d.multilingual(name, weight::CATEGORY);
            }
            if let Some(summary) = &s.summary {
                d.multilingual(summary, weight::SUMMARY);
            }
            if let Some(product) = &s.product {
                d.multilingual(product, weight::PRODUCT);
            }
            for r in &s.requirements {
                d.multilingual(r, weight::REQUIREMENT);
            }
            for (word, weight) in d.words {
                all.entry(word).or_default().push(Posting {
                    doc: doc as u32,
                    weight,
                });
            }
            let n = normalize::words(s.name.get("id")).len();
            name_len.push(n.min(u16::MAX as usize) as u16);
        }

        let mut sorted: Vec<(String, Vec<Posting>)> = all.into_iter().collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let docs = catalog.services().len().max(1) as f32;
        let idf = sorted
            .iter()
            .map(|(_, p)| (1.0 + docs / p.len() as f32).ln())
            .collect();
        let (words, postings): (Vec<Box<str>>, Vec<Vec<Posting>>) = sorted
            .into_iter()
            .map(|(w, p)| (w.into_boxed_str(), p))
            .unzip();
        let fuzzy = FuzzyIndex::build(words.iter().map(|w| &**w));
        SearchIndex {
            words,
            postings,
            idf,
            fuzzy,
            name_len,
            stemmers,
        }
    }

    fn find(&self, word: &str) -> Option<usize> {
        self.words.binary_search_by(|w| (**w).cmp(word)).ok()
    }

    /// Adds the completions of `typed`, the most common first, at quality
    /// `floor` and up: a completion counts a little more the more of it is
    /// typed.
    fn complete(&self, typed: &str, floor: f32, found: &mut Vec<(usize, f32)>) {
        let start = self.words.partition_point(|w| **w < *typed);
        let mut completions: Vec<usize> = (start..self.words.len())
            .take_while(|&n| self.words[n].starts_with(typed))
            .filter(|&n| *self.words[n] != *typed)
            .collect();
        if completions.len() > MAX_COMPLETIONS {
            completions.sort_by_key(|&n| std::cmp::Reverse(self.postings[n].len()));
            completions.truncate(MAX_COMPLETIONS);
        }
        let typed_len = typed.chars().count() as f32;
        for n in completions {
            let done = typed_len / self.words[n].chars().count() as f32;
            let q = floor + quality::PREFIX_SPAN * done;
            if !found.iter().any(|(m, _)| *m == n) {
                found.push((n, q));
            }
        }
    }

    /// The catalog words a query word stands for, with how well each
    /// matches it.
    fn expand(&self, typed: &str, still_typing: bool) -> Vec<(usize, f32)> {
        let mut found: Vec<(usize, f32)> = Vec::new();
        let push = |found: &mut Vec<(usize, f32)>, n: usize, q: f32| match found
            .iter_mut()
            .find(|(m, _)| *m == n)
        {
            Some((_, best)) => *best = best.max(q),
            None => found.push((n, q)),
        };

        if let Some(n) = self.find(typed) {
            push(&mut found, n, quality::EXACT);
        }
        let stems = [
            self.stemmers.indonesian(typed),
            self.stemmers.english(typed),
        ];
        for stem in &stems {
            if stem != typed
                && let Some(n) = self.find(stem)
            {
                push(&mut found, n, quality::STEM);
            }
        }
        for base in std::iter::once(typed).chain(stems.iter().map(String::as_str)) {
            for other in EQUIVALENTS.get(base).into_iter().flatten() {
                if let Some(n) = self.find(other) {
                    push(&mut found, n, quality::EQUIVALENT);
                }
            }
        }

        if still_typing {
            self.complete(typed, quality::PREFIX_MIN, &mut found);
        }

        // Typos only when the word means nothing as typed: a real word is
        // what the citizen meant.
        if found.is_empty() {
            for (n, distance) in self.fuzzy.near(typed, |n| &self.words[n as usize]) {
                let q = if distance == 1 {
                    quality::ONE_TYPO
                } else {
                    quality::TWO_TYPOS
                };
                push(&mut found, n as usize, q);
            }
        }
        // A wrong key just pressed, in a word still being typed: complete
        // what came before it.
        if found.is_empty() && still_typing && typed.chars().count() >= 5 {
            let mut shorter = typed.to_owned();
            shorter.pop();
            self.complete(&shorter, quality::TWO_TYPOS, &mut found);
        }
        found
    }

    /// The services matching `query`, best first, at most `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let mut words = normalize::words(query);
        let still_typing = normalize::ends_mid_word(query);
        words.truncate(MAX_QUERY_WORDS);
        let last = words.len().saturating_sub(1);
        let mut query_words: Vec<(String, bool)> = words
            .into_iter()
            .enumerate()
            .map(|(i, w)| (w, still_typing && i == last))
            .collect();
        // "cara buat akta" is about akta; but a query of stop words alone
        // still searches for them.
        if query_words.iter().any(|(w, _)| !is_stop_word(w)) {
            query_words.retain(|(w, _)| !is_stop_word(w));
        }
        query_words.dedup();
        if query_words.is_empty() || limit == 0 {
            return Vec::new();
        }

        let docs = self.name_len.len();
        let mut total = vec![0f32; docs];
        let mut matched = vec![0u8; docs];
        let mut best = vec![0f32; docs];
        let mut touched: Vec<u32> = Vec::new();
        let mut any: Vec<u32> = Vec::new();
        for (typed, still_typing) in &query_words {
            let expansions = self.expand(typed, *still_typing);
            // How telling the word is comes from what it most likely means,
            // not from each of its expansions: a rare word one typo away
            // must not outrank the common word the citizen meant.
            let Some(meant) = expansions.iter().max_by(|a, b| {
                a.1.total_cmp(&b.1)
                    .then(self.postings[a.0].len().cmp(&self.postings[b.0].len()))
            }) else {
                continue;
            };
            let idf = self.idf[meant.0];
            for (n, q) in expansions {
                for p in &self.postings[n] {
                    let slot = &mut best[p.doc as usize];
                    if *slot == 0.0 {
                        touched.push(p.doc);
                    }
                    *slot = slot.max(p.weight * q);
                }
            }
            for &doc in &touched {
                let d = doc as usize;
                if matched[d] == 0 {
                    any.push(doc);
                }
                total[d] += best[d] * idf;
                matched[d] += 1;
                best[d] = 0.0;
            }
            touched.clear();
        }

        let asked = query_words.len() as f32;
        let mut hits: Vec<Hit> = any
            .into_iter()
            .map(|doc| {
                let d = doc as usize;
                // Services that match only some of the words fall back, but a
                // strong match of most words (the name) can still beat a
                // weak match of all (a requirement mentioning each).
                let coverage = f32::from(matched[d]) / asked;
                // A short name that says what was asked beats a long one
                // that also says it.
                let brevity = 1.0 / (1.0 + f32::from(self.name_len[d]));
                Hit {
                    service: d,
                    score: (total[d] + brevity) * coverage * coverage,
                    matched_words: matched[d] as usize,
                }
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.service.cmp(&b.service)));
        hits.truncate(limit);
        hits
    }

    /// Distinct words in the index.
    pub fn word_count(&self) -> usize {
        self.words.len()
    }

    /// Approximate heap bytes held, for the benchmark.
    pub fn heap_bytes(&self) -> usize {
        let words: usize = self.words.iter().map(|w| w.len() + 16).sum();
        let postings: usize = self
            .postings
            .iter()
            .map(|p| p.capacity() * std::mem::size_of::<Posting>() + 24)
            .sum();
        words + postings + self.idf.len() * 4 + self.fuzzy.heap_bytes() + self.name_len.len() * 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::demo;

    fn catalog() -> Catalog {
        Catalog::new(demo::bundle(), None)
    }

    #[test]
    fn empty_and_stop_word_queries() {
        let c = catalog();
        let index = SearchIndex::build(&c);
        assert!(index.search("", 10).is_empty());
        assert!(index.search("   ", 10).is_empty());
        assert!(index.search("akta", 0).is_empty());
    }

    #[test]
    fn long_pasted_text_is_bounded() {
        let c = catalog();
        let index = SearchIndex::build(&c);
        let services =
            |q: &str| -> Vec<usize> { index.search(q, 5).iter().map(|h| h.service).collect() };
        let alone = services("akta");
        assert!(!alone.is_empty());
        // A word longer than any word is dropped and words past the
        // twelfth are not read: the pasted text searches for "akta" alone.
        let long_word = "x".repeat(100_000);
        let blob = format!("{long_word} {}paspor", "akta ".repeat(10_000));
        assert_eq!(services(&blob), alone);
        let twelfth = format!("{long_word} {}paspor", "akta ".repeat(11));
        assert_ne!(services(&twelfth), alone, "the twelfth word counts");
    }

    #[test]
    fn name_match_ranks_above_mention() {
        let c = catalog();
        let index = SearchIndex::build(&c);
        let hits = index.search("akta kelahiran", 10);
        let first = hits[0].service(&c);
        assert!(
            first.name.get("id").to_lowercase().contains("kelahiran"),
            "{:?}",
            first.name
        );
    }
}
