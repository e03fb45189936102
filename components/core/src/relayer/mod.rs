//! The relayer (docs/architecture.md §10): the one place that sends Polygon transactions.
//!
//! Producers [`enqueue`] a transaction with an idempotency key; the relayer worker's tick
//! ([`run_relayer`]) prices, signs and sends due rows with Mirror's relayer key, follows them to
//! their receipts on later ticks, replaces stuck ones on the same nonce and fills nonce gaps.
//! `relayer_txs` is the state machine ([`store`]: every transition one guarded statement);
//! [`admin`] holds the operators' routes.

pub mod admin;
mod build;
mod chain;
mod enqueue;
mod fees;
mod keys;
mod pol;
mod revert;
pub(crate) mod rpc;
mod send_outcome;
mod settings;
mod state;
mod store;
mod tick;
mod tx_status;

pub use enqueue::{enqueue, require_configured, Enqueued, Intent};
pub use fees::{bump, Fees};
pub use keys::{RelayerKey, RelayerKeys};
pub use pol::{format_pol, parse_pol};
pub use revert::describe_revert;
pub use send_outcome::{classify_send, SendOutcome};
pub use state::{BalanceState, RelayerState};
pub use tick::{run_relayer, TickReport};
pub use tx_status::{TxKind, TxStatus};
