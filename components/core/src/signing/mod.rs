//! The signing path every signature of a user's authority takes (docs/architecture.md §4): a gate in one
//! Redis round trip (breaker, per-user and global sliding windows), then the signer, then the
//! outcome in one round trip.

mod breaker;
pub mod check;
mod gate;
mod limits;
pub mod local_key;
mod pipeline;
pub mod signer_client;

pub use breaker::{record_outcome, BreakerState};
pub use gate::{gate, GateVerdict};
pub use limits::SigningLimits;
pub use pipeline::{sign, signer_endpoint, Backoff, SigningJob};
