//! Codes people read off paper and type or say aloud: voucher codes and
//! complaint references. One alphabet without look-alikes (no `0`/`O`,
//! `1`/`I`/`L`), drawn from the kernel's random source.

/// Letters and digits that cannot be mistaken for one another on a slip.
pub(crate) const ALPHABET: &[u8; 31] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// `len` symbols of [`ALPHABET`], each equally likely.
pub(crate) fn random(len: usize) -> String {
    let mut code = String::with_capacity(len);
    let mut pool = Vec::new();
    while code.len() < len {
        let Some(b) = pool.pop() else {
            let mut more = [0u8; 16];
            getrandom::fill(&mut more).expect("the kernel's random source is available");
            pool.extend_from_slice(&more);
            continue;
        };
        // 31 symbols: the top values are rejected so that none is favoured.
        if b < 248 {
            code.push(ALPHABET[usize::from(b % 31)] as char);
        }
    }
    code
}

/// What someone typed, upper case, without spaces and dashes, if it is
/// `len` symbols of the alphabet; `None` otherwise.
pub(crate) fn normalize(typed: &str, len: usize) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\t'))
        .map(|c| c.to_ascii_uppercase())
        .take(len + 1)
        .collect();
    (code.len() == len && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_only_the_alphabet() {
        for _ in 0..100 {
            let c = random(8);
            assert_eq!(c.len(), 8);
            assert_eq!(normalize(&c.to_lowercase(), 8), Some(c.clone()));
            assert!(!c.contains(['0', 'O', '1', 'I', 'L']), "{c}");
        }
        assert_eq!(normalize("ab cd-ef gh", 8).as_deref(), Some("ABCDEFGH"));
        assert_eq!(normalize("ABCDEFG0", 8), None);
        assert_eq!(normalize("ABCDEFGHJ", 8), None);
        assert_eq!(normalize("ÄBCDEFGH", 8), None);
    }
}
