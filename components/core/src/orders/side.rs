//! Which way an order trades.

use std::str::FromStr;

use super::OrderError;
use crate::text_enum::text_enum;

text_enum! {
    /// BUY gives collateral for outcome tokens; SELL gives outcome tokens for collateral. The
    /// text is the CLOB's spelling, as in the `POST /order` body.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum Side {
        Buy = "BUY",
        Sell = "SELL",
    }
}

impl Side {
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
        Side::parse(text).ok_or_else(|| OrderError::UnknownSide(text.to_string()))
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
