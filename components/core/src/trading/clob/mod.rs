//! Polymarket's CLOB: the HTTP client and the circuit breaker in front of it.

mod breaker;
mod client;

pub use breaker::{record as record_breaker, BreakerLimits, ClobOutcomes};
pub use client::{BalanceAsset, Book, Clob, ClobError, Posted, RemoteOrder};
