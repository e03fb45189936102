//! Which way an order trades.

use std::str::FromStr;

use super::OrderError;

/// BUY gives collateral for outcome tokens; SELL gives outcome tokens for collateral.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    Buy,
    Sell,
}

impl Side {
    /// The CLOB's spelling, as in the `POST /order` body.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Buy => "BUY",
            Side::Sell => "SELL",
        }
    }

    /// The signed `uint8 side` of the EIP-712 order.
    pub fn as_u8(self) -> u8 {
        match self {
            Side::Buy => 0,
            Side::Sell => 1,
        }
    }
}

impl FromStr for Side {
    type Err = OrderError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "BUY" => Ok(Side::Buy),
            "SELL" => Ok(Side::Sell),
            other => Err(OrderError::UnknownSide(other.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sides_round_trip_and_reject_other_spellings() {
        for side in [Side::Buy, Side::Sell] {
            assert_eq!(side.as_str().parse::<Side>().unwrap(), side);
        }
        assert_eq!((Side::Buy.as_u8(), Side::Sell.as_u8()), (0, 1));
        assert_eq!("buy".parse::<Side>().unwrap_err(), OrderError::UnknownSide("buy".into()));
    }
}
