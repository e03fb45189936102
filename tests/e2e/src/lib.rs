//! The harness every end-to-end suite uses: a fresh migrated database and a private Redis
//! database per test, the app's real `spin.toml` loaded on the test host (or, with
//! `MIRROR_E2E_ON=spin`, served by `spin up`) with variables pointing at them, and helpers to
//! call routes and inspect state.
//!
//! Needs `MIRROR_TEST_PG_URL` and `MIRROR_TEST_REDIS_URL` (`make test` exports them from
//! `scripts/services.sh`).

pub mod accounts;
mod app;
pub mod automation;
pub mod copy;
pub mod module_exec;
mod private_redis;
pub mod relayer;
mod services;
mod serving_process;
pub mod signing;
pub mod spin;

pub use app::{now_ms, placement, Backend, Counted, Reply, TestApp};
pub use private_redis::PrivateRedis;
pub use services::{repo_root, Services};
pub use serving_process::ServingProcess;
