use crate::ports::{Redis, RedisError};
use crate::redis_keys::{
    POLYMARKET_BREAKER, RELAYER_STATE, SIGNING_BREAKER, SIGNING_LIMITER_ACTIVE_USERS, SIGNING_LIMITER_GLOBAL,
    SYSTEM_HEALTH,
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
    /// The `relayer:state` document the relayer's last tick wrote.
    pub relayer_state: Option<String>,
}

impl RedisSnapshot {
    /// One Redis round trip (an `EVAL`), counting limiter entries newer than `window_start_ms`.
    pub fn read(redis: &impl Redis, window_start_ms: i64) -> Result<Self, RedisError> {
        let workers = Worker::ALL.len();
        let keys = [
            SYSTEM_HEALTH,
            SIGNING_BREAKER,
            SIGNING_LIMITER_GLOBAL,
            SIGNING_LIMITER_ACTIVE_USERS,
            POLYMARKET_BREAKER,
            RELAYER_STATE,
        ];
        let mut args = vec![SCRIPT.into(), ((workers + keys.len()) as i64).into()];
        args.extend(Worker::ALL.iter().map(|w| w.heartbeat_key().into()));
        args.extend(keys.iter().map(|k| (*k).into()));
        args.push(window_start_ms.into());
        args.push((workers as i64).into());
        let reply = redis.execute("EVAL", &args)?;
        let expected = workers + keys.len();
        if reply.len() != expected {
            return Err(RedisError::Command(format!(
                "status script returned {} values, expected {expected}",
                reply.len()
            )));
        }
        let text = |i: usize| reply[workers + i].text();
        Ok(RedisSnapshot {
            heartbeats: Worker::ALL.iter().enumerate().map(|(i, w)| (*w, reply[i].int())).collect(),
            system_health: text(0),
            signing_breaker: text(1),
            limiter_global_count: reply[workers + 2].int().unwrap_or(0),
            limiter_active_users: reply[workers + 3].int().unwrap_or(0),
            polymarket_breaker: text(4),
            relayer_state: text(5),
        })
    }
}
