//! Phase 2B module transactions (runbook 000 "Module Exec Worker", "Module Transaction
//! Monitoring", "Module Stuck Transactions"; docs/architecture.md §6): a call the user's Safe
//! makes through the AutomationModule, authorized by one of its session keys and sent by the
//! relayer. Producers queue them with `enqueue`; the module-exec worker (`run_module_exec`,
//! every 10 s) signs each one's authorization once, preflights it, and hands it to the relayer;
//! the relayer's receipt settles it.

pub mod admin;
mod authorize;
mod chain;
mod enqueue;
mod settings;
mod store;
mod tick;

pub use authorize::SEALED_KEY_VERSION;
pub use enqueue::{enqueue, Enqueued, ModuleIntent};
pub use tick::{run_module_exec, ModuleExecReport};

use crate::text_enum::text_enum;

text_enum! {
    /// `module_txs.status`: PENDING → SUBMITTED → CONFIRMED | FAILED, or PENDING → BLOCKED | FAILED
    /// without sending anything.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum ModuleTxStatus {
        /// Queued; the worker has not handed it to the relayer yet.
        Pending = "PENDING",
        /// A `relayer_txs` row carries its signed `executeFromSessionKey`.
        Submitted = "SUBMITTED",
        /// Mined with status 1: `tx_hash` and `gas_used` are set.
        Confirmed = "CONFIRMED",
        /// The target call or the transaction failed.
        Failed = "FAILED",
        /// Refused by a session-key rule (in Mirror or by the module): never executed.
        Blocked = "BLOCKED",
    }
}

/// The relayer idempotency key of a module transaction: one relayer row per module transaction.
pub fn relayer_key(module_tx_id: &str) -> String {
    format!("module-tx:{module_tx_id}")
}
