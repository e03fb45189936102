//! Money and share quantities as integer micro-units (6 decimals, as pUSD and outcome tokens
//! are on chain), parsed from and rendered to exact decimal text. Never floats.

/// One whole unit (1 USD, 1 share, price 1.0) in micro-units.
pub const ONE: i128 = 1_000_000;

/// Parses decimal text (`"12.5"`, `"0.53"`, `"1e-2"` is refused) into micro-units, rounding
/// half-up past the sixth decimal. `None` for anything that is not a plain non-negative decimal.
pub fn parse_micro(text: &str) -> Option<i128> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) || whole.len() > 20 {
        return None;
    }
    let whole: i128 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let mut micro = whole.checked_mul(ONE)?;
    let digits: Vec<i128> = fraction.bytes().map(|b| (b - b'0') as i128).collect();
    let mut scale = ONE / 10;
    for digit in digits.iter().take(6) {
        micro += digit * scale;
        scale /= 10;
    }
    if digits.get(6).is_some_and(|d| *d >= 5) {
        micro += 1;
    }
    Some(micro)
}

/// Parses a JSON number or string holding a decimal (the Data API sends numbers).
pub fn json_micro(value: &serde_json::Value) -> Option<i128> {
    match value {
        serde_json::Value::Number(n) => {
            let text = n.to_string();
            if text.contains(['e', 'E', '-']) {
                return None;
            }
            parse_micro(&text)
        }
        serde_json::Value::String(s) => parse_micro(s),
        _ => None,
    }
}

/// Renders micro-units as the shortest exact decimal text (`12500000` → `"12.5"`).
pub fn format_micro(micro: i128) -> String {
    let sign = if micro < 0 { "-" } else { "" };
    let abs = micro.unsigned_abs();
    let whole = abs / ONE as u128;
    let fraction = abs % ONE as u128;
    if fraction == 0 {
        return format!("{sign}{whole}");
    }
    let digits = format!("{fraction:06}");
    format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
}

/// `a × b / c`, rounded down; `None` when `c` is zero.
pub fn mul_div_floor(a: i128, b: i128, c: i128) -> Option<i128> {
    (c != 0).then(|| (a * b).div_euclid(c))
}

/// Rounds micro-units down to a multiple of `step` micro-units.
pub fn floor_to(micro: i128, step: i128) -> i128 {
    micro - micro.rem_euclid(step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exact_decimals_and_rounds_half_up_past_six_places() {
        assert_eq!(parse_micro("12.5"), Some(12_500_000));
        assert_eq!(parse_micro("0.53"), Some(530_000));
        assert_eq!(parse_micro(".5"), Some(500_000));
        assert_eq!(parse_micro("7"), Some(7_000_000));
        assert_eq!(parse_micro("0.0000005"), Some(1));
        assert_eq!(parse_micro("0.0000004"), Some(0));
        for bad in ["", ".", "-1", "1e3", "1.2.3", "abc", " "] {
            assert_eq!(parse_micro(bad), None, "{bad}");
        }
    }

    #[test]
    fn json_numbers_and_strings_both_parse() {
        assert_eq!(json_micro(&serde_json::json!(0.53)), Some(530_000));
        assert_eq!(json_micro(&serde_json::json!("19.99")), Some(19_990_000));
        assert_eq!(json_micro(&serde_json::json!(-1)), None);
        assert_eq!(json_micro(&serde_json::json!(true)), None);
    }

    #[test]
    fn formats_shortest_exact_text() {
        assert_eq!(format_micro(12_500_000), "12.5");
        assert_eq!(format_micro(530_000), "0.53");
        assert_eq!(format_micro(5_000_000), "5");
        assert_eq!(format_micro(1), "0.000001");
    }

    #[test]
    fn floor_helpers_round_down() {
        assert_eq!(floor_to(12_345_678, 10_000), 12_340_000);
        assert_eq!(mul_div_floor(10_000_000, ONE, 530_000), Some(18_867_924));
        assert_eq!(mul_div_floor(1, 1, 0), None);
    }
}
