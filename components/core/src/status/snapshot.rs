use crate::ports::{Redis, RedisError};
use crate::redis_keys::{
    POLYMARKET_BREAKER, SIGNING_BREAKER, SIGNING_LIMITER_ACTIVE_USERS, SIGNING_LIMITER_GLOBAL, SYSTEM_HEALTH,
};
use crate::workers::Worker;

const SCRIPT: &str = include_str!("snapshot.lua");

/// The Redis side of the system status, as stored (nothing defaulted yet).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedisSnapshot {
    /// Heartbeat per worker, in `Worker::ALL` order.
    pub heartbeats: Vec<(Worker, Option<i64>)>,
    pub system_health: Option<String>,
    pub signing_breaker: Option<String>,
    pub limiter_global_count: i64,
    pub limiter_active_users: i64,
    pub polymarket_breaker: Option<String>,
}

impl RedisSnapshot {
    /// One Redis round trip (an `EVAL`), counting limiter entries newer than `window_start_ms`.
    pub fn read(redis: &impl Redis, window_start_ms: i64) -> Result<Self, RedisError> {
        let mut args = vec![SCRIPT.into(), 10i64.into()];
        args.extend(Worker::ALL.iter().map(|w| w.heartbeat_key().into()));
        for key in
            [SYSTEM_HEALTH, SIGNING_BREAKER, SIGNING_LIMITER_GLOBAL, SIGNING_LIMITER_ACTIVE_USERS, POLYMARKET_BREAKER]
        {
            args.push(key.into());
        }
        args.push(window_start_ms.into());
        let reply = redis.execute("EVAL", &args)?;
        if reply.len() != 10 {
            return Err(RedisError::Command(format!("status script returned {} values, expected 10", reply.len())));
        }
        let text = |i: usize| reply[i].text();
        Ok(RedisSnapshot {
            heartbeats: Worker::ALL.iter().enumerate().map(|(i, w)| (*w, reply[i].int())).collect(),
            system_health: text(5),
            signing_breaker: text(6),
            limiter_global_count: reply[7].int().unwrap_or(0),
            limiter_active_users: reply[8].int().unwrap_or(0),
            polymarket_breaker: text(9),
        })
    }
}
