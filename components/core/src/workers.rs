//! The scheduled workers and their heartbeats (`worker:<name>:last-ping`, epoch milliseconds).

use std::future::Future;

use serde::Serialize;
use serde_json::json;

use crate::api::{ApiError, ErrorCode, Request, Response};
use crate::auth::require_admin;
use crate::ports::{Config, Redis, RedisError};

/// A scheduled worker, as named in the runbook's heartbeat keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Worker {
    CopyTrading,
    AutoClaim,
    HealthCheck,
    PositionSync,
    ModuleExec,
}

impl Worker {
    pub const ALL: [Worker; 5] = [
        Worker::CopyTrading,
        Worker::AutoClaim,
        Worker::HealthCheck,
        Worker::PositionSync,
        Worker::ModuleExec,
    ];

    /// The name in Redis keys and `/internal/workers/<name>`.
    pub fn name(&self) -> &'static str {
        match self {
            Worker::CopyTrading => "copy-trading",
            Worker::AutoClaim => "auto-claim",
            Worker::HealthCheck => "health-check",
            Worker::PositionSync => "position-sync",
            Worker::ModuleExec => "module-exec",
        }
    }

    /// The field name in `/system/status` `workers`.
    pub fn status_field(&self) -> &'static str {
        match self {
            Worker::CopyTrading => "copyTrading",
            Worker::AutoClaim => "autoClaim",
            Worker::HealthCheck => "healthCheck",
            Worker::PositionSync => "positionSync",
            Worker::ModuleExec => "moduleExec",
        }
    }

    pub fn heartbeat_key(&self) -> String {
        format!("worker:{}:last-ping", self.name())
    }
}

/// Records that `worker` finished a tick at `now_ms`. One Redis round trip.
pub fn record_heartbeat(redis: &impl Redis, worker: Worker, now_ms: i64) -> Result<(), RedisError> {
    redis.execute("SET", &[worker.heartbeat_key().into(), now_ms.to_string().into()])?;
    Ok(())
}

/// The HTTP face of a worker tick, `POST /internal/workers/<name>`, for schedulers that call a
/// path instead of firing the cron trigger (SpinKube, Fermyon Cloud). Admin only; the tick runs
/// the same core code as the cron component.
pub async fn tick_over_http<T, F>(request: &Request, config: &dyn Config, tick: impl FnOnce() -> F) -> Response
where
    T: Serialize,
    F: Future<Output = Result<T, ApiError>>,
{
    if request.method != "POST" {
        return ApiError::new(ErrorCode::MethodNotAllowed, "use POST to run a worker tick")
            .into_response()
            .with_header("allow", "POST".into());
    }
    if let Err(e) = require_admin(request, config) {
        return e.into_response();
    }
    match tick().await {
        Ok(result) => Response::json(200, &json!({ "ok": true, "result": result })),
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heartbeat_keys_are_the_runbook_names() {
        let keys: Vec<String> = Worker::ALL.iter().map(Worker::heartbeat_key).collect();
        assert_eq!(
            keys,
            [
                "worker:copy-trading:last-ping",
                "worker:auto-claim:last-ping",
                "worker:health-check:last-ping",
                "worker:position-sync:last-ping",
                "worker:module-exec:last-ping",
            ]
        );
    }
}
