//! USD amounts at the API boundary. Clients send dollars (a JSON string or number, at most 6
//! decimal places); the database keeps USDC base units (× 10⁶) in `bigint` columns. The
//! conversion reads the decimal text itself, never a float, so `0.1` is exactly 100000 units.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use crate::api::{invalid, ApiError};

/// Base units in one dollar (USDC has 6 decimals).
pub const UNITS_PER_USD: i64 = 1_000_000;

/// The largest amount any request may carry: $10,000,000.
pub const MAX_USD_UNITS: i64 = 10_000_000 * UNITS_PER_USD;

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
        let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| invalid(field, "is not a number"))? };
        let fraction: i64 = format!("{fraction:0<6}").parse().map_err(|_| invalid(field, "is not a number"))?;
        let units = whole * UNITS_PER_USD + fraction;
        if units == 0 {
            return Err(invalid(field, "must be greater than 0"));
        }
        if units > MAX_USD_UNITS {
            return Err(invalid(field, "must be at most 10000000"));
        }
        Ok(units)
    }
}

/// Base units as a dollar string without trailing zeros: 12500000 → "12.5", 5000000 → "5".
pub fn format_usd(units: i64) -> String {
    let sign = if units < 0 { "-" } else { "" };
    let (whole, fraction) = (units.unsigned_abs() / 1_000_000, units.unsigned_abs() % 1_000_000);
    if fraction == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{}", format!("{fraction:06}").trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn base_units_render_as_short_dollar_strings() {
        assert_eq!(format_usd(12_500_000), "12.5");
        assert_eq!(format_usd(5_000_000), "5");
        assert_eq!(format_usd(1), "0.000001");
        assert_eq!(format_usd(MAX_USD_UNITS), "10000000");
    }
}
