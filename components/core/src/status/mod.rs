//! `GET /system/status`: the runbook's System Status Fields, every value read from its source
//! (Redis heartbeats and breaker/limiter keys, `system:health`, `signing_requests`).

mod db_stats;
mod relayer_status;
mod snapshot;
mod system_status;
mod worker_state;

pub use db_stats::{DbStats, RelayerStats, SigningStats};
pub use snapshot::RedisSnapshot;
pub use system_status::system_status;
pub use worker_state::worker_state;
