//! Why an order could not be built: each variant names the input that was wrong.

use std::fmt;

use rust_decimal::Decimal;

use super::{OrderType, TickSize};

/// An order input the CLOB would reject, or that Mirror cannot represent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrderError {
    /// `field` (price, size or amount) is zero or negative.
    NotPositive { field: &'static str, value: Decimal },
    /// `field` becomes zero once rounded down to the `decimals` the tick size allows.
    RoundsToZero { field: &'static str, decimals: u32 },
    /// `field` does not fit the exchange's integer amounts.
    Overflow { field: &'static str },
    /// The price lies outside `[tick, 1 - tick]`.
    PriceOutOfRange { price: Decimal, tick: TickSize },
    /// The price is not a multiple of the tick size.
    PriceOffTick { price: Decimal, tick: TickSize },
    /// A `minimum_tick_size` the CLOB client does not know.
    UnknownTickSize(String),
    /// A side other than `BUY` / `SELL`.
    UnknownSide(String),
    /// An order type other than `GTC` / `FOK` / `GTD` / `FAK`.
    UnknownOrderType(String),
    /// `postOnly` was asked for an order type that takes liquidity (FOK, FAK).
    PostOnlyNotAllowed(OrderType),
    /// `GET /version` named an exchange version this module cannot sign for.
    UnsupportedExchangeVersion(String),
    /// A chain with no Polymarket exchange deployment.
    UnsupportedChain(u64),
    /// The API secret is empty or not base64.
    InvalidApiSecret,
}

impl fmt::Display for OrderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrderError::NotPositive { field, value } => write!(f, "`{field}` must be positive, got {value}"),
            OrderError::RoundsToZero { field, decimals } => {
                write!(f, "`{field}` is zero once rounded down to {decimals} decimals")
            }
            OrderError::Overflow { field } => write!(f, "`{field}` is too large for an order amount"),
            OrderError::PriceOutOfRange { price, tick } => {
                write!(f, "`price` {price} is outside [{tick}, {}]", Decimal::ONE - tick.as_decimal())
            }
            OrderError::PriceOffTick { price, tick } => {
                write!(f, "`price` {price} is not a multiple of the tick size {tick}")
            }
            OrderError::UnknownTickSize(text) => write!(f, "`tick_size` {text:?} is not a CLOB tick size"),
            OrderError::UnknownSide(text) => write!(f, "`side` {text:?} is neither BUY nor SELL"),
            OrderError::UnknownOrderType(text) => write!(f, "`orderType` {text:?} is not GTC, FOK, GTD or FAK"),
            OrderError::PostOnlyNotAllowed(order_type) => {
                write!(f, "`postOnly` is only allowed with GTC or GTD, not {}", order_type.as_str())
            }
            OrderError::UnsupportedExchangeVersion(version) => {
                write!(f, "exchange `version` {version} is not supported")
            }
            OrderError::UnsupportedChain(chain_id) => write!(f, "`chain_id` {chain_id} has no Polymarket exchange"),
            OrderError::InvalidApiSecret => write!(f, "`secret` of the API credentials is empty or not base64"),
        }
    }
}

impl std::error::Error for OrderError {}
