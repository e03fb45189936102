//! How long an order rests on the book.

use std::str::FromStr;

use super::OrderError;
use crate::text_enum::text_enum;

text_enum! {
    /// The `orderType` of `POST /order`, in the CLOB's spelling.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum OrderType {
        /// Good till cancelled.
        Gtc = "GTC",
        /// Fill or kill: all at once or nothing.
        Fok = "FOK",
        /// Good till the order's `expiration`.
        Gtd = "GTD",
        /// Fill and kill: what fills now, the rest cancelled.
        Fak = "FAK",
    }
}

impl OrderType {
    /// Whether `postOnly` may be set: only orders that rest on the book can refuse to take.
    pub fn allows_post_only(self) -> bool {
        matches!(self, OrderType::Gtc | OrderType::Gtd)
    }
}

impl FromStr for OrderType {
    type Err = OrderError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        OrderType::parse(text).ok_or_else(|| OrderError::UnknownOrderType(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_types_round_trip_and_only_resting_ones_allow_post_only() {
        for t in [OrderType::Gtc, OrderType::Fok, OrderType::Gtd, OrderType::Fak] {
            assert_eq!(t.as_str().parse::<OrderType>().unwrap(), t);
        }
        let allowed: Vec<_> = [OrderType::Gtc, OrderType::Fok, OrderType::Gtd, OrderType::Fak]
            .into_iter()
            .filter(|t| t.allows_post_only())
            .collect();
        assert_eq!(allowed, [OrderType::Gtc, OrderType::Gtd]);
        assert!("gtc".parse::<OrderType>().is_err());
    }
}
