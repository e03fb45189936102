//! A market's price increment and the rounding it implies.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::OrderError;

/// A market's `minimum_tick_size` (`GET /tick-size`). Only the sizes clob-client-v2's
/// `ROUNDING_CONFIG` knows are accepted: for any other the client has no rounding rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TickSize {
    /// The tick in units of 0.0001, the finest tick there is.
    ten_thousandths: u32,
    /// Decimals a price carries under this tick.
    price_decimals: u32,
}

/// Every tick size with its CLOB spelling, as in clob-client-v2's `ROUNDING_CONFIG`.
const KNOWN: [(&str, TickSize); 6] = [
    ("0.1", TickSize { ten_thousandths: 1000, price_decimals: 1 }),
    ("0.01", TickSize { ten_thousandths: 100, price_decimals: 2 }),
    ("0.005", TickSize { ten_thousandths: 50, price_decimals: 3 }),
    ("0.0025", TickSize { ten_thousandths: 25, price_decimals: 4 }),
    ("0.001", TickSize { ten_thousandths: 10, price_decimals: 3 }),
    ("0.0001", TickSize { ten_thousandths: 1, price_decimals: 4 }),
];

/// Decimals of an order's share size under every tick size.
pub(super) const SIZE_DECIMALS: u32 = 2;

impl TickSize {
    /// The tick as a decimal, e.g. `0.01`.
    pub fn as_decimal(self) -> Decimal {
        Decimal::new(i64::from(self.ten_thousandths), 4).normalize()
    }

    /// Decimals of a price (`ROUNDING_CONFIG[tick].price`).
    pub fn price_decimals(self) -> u32 {
        self.price_decimals
    }

    /// Decimals of a share size (`ROUNDING_CONFIG[tick].size`): 2 for every tick.
    pub fn size_decimals(self) -> u32 {
        SIZE_DECIMALS
    }

    /// Decimals a price × size amount may carry (`ROUNDING_CONFIG[tick].amount`).
    pub fn amount_decimals(self) -> u32 {
        self.price_decimals + SIZE_DECIMALS
    }

    /// The tick in units of 0.0001.
    pub(super) fn ten_thousandths(self) -> u32 {
        self.ten_thousandths
    }

    fn spelling(self) -> &'static str {
        KNOWN.iter().find(|(_, tick)| *tick == self).map(|(text, _)| *text).expect("every TickSize is in KNOWN")
    }
}

impl FromStr for TickSize {
    type Err = OrderError;

    /// Parses the CLOB's spelling exactly ("0.01", not "0.010"), as the client's lookup does.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        KNOWN
            .iter()
            .find(|(spelling, _)| *spelling == text)
            .map(|(_, tick)| *tick)
            .ok_or_else(|| OrderError::UnknownTickSize(text.to_string()))
    }
}

impl fmt::Display for TickSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.spelling())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_sizes_carry_the_clients_rounding_config() {
        let config: Vec<_> = ["0.1", "0.01", "0.005", "0.0025", "0.001", "0.0001"]
            .iter()
            .map(|t| {
                let tick: TickSize = t.parse().unwrap();
                assert_eq!(tick.to_string(), *t);
                assert_eq!(tick.as_decimal().to_string(), *t);
                (tick.price_decimals(), tick.size_decimals(), tick.amount_decimals())
            })
            .collect();
        assert_eq!(config, [(1, 2, 3), (2, 2, 4), (3, 2, 5), (4, 2, 6), (3, 2, 5), (4, 2, 6)]);
    }

    #[test]
    fn unknown_tick_sizes_are_refused() {
        for bad in ["0.02", "0.010", "1", "", "0.00001"] {
            assert_eq!(bad.parse::<TickSize>().unwrap_err(), OrderError::UnknownTickSize(bad.into()));
        }
    }
}
