//! The Polymarket circuit breaker (runbook: "auto-recovers after 60s"): opens on repeated
//! CLOB failures; while open nothing is posted. A pass counts its outcomes and records them
//! once at its end: one Redis round trip per pass, not per order.

use crate::ports::{Config, ConfigError, Redis, RedisError};
use crate::redis_keys::{POLYMARKET_BREAKER, POLYMARKET_BREAKER_FAILURES};
use crate::settings;

const SCRIPT: &str = include_str!("breaker.lua");

/// The breaker's numbers (variables; defaults in spin.toml).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BreakerLimits {
    pub failure_threshold: i64,
    pub failure_window_ms: i64,
    pub open_ms: i64,
}

impl BreakerLimits {
    pub fn from_config(config: &dyn Config) -> Result<Self, ConfigError> {
        Ok(BreakerLimits {
            failure_threshold: settings::positive(config, settings::POLYMARKET_BREAKER_FAILURE_THRESHOLD)? as i64,
            failure_window_ms: settings::positive(config, settings::POLYMARKET_BREAKER_FAILURE_WINDOW_MS)? as i64,
            open_ms: settings::positive(config, settings::POLYMARKET_BREAKER_OPEN_MS)? as i64,
        })
    }
}

/// CLOB outcomes counted during a pass: availability only (a rejected order is an answer).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ClobOutcomes {
    pub successes: i64,
    pub failures: i64,
}

/// Records a pass's outcomes; returns the breaker state after them. Nothing to record, no
/// round trip.
pub fn record(
    redis: &impl Redis,
    limits: &BreakerLimits,
    outcomes: ClobOutcomes,
    pass_id: &str,
    now_ms: i64,
) -> Result<Option<String>, RedisError> {
    if outcomes.successes == 0 && outcomes.failures == 0 {
        return Ok(None);
    }
    let args = vec![
        SCRIPT.into(),
        2i64.into(),
        POLYMARKET_BREAKER.into(),
        POLYMARKET_BREAKER_FAILURES.into(),
        now_ms.into(),
        outcomes.successes.into(),
        outcomes.failures.into(),
        limits.failure_threshold.into(),
        limits.failure_window_ms.into(),
        limits.open_ms.into(),
        pass_id.into(),
    ];
    let reply = redis.execute("EVAL", &args)?;
    Ok(reply.first().and_then(|v| v.text()))
}
