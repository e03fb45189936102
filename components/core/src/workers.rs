//! The scheduled workers and their heartbeats (`worker:<name>:last-ping`, epoch milliseconds).

use std::future::Future;

use serde::Serialize;
use serde_json::json;

use subtle::ConstantTimeEq;

use crate::api::{ApiError, ErrorCode, Request, Response};
use crate::auth::require_admin;
use crate::ports::{Config, ConfigError, Redis, RedisError};
use crate::settings;

/// A scheduled worker, as named in the runbook's heartbeat keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Worker {
    CopyTrading,
    AutoClaim,
    HealthCheck,
    PositionSync,
    ModuleExec,
    Relayer,
}

impl Worker {
    pub const ALL: [Worker; 6] = [
        Worker::CopyTrading,
        Worker::AutoClaim,
        Worker::HealthCheck,
        Worker::PositionSync,
        Worker::ModuleExec,
        Worker::Relayer,
    ];

    /// The name in Redis keys and `/internal/workers/<name>`.
    pub fn name(&self) -> &'static str {
        match self {
            Worker::CopyTrading => "copy-trading",
            Worker::AutoClaim => "auto-claim",
            Worker::HealthCheck => "health-check",
            Worker::PositionSync => "position-sync",
            Worker::ModuleExec => "module-exec",
            Worker::Relayer => "relayer",
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
            Worker::Relayer => "relayer",
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

/// The HTTP face of a worker tick, `/internal/workers/<name>`, for schedulers that call a path
/// instead of firing the cron trigger; the tick runs the same core code as the cron component.
/// Two callers are admitted (`authorize_tick`): `POST` with the admin bearer token (a
/// Kubernetes CronJob, an operator), and `GET` or `POST` with `?token=<worker_trigger_token>`
/// for a scheduler that can only be given a URL (Akamai Functions' `spin aka cron`).
pub async fn tick_over_http<T, F>(request: &Request, config: &dyn Config, tick: impl FnOnce() -> F) -> Response
where
    T: Serialize,
    F: Future<Output = Result<T, ApiError>>,
{
    if request.method != "POST" && request.method != "GET" {
        return ApiError::method_not_allowed(&["GET", "POST"]).into_response();
    }
    if let Err(e) = authorize_tick(request, config) {
        return e.into_response();
    }
    match tick().await {
        Ok(result) => Response::json(200, &json!({ "ok": true, "result": result })),
        Err(e) => e.into_response(),
    }
}

/// A URL-only scheduler has to carry its credential in the query string, where the platform's
/// request logs may record it. So that credential is not the admin token but a tick-only one:
/// whoever reads it can make a tick run early, which ticks are built to bear (leases, unique
/// keys), and nothing else. Mirror itself never logs query strings.
fn authorize_tick(request: &Request, config: &dyn Config) -> Result<(), ApiError> {
    let params = request.query_params(&["token"])?;
    let Some((_, presented)) = params.first() else {
        if request.method != "POST" {
            return Err(ApiError::new(ErrorCode::Unauthorized, "a GET tick needs ?token=<worker_trigger_token>"));
        }
        return require_admin(request, config);
    };
    let expected = match settings::text(config, settings::WORKER_TRIGGER_TOKEN) {
        Ok(expected) => expected,
        Err(ConfigError::Missing(_)) => {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "ticks by URL token are off: `worker_trigger_token` is not set",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    if settings::text(config, settings::ADMIN_TOKEN).is_ok_and(|admin| admin == expected) {
        return Err(ApiError::new(ErrorCode::ConfigurationError, "`worker_trigger_token` must not be the admin token"));
    }
    if bool::from(presented.as_bytes().ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::Forbidden, "worker token rejected"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Vars(HashMap<&'static str, &'static str>);

    impl Config for Vars {
        fn get(&self, name: &str) -> Result<String, ConfigError> {
            self.0.get(name).map(|v| v.to_string()).ok_or_else(|| ConfigError::Missing(name.into()))
        }
    }

    fn request(method: &str, query: &str, bearer: Option<&str>) -> Request {
        let headers = bearer.map(|b| vec![("authorization".to_string(), format!("Bearer {b}"))]).unwrap_or_default();
        Request { method: method.into(), query: query.into(), headers, ..Request::default() }
    }

    fn status(method: &str, query: &str, bearer: Option<&str>, vars: &Vars) -> u16 {
        match authorize_tick(&request(method, query, bearer), vars) {
            Ok(()) => 200,
            Err(e) => e.status(),
        }
    }

    #[test]
    fn the_admin_token_is_taken_in_the_header_of_a_post_only() {
        let vars = Vars(HashMap::from([("admin_token", "adm"), ("worker_trigger_token", "tick")]));
        assert_eq!(status("POST", "", Some("adm"), &vars), 200);
        assert_eq!(status("POST", "", Some("nope"), &vars), 403);
        assert_eq!(status("POST", "", None, &vars), 401);
        assert_eq!(status("GET", "", Some("adm"), &vars), 401, "a GET needs the worker token");
        assert_eq!(status("GET", "token=adm", None, &vars), 403, "the admin token is never taken from a URL");
    }

    #[test]
    fn the_worker_token_is_taken_from_the_query_of_a_get_or_post() {
        let vars = Vars(HashMap::from([("admin_token", "adm"), ("worker_trigger_token", "tick")]));
        assert_eq!(status("GET", "token=tick", None, &vars), 200);
        assert_eq!(status("POST", "token=tick", None, &vars), 200);
        assert_eq!(status("GET", "token=tic", None, &vars), 403);
        assert_eq!(status("GET", "token=tick&token=tick", None, &vars), 400);
        assert_eq!(status("GET", "token=tick&x=1", None, &vars), 400);
    }

    #[test]
    fn without_a_distinct_worker_token_url_ticks_are_off() {
        let unset = Vars(HashMap::from([("admin_token", "adm")]));
        assert_eq!(status("GET", "token=adm", None, &unset), 403);
        let same = Vars(HashMap::from([("admin_token", "adm"), ("worker_trigger_token", "adm")]));
        assert_eq!(status("GET", "token=adm", None, &same), 500);
    }

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
                "worker:relayer:last-ping",
            ]
        );
    }
}
