use serde::{Deserialize, Serialize};

/// The runbook's `healthy | degraded | down`, plus `unknown` when the source of truth could not
/// be read (rather than inventing a state).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceStatus {
    Healthy,
    Degraded,
    Down,
    Unknown,
}

impl ServiceStatus {
    /// The worse of two states (`unknown` ranks between degraded and down: it is not healthy,
    /// but nothing says the service is gone).
    pub fn worst(self, other: ServiceStatus) -> ServiceStatus {
        fn rank(s: ServiceStatus) -> u8 {
            match s {
                ServiceStatus::Healthy => 0,
                ServiceStatus::Degraded => 1,
                ServiceStatus::Unknown => 2,
                ServiceStatus::Down => 3,
            }
        }
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}
