//! Finding the words a citizen meant despite a typo on a touchscreen
//! keyboard: one or two letters wrong, missing, extra or swapped.
//!
//! A symmetric-delete index (the SymSpell idea): every word is stored under
//! the strings left after deleting up to two of its letters, and a typed
//! word looks up its own such strings. Two words within edit distance `k`
//! always share one, so a look-up costs a few dozen binary searches instead
//! of a comparison with every word of the catalog.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

pub struct FuzzyIndex {
    /// `(hash of a deletion variant, word number)`, sorted.
    entries: Vec<(u64, u32)>,
}

/// The edits allowed for a typed word of `len` letters: none for short
/// words, where one letter changes the word entirely ("kk" vs "kia").
pub fn allowed_edits(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// The deletions a stored word of `len` letters needs, so that any typed
/// word within its allowed edits shares a variant with it.
fn stored_depth(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=5 => 1,
        _ => 2,
    }
}

fn hash(chars: &[char]) -> u64 {
    let mut h = DefaultHasher::new();
    chars.hash(&mut h);
    h.finish()
}

/// Every string left after deleting at most `depth` letters, as hashes.
fn variants(word: &[char], depth: usize, out: &mut HashSet<u64>) {
    out.insert(hash(word));
    if depth == 0 || word.len() <= 1 {
        return;
    }
    let mut shorter = Vec::with_capacity(word.len() - 1);
    for i in 0..word.len() {
        shorter.clear();
        shorter.extend_from_slice(&word[..i]);
        shorter.extend_from_slice(&word[i + 1..]);
        variants(&shorter, depth - 1, out);
    }
}

impl FuzzyIndex {
    pub fn build<'a>(words: impl Iterator<Item = &'a str>) -> FuzzyIndex {
        let mut entries = Vec::new();
        let mut seen = HashSet::new();
        for (n, word) in words.enumerate() {
            let chars: Vec<char> = word.chars().collect();
            if chars.len() < 3 {
                continue;
            }
            seen.clear();
            variants(&chars, stored_depth(chars.len()), &mut seen);
            entries.extend(seen.iter().map(|&h| (h, n as u32)));
        }
        entries.sort_unstable();
        entries.dedup();
        FuzzyIndex { entries }
    }

    /// Word numbers within the allowed edits of `typed`, with their
    /// distance (1 or 2). `word` gives a word's text by number.
    pub fn near<'a>(&self, typed: &str, word: impl Fn(u32) -> &'a str) -> Vec<(u32, usize)> {
        let chars: Vec<char> = typed.chars().collect();
        let k = allowed_edits(chars.len());
        if k == 0 {
            return Vec::new();
        }
        let mut hashes = HashSet::new();
        variants(&chars, k, &mut hashes);
        let mut candidates = HashSet::new();
        for h in hashes {
            let start = self.entries.partition_point(|&(e, _)| e < h);
            candidates.extend(
                self.entries[start..]
                    .iter()
                    .take_while(|&&(e, _)| e == h)
                    .map(|&(_, n)| n),
            );
        }
        let mut found: Vec<(u32, usize)> = candidates
            .into_iter()
            .filter_map(|n| {
                let d = strsim::osa_distance(typed, word(n));
                (d > 0 && d <= k).then_some((n, d))
            })
            .collect();
        found.sort_unstable();
        found
    }

    /// Heap bytes held, for the benchmark's memory column.
    pub fn heap_bytes(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<(u64, u32)>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(words: &[&str], typed: &str) -> Vec<String> {
        let index = FuzzyIndex::build(words.iter().copied());
        index
            .near(typed, |n| words[n as usize])
            .into_iter()
            .map(|(n, _)| words[n as usize].to_owned())
            .collect()
    }

    #[test]
    fn finds_one_and_two_letter_mistakes() {
        let words = [
            "kelahiran",
            "keluarga",
            "pajak",
            "kendaraan",
            "kematian",
            "akta",
        ];
        assert_eq!(near(&words, "kelahran"), ["kelahiran"]); // missing letter
        assert_eq!(near(&words, "keluraga"), ["keluarga"]); // swapped
        assert_eq!(near(&words, "pjak"), ["pajak"]);
        assert_eq!(near(&words, "kendaran"), ["kendaraan"]);
        assert_eq!(near(&words, "kendqraam"), ["kendaraan"]); // two wrong keys
        assert_eq!(near(&words, "akte"), ["akta"]);
        assert!(near(&words, "kk").is_empty()); // too short to guess
        assert!(near(&words, "sekolah").is_empty());
    }
}
