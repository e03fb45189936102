//! `GET /system/status`: the runbook's System Status Fields, every value read from its source
//! (Redis heartbeats and breaker/limiter keys, `system:health`, `signing_requests`).

mod signing_stats;
mod snapshot;
mod system_status;
mod worker_state;

pub use signing_stats::SigningStats;
pub use snapshot::RedisSnapshot;
pub use system_status::system_status;
pub use worker_state::worker_state;
