//! A citizen's contact for the answer to a complaint: a phone number or an
//! e-mail address, checked for form only (nothing is sent from here).

/// The contact as kept: a phone number as digits (with a leading `+` if
/// given), or an e-mail address as typed; `None` when it is neither.
pub(super) fn normalize(typed: &str) -> Option<String> {
    let typed = typed.trim();
    if typed.contains('@') {
        email(typed)
    } else {
        phone(typed)
    }
}

fn email(s: &str) -> Option<String> {
    let (local, domain) = s.split_once('@')?;
    let ok = s.len() <= 254
        && (1..=64).contains(&local.len())
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && s.chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"<>\"'(),;:[]\\".contains(c));
    ok.then(|| s.to_owned())
}

fn phone(s: &str) -> Option<String> {
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.'))
    {
        return None;
    }
    let plus = s.starts_with('+');
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    (8..=15)
        .contains(&digits.len())
        .then(|| if plus { format!("+{digits}") } else { digits })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_and_addresses() {
        for (typed, kept) in [
            ("0812-3456-7890", "081234567890"),
            ("+62 812 3456 7890", "+6281234567890"),
            ("(0281) 635 123", "0281635123"),
            (" warga@example.id ", "warga@example.id"),
        ] {
            assert_eq!(normalize(typed).as_deref(), Some(kept), "{typed}");
        }
        for bad in [
            "",
            "1708",
            "Budi, RT 02",
            "warga@",
            "@example.id",
            "warga@localhost",
            "a@b@example.id",
            "warga <x@example.id>",
            "warga@example.id\nBcc: x@y.z",
            &format!("{}@example.id", "a".repeat(65)),
        ] {
            assert_eq!(normalize(bad), None, "{bad:?}");
        }
    }
}
