//! Exact conversions between the decimal strings of the API ("0.55", "5") and raw 6-decimal
//! amounts, without floats: the real CLOB compares amounts exactly.

/// Raw units per whole share or pUSD.
pub(crate) const ONE: u64 = 1_000_000;

/// `"0.55"` → 550_000; `None` for anything that is not a plain non-negative decimal with at
/// most six fractional digits.
pub(crate) fn to_raw(text: &str) -> Option<u64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 6 {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let fraction: u64 = format!("{fraction:0<6}").parse().ok()?;
    whole.checked_mul(ONE)?.checked_add(fraction)
}

/// 550_000 → `"0.55"`, 5_000_000 → `"5"`.
pub(crate) fn from_raw(raw: u64) -> String {
    let fraction = format!("{:06}", raw % ONE);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        (raw / ONE).to_string()
    } else {
        format!("{}.{fraction}", raw / ONE)
    }
}
