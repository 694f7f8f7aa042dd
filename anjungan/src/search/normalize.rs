//! Turning text into search words: lower case, accents folded (`é` → `e`),
//! split at anything that is not a letter or digit.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The longest word kept. Longer runs are not words a citizen types, and
/// the bound keeps a pasted blob from costing the fuzzy matcher anything.
pub const MAX_WORD_CHARS: usize = 40;

/// The words of `text`, in order.
pub fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut flush = |current: &mut String| {
        if !current.is_empty() {
            if current.chars().count() <= MAX_WORD_CHARS {
                words.push(std::mem::take(current));
            } else {
                current.clear();
            }
        }
    };
    for c in text.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            current.extend(c.to_lowercase());
        } else {
            flush(&mut current);
        }
    }
    flush(&mut current);
    words
}

/// Hyphenated compounds written as one word as well (`KTP-el` → `ktpel`,
/// `e-KTP` → `ektp`), since citizens type both.
pub fn compounds(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | '(' | ')' | '/' | ';' | ':'))
        .filter(|chunk| chunk.contains('-'))
        .map(|chunk| words(chunk).concat())
        .filter(|w| !w.is_empty() && w.chars().count() <= MAX_WORD_CHARS)
        .collect()
}

/// True when the text ends inside a word, so the last word is still being
/// typed and should match as a prefix.
pub fn ends_mid_word(text: &str) -> bool {
    text.chars().last().is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_folds() {
        assert_eq!(words("Akta Kelahiran (WNI)"), ["akta", "kelahiran", "wni"]);
        assert_eq!(words("KTP-el, KK & KIA"), ["ktp", "el", "kk", "kia"]);
        assert_eq!(words("Café  Rp10.000"), ["cafe", "rp10", "000"]);
        assert!(words("  ").is_empty());
        assert!(words(&"x".repeat(41)).is_empty());
    }

    #[test]
    fn hyphenated_compounds() {
        assert_eq!(compounds("Cetak KTP-el baru, e-KTP"), ["ktpel", "ektp"]);
        assert!(compounds("akta kelahiran").is_empty());
    }

    #[test]
    fn mid_word() {
        assert!(ends_mid_word("akta kel"));
        assert!(!ends_mid_word("akta "));
        assert!(!ends_mid_word(""));
    }
}
