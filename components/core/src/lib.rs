//! Mirror's business rules. Everything here is written against the ports in [`ports`]; the Spin
//! implementations live in `components/spin`, so this crate compiles and tests natively.
//!
//! Where things live — by concept, each route's handler beside the rules it serves:
//! - [`api`]: requests, responses, the error format and the edge rules every route follows.
//! - [`auth`]: who is calling — end users' Dynamic JWTs (and their `users` row), the admin token.
//! - [`trading_authority`]: what signs for a user — server wallets, Phase 1 keys, rotate/revoke.
//! - [`signing`]: the signing pipeline — gate, breaker, limits, the signer client, local keys.
//! - [`orders`]: pure Polymarket order math — amounts, EIP-712 orders, CLOB L1/L2 auth, Safes.
//! - [`trading`]: the order path every order takes (account, placement, credentials, session),
//!   the CLOB client and its breaker ([`trading::clob`]), `/orders` ([`trading::order_routes`])
//!   and `/admin/reconcile` ([`trading::reconcile`]).
//! - [`copy`]: copy trading — ingestion, fan-out, claims, sizing, execution, settlement, the
//!   controls and `exec_mode`, the webhook, `/copy-attempts` ([`copy::attempts`]).
//! - [`copy_profiles`]: who follows whom, with what sizing and guards, and the holds.
//! - [`me`], [`binding_proofs`]: the user's own routes.
//! - [`health`], [`status`], [`workers`]: probes and readiness, `/system/status`, heartbeats and
//!   ticks over HTTP.
//! - [`relayer`]: every Polygon transaction Mirror sends — the `relayer_txs` state machine, the
//!   relayer worker's tick, its operators' routes.
//! - [`automation_module`]: the AutomationModule's ABI and authorization digest (Safe automation).
//! - [`money`] (integer micro-units), [`time`], [`evm`], [`sealed`] (AES-256-GCM),
//!   [`settings`] (variable names), [`redis_keys`], `text_enum` (enums stored as text).

pub mod api;
pub mod auth;
pub mod automation_module;
pub mod binding_proofs;
pub mod copy;
pub mod copy_profiles;
pub mod evm;
pub mod health;
pub mod me;
pub mod module_exec;
pub mod money;
pub mod orders;
pub mod ports;
pub mod redis_keys;
pub mod relayer;
pub mod safe_automation;
pub mod safe_owner;
pub mod safe_tx;
pub mod sealed;
pub mod settings;
pub mod signing;
pub mod status;
mod text_enum;
pub mod time;
pub mod trading;
pub mod trading_account;
pub mod trading_authority;

pub mod workers;
