//! `GET /system/status`: the runbook's System Status Fields, every value read from its source.

use mirror_e2e::{now_ms, PrivateRedis, TestApp};
use serde_json::{json, Value};

const WORKERS: [(&str, &str); 5] = [
    ("copyTrading", "copy-trading"),
    ("autoClaim", "auto-claim"),
    ("healthCheck", "health-check"),
    ("positionSync", "position-sync"),
    ("moduleExec", "module-exec"),
];

fn healthy_probe() -> Value {
    json!({ "status": "healthy", "latencyMs": 3 })
}

async fn write_health(app: &TestApp, services: Value) {
    let document = json!({ "checkedAt": "2026-11-22T20:00:00.000Z", "checkedAtMs": now_ms(), "services": services });
    app.redis_set("system:health", &document.to_string()).await;
}

async fn ping_all_workers(app: &TestApp, at_ms: i64) {
    for (_, name) in WORKERS {
        app.redis_set(&format!("worker:{name}:last-ping"), &at_ms.to_string()).await;
    }
}

#[tokio::test]
async fn fresh_system_reports_runbook_shape_with_real_zeroes() {
    let app = TestApp::start().await.unwrap();
    let reply = app.get("/system/status").await;
    assert_eq!(reply.status, 200);
    let s = reply.json();
    for field in ["api", "workers", "external", "dynamicApi", "signing", "signingStats"] {
        assert!(s.get(field).is_some(), "missing runbook field {field}: {s}");
    }
    for (field, _) in WORKERS {
        assert_eq!(s["workers"][field], "down", "never pinged: {field}");
    }
    assert_eq!(
        s["signing"],
        json!({
            "circuitBreaker": "CLOSED",
            "rateLimiter": { "globalCount": 0, "globalLimit": 300, "activeUsers": 0 },
        })
    );
    assert_eq!(
        s["signingStats"],
        json!({
            "totalRequests1h": 0, "failedRequests1h": 0, "avgLatencyMs": 0, "circuitBreakerState": "CLOSED",
        })
    );
    // No health check has run: external state is unknown, not invented.
    assert_eq!(s["external"], json!({ "polymarket": "unknown", "dynamic": "unknown", "polygonRpc": "unknown" }));
    assert_eq!(s["dynamicApi"], "unknown");
    assert_eq!((s["api"].as_str(), s["status"].as_str()), (Some("degraded"), Some("DEGRADED")));
    assert_eq!(s["dependencies"], json!({ "postgres": "up", "redis": "up" }));
}

#[tokio::test]
async fn status_costs_one_redis_and_one_postgres_round_trip() {
    let app = TestApp::start().await.unwrap();
    let trips = app.get("/system/status").await.round_trips;
    assert_eq!((trips.redis, trips.postgres, trips.http), (1, 1, 0), "{trips:?}");
}

#[tokio::test]
async fn all_healthy_when_workers_ping_and_probes_pass() {
    let app = TestApp::start().await.unwrap();
    ping_all_workers(&app, now_ms()).await;
    write_health(
        &app,
        json!({ "dynamic": healthy_probe(), "polymarket": healthy_probe(), "polygonRpc": healthy_probe() }),
    )
    .await;
    let s = app.get("/system/status").await.json();
    for (field, _) in WORKERS {
        assert_eq!(s["workers"][field], "healthy", "{field}");
    }
    assert_eq!(s["external"], json!({ "polymarket": "healthy", "dynamic": "healthy", "polygonRpc": "healthy" }));
    assert_eq!((s["api"].as_str(), s["status"].as_str()), (Some("healthy"), Some("OK")));
    assert_eq!(s["healthCheckedAt"], "2026-11-22T20:00:00.000Z");
}

#[tokio::test]
async fn worker_with_heartbeat_older_than_two_minutes_is_down() {
    let app = TestApp::start().await.unwrap();
    let now = now_ms();
    ping_all_workers(&app, now).await;
    app.redis_set("worker:module-exec:last-ping", &(now - 121_000).to_string()).await;
    app.redis_set("worker:auto-claim:last-ping", &(now - 110_000).to_string()).await;
    let s = app.get("/system/status").await.json();
    assert_eq!(s["workers"]["moduleExec"], "down");
    assert_eq!(s["workers"]["autoClaim"], "healthy");
    assert_eq!(s["workers"]["copyTrading"], "healthy");
    let age = s["workerHeartbeats"]["moduleExec"]["ageSeconds"].as_i64().unwrap();
    assert!((121..=125).contains(&age), "age {age}");
}

