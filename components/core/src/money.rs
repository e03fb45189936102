//! Money and share quantities as integer micro-units (6 decimals, as pUSD and outcome tokens
//! are on chain), parsed from and rendered to exact decimal text: never floats. Clients send
//! dollars (a JSON string or number, at most 6 decimal places, read from its literal text so
//! `0.1` is exactly 100000); the database keeps micro-units in `bigint` columns; `Decimal` is
//! used only inside `orders/` where Polymarket's rounding is specified on decimals.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use crate::api::{invalid, ApiError};

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

/// The largest amount any request may carry: $10,000,000.
pub const MAX_USD_UNITS: i64 = 10_000_000 * ONE as i64;

/// A USD amount exactly as the client wrote it, string or number (a JSON number is kept as its
/// literal text, not read as a float).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsdText(String);

impl<'de> Deserialize<'de> for UsdText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        let literal = raw.get();
        if literal.starts_with('"') {
            serde_json::from_str(literal).map(UsdText).map_err(D::Error::custom)
        } else if literal.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            Ok(UsdText(literal.to_string()))
        } else {
            Err(D::Error::custom("invalid type: expected a USD amount as a string or number"))
        }
    }
}

impl UsdText {
    /// The amount in base units: > 0, ≤ $10,000,000, plain decimal notation with at most 6
    /// decimal places; anything else is a VALIDATION_ERROR naming `field`.
    pub fn to_units(&self, field: &str) -> Result<i64, ApiError> {
        let text = self.0.as_str();
        if text.starts_with('-') {
            return Err(invalid(field, "must be greater than 0"));
        }
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) || (text.contains('.') && fraction.is_empty()) {
            return Err(invalid(field, "must be a USD amount in plain decimal notation, e.g. \"12.50\""));
        }
        if fraction.len() > 6 {
            return Err(invalid(field, "must have at most 6 decimal places"));
        }
        let whole = whole.trim_start_matches('0');
        // More than 8 whole digits is above the maximum whatever they are (and could overflow).
        if whole.len() > 8 {
            return Err(invalid(field, "must be at most 10000000"));
        }
        let whole: i64 =
            if whole.is_empty() { 0 } else { whole.parse().map_err(|_| invalid(field, "is not a number"))? };
        let fraction: i64 = format!("{fraction:0<6}").parse().map_err(|_| invalid(field, "is not a number"))?;
        let units = whole * ONE as i64 + fraction;
        if units == 0 {
            return Err(invalid(field, "must be greater than 0"));
        }
        if units > MAX_USD_UNITS {
            return Err(invalid(field, "must be at most 10000000"));
        }
        Ok(units)
    }
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

    fn units(json: &str) -> Result<i64, String> {
        let text: UsdText = serde_json::from_str(json).map_err(|e| e.to_string())?;
        text.to_units("amount").map_err(|e| e.message)
    }

    #[test]
    fn strings_and_numbers_convert_exactly_to_base_units() {
        assert_eq!(units("\"12.5\""), Ok(12_500_000));
        assert_eq!(units("0.1"), Ok(100_000));
        assert_eq!(units("\"0.000001\""), Ok(1));
        assert_eq!(units("10000000"), Ok(MAX_USD_UNITS));
        assert_eq!(units("\"0010.250000\""), Ok(10_250_000));
        // A literal a float could not hold: read from its text, so still rejected.
        assert!(units("9999999.9999999999").unwrap_err().contains("6 decimal places"));
    }

    #[test]
    fn out_of_range_or_malformed_amounts_are_rejected_naming_the_field() {
        for (json, reason) in [
            ("0", "greater than 0"),
            ("\"0.000000\"", "greater than 0"),
            ("-5", "greater than 0"),
            ("10000000.000001", "at most 10000000"),
            ("\"1000000000000\"", "at most 10000000"),
            ("1e12", "plain decimal"),
            ("\"1.2345678\"", "6 decimal places"),
            ("\" 5\"", "plain decimal"),
            ("\"5.\"", "plain decimal"),
            ("\".5\"", "plain decimal"),
            ("\"\"", "plain decimal"),
            ("\"NaN\"", "plain decimal"),
        ] {
            let message = units(json).unwrap_err();
            assert!(message.starts_with("`amount`: ") && message.contains(reason), "{json}: {message}");
        }
        assert!(units("true").unwrap_err().contains("string or number"));
    }

    #[test]
    fn the_largest_amount_renders_whole() {
        assert_eq!(format_micro(i128::from(MAX_USD_UNITS)), "10000000");
    }
}
