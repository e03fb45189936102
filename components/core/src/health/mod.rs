//! Liveness, readiness, and the health-check worker that probes the external services.

mod check;
mod liveness;
mod probes;
mod readiness;
mod service_status;

pub use check::{run_health_check, SystemHealth};
pub use liveness::{liveness, liveness_with_relayer};
pub use probes::ProbeOutcome;
pub use readiness::readiness;
pub use service_status::ServiceStatus;
