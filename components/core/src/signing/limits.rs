use crate::ports::{Config, ConfigError};
use crate::settings;

/// Every number of the signing path, from variables whose defaults are the runbook's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningLimits {
    pub user_limit: i64,
    pub global_limit: i64,
    pub window_ms: i64,
    pub failure_threshold: i64,
    pub failure_window_ms: i64,
    pub open_ms: i64,
    pub half_open_probes: i64,
    pub successes_to_close: i64,
}

impl SigningLimits {
    pub fn from_config(config: &dyn Config) -> Result<Self, ConfigError> {
        let count = |name| settings::positive(config, name).map(|n| n as i64);
        Ok(SigningLimits {
            user_limit: count(settings::SIGNING_USER_LIMIT)?,
            global_limit: count(settings::SIGNING_GLOBAL_LIMIT)?,
            window_ms: count(settings::SIGNING_LIMIT_WINDOW_MS)?,
            failure_threshold: count(settings::SIGNING_BREAKER_FAILURE_THRESHOLD)?,
            failure_window_ms: count(settings::SIGNING_BREAKER_FAILURE_WINDOW_MS)?,
            open_ms: count(settings::SIGNING_BREAKER_OPEN_MS)?,
            half_open_probes: count(settings::SIGNING_BREAKER_HALF_OPEN_PROBES)?,
            successes_to_close: count(settings::SIGNING_BREAKER_SUCCESSES_TO_CLOSE)?,
        })
    }
}
