//! Copy trading: leader fills in (polled and pushed), one attempt per follower and fill, each
//! sized, guarded, signed, persisted and posted exactly once.

pub mod attempts;
pub mod claim;
pub mod controls;
pub mod exec_mode;
pub mod exec_mode_admin;
pub mod execute;
pub mod ingest;
pub mod poll;
pub mod settle;
pub mod sizing;
pub mod trades;
pub mod webhook;
pub mod worker;

pub use worker::run_copy_trading;