#[tokio::test]
async fn dynamic_down_degrades_the_system() {
    let app = TestApp::start().await.unwrap();
    let down = json!({ "status": "down", "latencyMs": 1, "detail": "connection failed: refused" });
    write_health(&app, json!({ "dynamic": down, "polymarket": healthy_probe(), "polygonRpc": healthy_probe() })).await;
    let s = app.get("/system/status").await.json();
    assert_eq!(s["dynamicApi"], "down");
    assert_eq!(s["external"]["dynamic"], "down");
    assert_eq!((s["api"].as_str(), s["status"].as_str()), (Some("degraded"), Some("DEGRADED")));
}

#[tokio::test]
async fn breaker_and_limiter_state_are_read_from_their_keys() {
    let app = TestApp::start().await.unwrap();
    let now = now_ms();
    let mut redis = app.redis.clone();
    redis::cmd("HSET").arg("signing:breaker").arg("state").arg("OPEN").query_async::<()>(&mut redis).await.unwrap();
    redis::cmd("HSET")
        .arg("polymarket:breaker")
        .arg("state")
        .arg("HALF_OPEN")
        .query_async::<()>(&mut redis)
        .await
        .unwrap();
    // Three admissions inside the 60 s window and one older one that must not count.
    for (member, at) in [("a", now - 1_000), ("b", now - 2_000), ("c", now - 59_000), ("old", now - 61_000)] {
        redis::cmd("ZADD")
            .arg("signing:limiter:global")
            .arg(at)
            .arg(member)
            .query_async::<()>(&mut redis)
            .await
            .unwrap();
    }
    for (user, at) in [("u1", now - 5_000), ("u2", now - 70_000)] {
        redis::cmd("ZADD")
            .arg("signing:limiter:active-users")
            .arg(at)
            .arg(user)
            .query_async::<()>(&mut redis)
            .await
            .unwrap();
    }
    write_health(
        &app,
        json!({ "dynamic": healthy_probe(), "polymarket": healthy_probe(), "polygonRpc": healthy_probe() }),
    )
    .await;

    let s = app.get("/system/status").await.json();
    assert_eq!(s["signing"]["circuitBreaker"], "OPEN");
    assert_eq!(s["signingStats"]["circuitBreakerState"], "OPEN");
    assert_eq!(s["signing"]["rateLimiter"], json!({ "globalCount": 3, "globalLimit": 300, "activeUsers": 1 }));
    assert_eq!(s["external"]["polymarket"], "degraded", "half-open Polymarket breaker");
    assert_eq!(s["api"], "degraded", "an open signing breaker degrades the system");
}

#[tokio::test]
async fn signing_stats_come_from_the_last_hour_of_signing_requests() {
    let app = TestApp::start().await.unwrap();
    app.db
        .batch_execute(
            "INSERT INTO signing_requests (kind, purpose, payload_hash, status, created_at, updated_at) VALUES
               ('TYPED_DATA', 'ORDER', 'h1', 'SUCCEEDED', now() - interval '10 minutes', now() - interval '10 minutes' + interval '200 milliseconds'),
               ('TYPED_DATA', 'ORDER', 'h2', 'SUCCEEDED', now() - interval '5 minutes',  now() - interval '5 minutes' + interval '400 milliseconds'),
               ('MESSAGE',    'CLOB_AUTH', 'h3', 'FAILED', now() - interval '1 minute', now()),
               ('MESSAGE',    'CLOB_AUTH', 'h4', 'PENDING', now(), now()),
               ('MESSAGE',    'ORDER', 'old', 'FAILED', now() - interval '2 hours', now() - interval '2 hours')",
        )
        .await
        .unwrap();
    let s = app.get("/system/status").await.json();
    assert_eq!(s["signingStats"]["totalRequests1h"], 4);
    assert_eq!(s["signingStats"]["failedRequests1h"], 1);
    assert_eq!(s["signingStats"]["avgLatencyMs"], 300);
}

#[tokio::test]
async fn redis_stopped_gives_unknowns_not_a_crash() {
    let mut redis = PrivateRedis::start().await.unwrap();
    let (url, origin) = (format!("{}/0", redis.url()), redis.url());
    let app = TestApp::with_variables(&[("redis_url", &url), ("redis_host", &origin)]).await.unwrap();
    redis.stop();

    let reply = app.get("/system/status").await;
    assert_eq!(reply.status, 200);
    let s = reply.json();
    assert_eq!(s["dependencies"], json!({ "postgres": "up", "redis": "down" }));
    for (field, _) in WORKERS {
        assert_eq!(s["workers"][field], "unknown", "{field}");
    }
    assert_eq!(s["signing"]["circuitBreaker"], "UNKNOWN");
    assert_eq!(s["signing"]["rateLimiter"]["globalCount"], Value::Null);
    assert_eq!(s["signingStats"]["totalRequests1h"], 0, "Postgres still answers");
    assert_eq!(s["api"], "degraded");
}
