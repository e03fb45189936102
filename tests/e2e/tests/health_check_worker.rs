//! The health-check worker: cron tick and its admin HTTP route, against fake external services.

use std::time::Duration;

use mirror_e2e::signing::SignerStack;
use mirror_e2e::{now_ms, TestApp};
use mirror_fakes::{unreachable_url, Behaviour, FakeService, Kind};
use serde_json::Value;

struct Fakes {
    dynamic: FakeService,
    clob: FakeService,
    rpc: FakeService,
}

async fn app_with_fakes(extra: &[(&str, &str)]) -> (TestApp, Fakes) {
    app_with_fakes_and_timeout(extra, Duration::from_secs(30)).await
}

async fn app_with_fakes_and_timeout(extra: &[(&str, &str)], invocation_timeout: Duration) -> (TestApp, Fakes) {
    let fakes = Fakes {
        dynamic: FakeService::start(Kind::Dynamic).await,
        clob: FakeService::start(Kind::PolymarketClob).await,
        rpc: FakeService::start(Kind::PolygonRpc).await,
    };
    let (dynamic, clob, rpc) = (fakes.dynamic.url(), fakes.clob.url(), fakes.rpc.url());
    let mut vars = vec![
        ("dynamic_api_url", dynamic.as_str()),
        ("polymarket_clob_url", clob.as_str()),
        ("polygon_rpc_url", rpc.as_str()),
        ("polygon_rpc_host", rpc.as_str()),
    ];
    vars.extend_from_slice(extra);
    (TestApp::with_options(&vars, invocation_timeout).await.unwrap(), fakes)
}

async fn system_health(app: &TestApp) -> Value {
    serde_json::from_str(&app.redis_get("system:health").await.expect("system:health written")).unwrap()
}

#[tokio::test]
async fn tick_writes_health_with_ttl_and_heartbeat() {
    let (app, fakes) = app_with_fakes(&[]).await;
    let before = now_ms();
    let (result, trips) = app.tick("health-check").await;
    result.unwrap();

    let health = system_health(&app).await;
    for service in ["dynamic", "polymarket", "polygonRpc"] {
        assert_eq!(health["services"][service]["status"], "healthy", "{service}: {health}");
    }
    assert_eq!(health["services"]["polygonRpc"]["blockNumber"], fakes.rpc.block_number());
    let ttl = app.redis_ttl("system:health").await;
    assert!((115..=120).contains(&ttl), "system:health TTL {ttl}");

    let ping: i64 = app.redis_get("worker:health-check:last-ping").await.unwrap().parse().unwrap();
    assert!(ping >= before && ping <= now_ms(), "heartbeat {ping} not from this tick");
    assert_eq!(app.redis_ttl("worker:health-check:last-ping").await, -1, "heartbeat never expires by itself");
    assert_eq!((fakes.dynamic.requests(), fakes.clob.requests(), fakes.rpc.requests()), (1, 1, 1));
    if let Some(trips) = trips.on_host() {
        assert_eq!((trips.http, trips.redis, trips.postgres), (3, 2, 0), "{trips:?}");
    }

    let status = app.get("/system/status").await.json();
    assert_eq!(status["workers"]["healthCheck"], "healthy");
    assert_eq!(status["dynamicApi"], "healthy");
}

#[tokio::test]
async fn probe_that_times_out_marks_only_that_service_degraded() {
    // The probe hangs for 20 s; a tick that waited for it would be stopped at the 5 s deadline
    // (and, on Spin, get no answer in time) instead of completing.
    let (app, fakes) = app_with_fakes_and_timeout(&[("health_probe_timeout_ms", "300")], Duration::from_secs(5)).await;
    fakes.dynamic.set(Behaviour::Delay(Duration::from_secs(20)));
    app.tick("health-check").await.0.expect("the tick completes without waiting for the hung probe");

    let health = system_health(&app).await;
    assert_eq!(health["services"]["dynamic"]["status"], "degraded");
    assert_eq!(health["services"]["dynamic"]["detail"], "timed out after 300 ms");
    assert_eq!(health["services"]["polymarket"]["status"], "healthy");
    assert_eq!(health["services"]["polygonRpc"]["status"], "healthy");
    let status = app.get("/system/status").await.json();
    assert_eq!((status["dynamicApi"].as_str(), status["api"].as_str()), (Some("degraded"), Some("degraded")));
}

#[tokio::test]
async fn errors_degrade_and_unreachable_services_are_down() {
    let nowhere = unreachable_url().await;
    let (app, fakes) = app_with_fakes(&[("dynamic_api_url", &nowhere)]).await;
    fakes.clob.set(Behaviour::Status(503));
    fakes.rpc.set(Behaviour::Garbage);
    app.tick("health-check").await.0.unwrap();

    let health = system_health(&app).await;
    assert_eq!(health["services"]["dynamic"]["status"], "down");
    assert_eq!(health["services"]["polymarket"]["status"], "degraded");
    assert_eq!(health["services"]["polymarket"]["detail"], "HTTP 503");
    assert_eq!(health["services"]["polygonRpc"]["status"], "degraded");
    fakes.clob.set(Behaviour::RateLimited { retry_after_secs: 3 });
    app.tick("health-check").await.0.unwrap();
    assert_eq!(system_health(&app).await["services"]["polymarket"]["detail"], "HTTP 429");
}

