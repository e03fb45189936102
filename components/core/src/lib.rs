//! Mirror's business rules. Everything here is written against the ports in [`ports`]; the Spin
//! implementations live in `components/spin`, so this crate compiles and tests natively.

pub mod api;
pub mod auth;
pub mod authority;
pub mod automation_module;
pub mod binding_proofs;
pub mod clob;
pub mod copy;
pub mod copy_attempts;
pub mod copy_profiles;
pub mod evm;
pub mod health;
pub mod manual_orders;
pub mod me;
pub mod money;
pub mod orders;
pub mod ports;
pub mod reconcile;
pub mod redis_keys;
pub mod sealed;
pub mod settings;
pub mod signing;
pub mod status;
mod text_enum;
pub mod time;
pub mod trading;

pub mod workers;
