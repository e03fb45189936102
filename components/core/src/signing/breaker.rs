use super::SigningLimits;
use crate::ports::{Redis, RedisError};
use crate::redis_keys::{SIGNING_BREAKER, SIGNING_BREAKER_FAILURES};

const SCRIPT: &str = include_str!("outcome.lua");

/// The signing circuit breaker's states, as stored in `signing:breaker` field `state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

/// Records one operation's outcome (after its retries: a failing operation counts once) and
/// returns the breaker's state after it. One Redis round trip.
///
/// CLOSED → OPEN at `failure_threshold` failures within `failure_window_ms`; HALF_OPEN → CLOSED
/// after `successes_to_close` successes; HALF_OPEN → OPEN on any failure. OPEN → HALF_OPEN
/// happens in the gate, once `open_ms` has passed.
pub fn record_outcome(
    redis: &impl Redis,
    limits: &SigningLimits,
    operation_id: &str,
    succeeded: bool,
    now_ms: i64,
) -> Result<BreakerState, RedisError> {
    let args = vec![
        SCRIPT.into(),
        2i64.into(),
        SIGNING_BREAKER.into(),
        SIGNING_BREAKER_FAILURES.into(),
        now_ms.into(),
        (if succeeded { "1" } else { "0" }).into(),
        operation_id.into(),
        limits.failure_threshold.into(),
        limits.failure_window_ms.into(),
        limits.successes_to_close.into(),
    ];
    let reply = redis.execute("EVAL", &args)?;
    match reply.first().and_then(|v| v.text()).as_deref() {
        Some("CLOSED") => Ok(BreakerState::Closed),
        Some("OPEN") => Ok(BreakerState::Open),
        Some("HALF_OPEN") => Ok(BreakerState::HalfOpen),
        other => Err(RedisError::Command(format!("breaker outcome returned {other:?}"))),
    }
}