#[tokio::test]
async fn http_route_requires_admin_post_and_runs_the_same_tick() {
    let (app, _fakes) = app_with_fakes(&[]).await;
    let path = "/internal/workers/health-check";

    let reply = app.request("POST", path, &[], b"").await;
    assert_eq!((reply.status, reply.json()["error"]["code"].as_str()), (401, Some("UNAUTHORIZED")));
    let reply = app.request("POST", path, &[("authorization", "Bearer wrong")], b"").await;
    assert_eq!((reply.status, reply.json()["error"]["code"].as_str()), (403, Some("FORBIDDEN")));
    assert_eq!(app.redis_get("system:health").await, None, "rejected calls ran nothing");
    let auth = format!("Bearer {}", app.admin_token);
    assert_eq!(
        app.request("GET", path, &[("authorization", &auth)], b"").await.status,
        401,
        "a GET needs the worker token"
    );
    let reply = app.request("PUT", path, &[("authorization", &auth)], b"").await;
    assert_eq!((reply.status, reply.headers.get("allow").map(|v| v.to_str().unwrap())), (405, Some("GET, HEAD, POST")));
    assert_eq!(app.redis_get("system:health").await, None, "rejected calls ran nothing");

    let reply = app.post_admin(path).await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.json()["result"]["services"]["dynamic"]["status"], "healthy");
    assert!(app.redis_get("system:health").await.is_some());
    assert!(app.redis_get("worker:health-check:last-ping").await.is_some());
    let body = String::from_utf8_lossy(&reply.body).to_string();
    assert!(!body.contains(&app.admin_token), "token echoed");
}

/// What a scheduler that can only be given a URL sends (`spin aka cron create --path-and-query`):
/// a request with the tick-only token in the query, never the admin token.
#[tokio::test]
async fn a_url_scheduler_runs_the_tick_with_the_worker_token_only() {
    let worker_token = mirror_e2e::signing::random_hex(24);
    let (app, _fakes) = app_with_fakes(&[("worker_trigger_token", &worker_token)]).await;
    let path = "/internal/workers/health-check";
    for query in
        [format!("?token={}", app.admin_token), "?token=wrong".to_string(), format!("?token={worker_token}&x=1")]
    {
        let reply = app.request("GET", &format!("{path}{query}"), &[], b"").await;
        assert!(matches!(reply.status, 400 | 403), "{query}: {}", reply.status);
        assert!(!String::from_utf8_lossy(&reply.body).contains(&worker_token), "token echoed");
    }
    assert_eq!(app.redis_get("system:health").await, None, "rejected calls ran nothing");

    let reply = app.request("GET", &format!("{path}?token={worker_token}"), &[], b"").await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert!(app.redis_get("worker:health-check:last-ping").await.is_some());
    assert!(!String::from_utf8_lossy(&reply.body).contains(&worker_token), "token echoed");
}

#[tokio::test]
async fn url_ticks_are_off_until_a_worker_token_is_set() {
    let (app, _fakes) = app_with_fakes(&[]).await;
    let reply =
        app.request("GET", &format!("/internal/workers/copy-trading?token={}", app.admin_token), &[], b"").await;
    assert_eq!((reply.status, reply.json()["error"]["code"].as_str()), (403, Some("FORBIDDEN")));
    assert_eq!(app.redis_get("worker:copy-trading:last-ping").await, None);
}

#[tokio::test]
async fn tick_fails_clearly_when_a_variable_is_malformed() {
    let (app, _fakes) = app_with_fakes(&[("health_probe_timeout_ms", "soon")]).await;
    let (result, _) = app.tick("health-check").await;
    let error = result.unwrap_err();
    assert!(error.contains("health_probe_timeout_ms") && !error.contains("soon"), "{error}");
    assert_eq!(app.redis_get("worker:health-check:last-ping").await, None);
}

#[tokio::test]
async fn with_the_local_signer_backend_signing_health_is_the_signers_own() {
    let signer = SignerStack::start().await;
    let signer_url = signer.proxy.url();
    let (app, fakes) = app_with_fakes(&[("signer_backend", "local"), ("dynamic_signer_url", &signer_url)]).await;

    app.tick("health-check").await.0.expect("tick");
    assert_eq!(system_health(&app).await["services"]["dynamic"]["status"], "healthy");
    assert_eq!((fakes.dynamic.requests(), signer.proxy.requests()), (0, 1), "the signer is probed, not Dynamic");

    signer.proxy.set(Behaviour::Status(503));
    app.tick("health-check").await.0.expect("tick");
    let health = system_health(&app).await;
    assert_eq!(health["services"]["dynamic"]["status"], "degraded", "{health}");
    assert_eq!(health["services"]["dynamic"]["detail"], "HTTP 503");
}

#[tokio::test]
async fn a_signer_backend_other_than_dynamic_or_local_stops_the_tick_naming_the_variable() {
    let (app, fakes) = app_with_fakes(&[("signer_backend", "mpc")]).await;
    let error = app.tick("health-check").await.0.unwrap_err();
    assert!(error.contains("signer_backend"), "{error}");
    assert_eq!(app.redis_get("system:health").await, None);
    assert_eq!(fakes.dynamic.requests() + fakes.clob.requests() + fakes.rpc.requests(), 0);
}
