//! How long an order rests on the book.

use std::str::FromStr;

use super::OrderError;

/// The `orderType` of `POST /order`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderType {
    /// Good till cancelled.
    Gtc,
    /// Fill or kill: all at once or nothing.
    Fok,
    /// Good till the order's `expiration`.
    Gtd,
    /// Fill and kill: what fills now, the rest cancelled.
    Fak,
}

impl OrderType {
    /// The CLOB's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderType::Gtc => "GTC",
            OrderType::Fok => "FOK",
            OrderType::Gtd => "GTD",
            OrderType::Fak => "FAK",
        }
    }

    /// Whether `postOnly` may be set: only orders that rest on the book can refuse to take.
    pub fn allows_post_only(self) -> bool {
        matches!(self, OrderType::Gtc | OrderType::Gtd)
    }
}

impl FromStr for OrderType {
    type Err = OrderError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "GTC" => Ok(OrderType::Gtc),
            "FOK" => Ok(OrderType::Fok),
            "GTD" => Ok(OrderType::Gtd),
            "FAK" => Ok(OrderType::Fak),
            other => Err(OrderError::UnknownOrderType(other.to_string())),
        }
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
