use super::SigningLimits;
use crate::ports::{Redis, RedisError};
use crate::redis_keys::{
    signing_limiter_user, SIGNING_BREAKER, SIGNING_LIMITER_ACTIVE_USERS, SIGNING_LIMITER_GLOBAL, SYSTEM_HEALTH,
};

const SCRIPT: &str = include_str!("gate.lua");

/// What the gate decided for one signing operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GateVerdict {
    /// Go ahead; `probe` when the breaker is HALF_OPEN and this operation is one of its probes.
    Admitted {
        probe: bool,
    },
    /// The last health check found Dynamic's API down.
    DynamicDown,
    BreakerOpen {
        retry_after_ms: i64,
    },
    UserLimited {
        retry_after_ms: i64,
    },
    GlobalLimited {
        retry_after_ms: i64,
    },
}

/// Decides Dynamic's health, breaker state and both sliding windows atomically: one Redis round
/// trip. An admitted operation occupies a slot in both windows for `window_ms`. `needs_dynamic`
/// is false on the legacy local-key path, which Dynamic's health does not concern.
pub fn gate(
    redis: &impl Redis,
    limits: &SigningLimits,
    user_id: &str,
    operation_id: &str,
    needs_dynamic: bool,
    now_ms: i64,
) -> Result<GateVerdict, RedisError> {
    let args = vec![
        SCRIPT.into(),
        5i64.into(),
        SIGNING_BREAKER.into(),
        signing_limiter_user(user_id).into(),
        SIGNING_LIMITER_GLOBAL.into(),
        SIGNING_LIMITER_ACTIVE_USERS.into(),
        SYSTEM_HEALTH.into(),
        now_ms.into(),
        operation_id.into(),
        user_id.into(),
        limits.user_limit.into(),
        limits.global_limit.into(),
        limits.window_ms.into(),
        limits.open_ms.into(),
        limits.half_open_probes.into(),
        (if needs_dynamic { "1" } else { "0" }).into(),
    ];
    let reply = redis.execute("EVAL", &args)?;
    let verdict = reply.first().and_then(|v| v.text());
    let retry_after_ms = reply.get(1).and_then(|v| v.int()).unwrap_or(0);
    let probe = reply.get(2).and_then(|v| v.int()) == Some(1);
    match verdict.as_deref() {
        Some("ADMITTED") => Ok(GateVerdict::Admitted { probe }),
        Some("DYNAMIC_DOWN") => Ok(GateVerdict::DynamicDown),
        Some("BREAKER_OPEN") => Ok(GateVerdict::BreakerOpen { retry_after_ms }),
        Some("USER_LIMITED") => Ok(GateVerdict::UserLimited { retry_after_ms }),
        Some("GLOBAL_LIMITED") => Ok(GateVerdict::GlobalLimited { retry_after_ms }),
        other => Err(RedisError::Command(format!("signing gate returned {other:?}"))),
    }
}
