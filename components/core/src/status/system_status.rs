use serde_json::{json, Map, Value};

use super::relayer_status::relayer_section;
use super::{worker_state, DbStats, RedisSnapshot};
use crate::api::{ApiError, Request, Response};
use crate::health::{ServiceStatus, SystemHealth};
use crate::ports::Platform;
use crate::settings;
use crate::time::Timestamp;

/// `GET /system/status`. At most one Redis and one Postgres round trip. Always 200 with the
/// document when configuration is sound: a dependency that cannot be read shows as `unknown`
/// (or `null` for counts), never as an invented healthy value.
pub fn system_status(platform: &impl Platform, request: &Request) -> Response {
    if let Err(e) = request.require_method(&["GET"]).and_then(|()| request.query_params(&[])) {
        return e.into_response();
    }
    match build(platform) {
        Ok(document) => Response::json(200, &document),
        Err(e) => e.into_response(),
    }
}

fn build(platform: &impl Platform) -> Result<Value, ApiError> {
    let config = platform.config();
    let stale_after = settings::seconds(config, settings::WORKER_STALE_AFTER_SECS)?;
    let global_limit: i64 = settings::number(config, settings::SIGNING_GLOBAL_LIMIT)?;
    let window = settings::millis(config, settings::SIGNING_LIMIT_WINDOW_MS)?;
    let now = platform.clock().now_ms();

    let redis = RedisSnapshot::read(platform.redis(), now - window.as_millis() as i64).ok();
    let db_stats = DbStats::read(platform.db()).ok();
    let stats = db_stats.as_ref().map(|s| &s.signing);

    let health: Option<SystemHealth> =
        redis.as_ref().and_then(|r| r.system_health.as_deref()).and_then(|h| serde_json::from_str(h).ok());
    let probe = |pick: fn(&SystemHealth) -> ServiceStatus| health.as_ref().map_or(ServiceStatus::Unknown, pick);
    let dynamic = probe(|h| h.services.dynamic.status);
    let polygon_rpc = probe(|h| h.services.polygon_rpc.status);
    let polymarket_breaker = redis.as_ref().map(|r| breaker_state(r.polymarket_breaker.as_deref()));
    let polymarket = probe(|h| h.services.polymarket.status).worst(breaker_status(polymarket_breaker));
    let signing_breaker = redis.as_ref().map(|r| breaker_state(r.signing_breaker.as_deref()));

    let api = if stats.is_none() {
        ServiceStatus::Down
    } else if redis.is_some()
        && [dynamic, polymarket, polygon_rpc].iter().all(|s| *s == ServiceStatus::Healthy)
        && signing_breaker == Some("CLOSED")
    {
        ServiceStatus::Healthy
    } else {
        ServiceStatus::Degraded
    };

    let mut workers = Map::new();
    let mut heartbeats = Map::new();
    for (worker, ping) in redis.as_ref().map(|r| r.heartbeats.clone()).unwrap_or_default() {
        workers.insert(worker.status_field().into(), json!(worker_state(ping, now, stale_after)));
        heartbeats.insert(
            worker.status_field().into(),
            ping.map_or(Value::Null, |p| {
                json!({ "lastPingAt": Timestamp::from_millis(p).to_string(), "ageSeconds": (now - p).max(0) / 1000 })
            }),
        );
    }
    if redis.is_none() {
        for worker in crate::workers::Worker::ALL {
            workers.insert(worker.status_field().into(), json!(ServiceStatus::Unknown));
        }
    }

    let breaker_text = signing_breaker.unwrap_or("UNKNOWN");
    Ok(json!({
        "status": match api { ServiceStatus::Healthy => "OK", ServiceStatus::Down => "DOWN", _ => "DEGRADED" },
        "api": api,
        "workers": workers,
        "workerHeartbeats": heartbeats,
        "external": { "polymarket": polymarket, "dynamic": dynamic, "polygonRpc": polygon_rpc },
        "dynamicApi": dynamic,
        "signing": {
            "circuitBreaker": breaker_text,
            "rateLimiter": {
                "globalCount": redis.as_ref().map(|r| r.limiter_global_count),
                "globalLimit": global_limit,
                "activeUsers": redis.as_ref().map(|r| r.limiter_active_users),
            },
        },
        "signingStats": {
            "totalRequests1h": stats.as_ref().map(|s| s.total_requests_1h),
            "failedRequests1h": stats.as_ref().map(|s| s.failed_requests_1h),
            "avgLatencyMs": stats.as_ref().map(|s| s.avg_latency_ms),
            "circuitBreakerState": breaker_text,
        },
        "relayer": relayer_section(
            config,
            redis.as_ref().and_then(|r| r.relayer_state.as_deref()),
            db_stats.as_ref().map(|s| &s.relayer),
        ),
        "moduleTxs": db_stats.as_ref().map(|s| s.module_txs),
        "dependencies": {
            "postgres": if stats.is_some() { "up" } else { "down" },
            "redis": if redis.is_some() { "up" } else { "down" },
        },
        "healthCheckedAt": health.as_ref().map(|h| h.checked_at.clone()),
        "generatedAt": Timestamp::from_millis(now).to_string(),
    }))
}

/// A breaker's stored state; nothing stored means it never tripped (CLOSED). A value that is
/// not a breaker state is reported as UNKNOWN rather than guessed.
fn breaker_state(stored: Option<&str>) -> &'static str {
    match stored {
        None | Some("CLOSED") => "CLOSED",
        Some("OPEN") => "OPEN",
        Some("HALF_OPEN") => "HALF_OPEN",
        Some(_) => "UNKNOWN",
    }
}

fn breaker_status(state: Option<&str>) -> ServiceStatus {
    match state {
        Some("CLOSED") => ServiceStatus::Healthy,
        Some("HALF_OPEN") => ServiceStatus::Degraded,
        Some("OPEN") => ServiceStatus::Down,
        _ => ServiceStatus::Unknown,
    }
}
