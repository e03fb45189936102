//! Mirror's business rules. Everything here is written against the ports in [`ports`]; the Spin
//! implementations live in `components/spin`, so this crate compiles and tests natively.

pub mod api;
pub mod auth;
pub mod authority;
pub mod automation_module;
pub mod binding_proofs;
pub mod copy_attempts;
pub mod copy_profiles;
pub mod evm;
pub mod health;
pub mod me;
pub mod ports;
pub mod redis_keys;
pub mod settings;
pub mod signing;
pub mod status;
pub mod time;
pub mod usd;
pub mod workers;
