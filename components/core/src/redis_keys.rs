//! Every Redis key Mirror reads or writes, in one place. Names the runbooks give are used as
//! written (`worker:<name>:last-ping`, `system:health`, `exec_mode`).

/// JSON document of what the relayer's last tick saw: balances, their state, waits.
pub const RELAYER_STATE: &str = "relayer:state";

/// JSON blob of the latest health check (written with a TTL, runbook: 120 s).
pub const SYSTEM_HEALTH: &str = "system:health";

/// Hash of the signing circuit breaker: field `state` is CLOSED, OPEN or HALF_OPEN.
pub const SIGNING_BREAKER: &str = "signing:breaker";

/// Sorted set of recent signing failures (CLOSED state), scored by time in ms.
pub const SIGNING_BREAKER_FAILURES: &str = "signing:breaker:failures";

/// Sorted set of one user's signing admissions, scored by admission time in ms.
pub fn signing_limiter_user(user_id: &str) -> String {
    format!("signing:limiter:user:{user_id}")
}

/// Sorted set of global signing admissions, scored by admission time in ms.
pub const SIGNING_LIMITER_GLOBAL: &str = "signing:limiter:global";

/// Sorted set of users with a signing admission, scored by their latest admission in ms.
pub const SIGNING_LIMITER_ACTIVE_USERS: &str = "signing:limiter:active-users";

/// Hash of the Polymarket circuit breaker: field `state` as for the signing breaker.
pub const POLYMARKET_BREAKER: &str = "polymarket:breaker";

/// Sorted set of recent CLOB failures (CLOSED state), scored by time in ms.
pub const POLYMARKET_BREAKER_FAILURES: &str = "polymarket:breaker:failures";

/// The execution mode document (runbook 003): `{"mode":"LIVE|DRY","emergency_stop":bool}`.
pub const EXEC_MODE: &str = "exec_mode";
