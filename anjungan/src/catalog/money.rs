//! Amounts of money as citizens read them: Rupiah with dots between
//! thousands ("Rp 50.000"), the way fees are written on office notices.
//! The kiosk screen and the printed receipt both use this.

/// `50000` → `"Rp 50.000"`; `0` → `"Rp 0"` (saying "free" is the caller's
/// choice of words, in the citizen's language).
pub fn rupiah(amount: u64) -> String {
    let digits = amount.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!("Rp {grouped}")
}

#[cfg(test)]
mod tests {
    use super::rupiah;

    #[test]
    fn thousands_are_separated_by_dots() {
        assert_eq!(rupiah(0), "Rp 0");
        assert_eq!(rupiah(500), "Rp 500");
        assert_eq!(rupiah(5_000), "Rp 5.000");
        assert_eq!(rupiah(50_000), "Rp 50.000");
        assert_eq!(rupiah(1_250_000), "Rp 1.250.000");
    }
}
