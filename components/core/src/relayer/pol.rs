//! POL amounts: wei (10⁻¹⁸ POL) as integers, decimal text only at the edges.

use alloy_primitives::U256;

const DECIMALS: usize = 18;

/// `"0.2"` → 2·10¹⁷ wei. At most 18 decimals, no sign, no exponent.
pub fn parse_pol(text: &str) -> Option<U256> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > DECIMALS {
        return None;
    }
    let scaled = format!("{whole}{fraction:0<DECIMALS$}");
    U256::from_str_radix(&scaled, 10).ok()
}

/// 2·10¹⁷ wei → `"0.2"`; whole POL → `"3"`.
pub fn format_pol(wei: U256) -> String {
    let digits = format!("{wei:0>19}");
    let (whole, fraction) = digits.split_at(digits.len() - DECIMALS);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{fraction}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pol_text_round_trips_through_wei() {
        let tenth = U256::from(100_000_000_000_000_000u64);
        assert_eq!(parse_pol("0.1"), Some(tenth));
        assert_eq!(parse_pol(".1"), Some(tenth));
        assert_eq!(parse_pol("0.05"), Some(tenth / U256::from(2)));
        assert_eq!(parse_pol("2"), Some(tenth * U256::from(20)));
        assert_eq!(parse_pol("0.000000000000000001"), Some(U256::from(1)));
        for bad in ["", ".", "-1", "1e3", "0.0000000000000000001", "1.2.3", "0x10"] {
            assert_eq!(parse_pol(bad), None, "{bad}");
        }
        assert_eq!(format_pol(tenth * U256::from(25)), "2.5");
        assert_eq!(format_pol(U256::from(1)), "0.000000000000000001");
        assert_eq!(format_pol(U256::ZERO), "0");
        assert_eq!(format_pol(tenth * U256::from(10)), "1");
    }
}
