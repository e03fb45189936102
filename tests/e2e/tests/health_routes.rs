//! `GET /health`, `/healthz`, `/readyz` through the real components.

use mirror_e2e::{PrivateRedis, TestApp};
use mirror_test_host::RoundTrips;
use serde_json::json;

#[tokio::test]
async fn liveness_routes_answer_without_touching_anything() {
    let app = TestApp::start().await.unwrap();
    for (path, body) in
        [("/health", json!({ "status": "ok", "relayerAddress": null })), ("/healthz", json!({ "status": "ok" }))]
    {
        let reply = app.get(path).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.json(), body, "{path}");
        if let Some(trips) = reply.round_trips.on_host() {
            assert_eq!(*trips, RoundTrips::default(), "{path} must not call anything");
        }
    }
}

#[tokio::test]
async fn readyz_is_ready_with_one_round_trip_to_each_store() {
    let app = TestApp::start().await.unwrap();
    let reply = app.get("/readyz").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({ "status": "ready", "checks": { "postgres": "up", "redis": "up" } }));
    if let Some(trips) = reply.round_trips.on_host() {
        assert_eq!((trips.postgres, trips.redis), (1, 1));
    }
}

#[tokio::test]
async fn readyz_names_redis_when_redis_is_stopped() {
    let mut redis = PrivateRedis::start().await.unwrap();
    let url = format!("{}/0", redis.url());
    let origin = redis.url();
    let app = TestApp::with_variables(&[("redis_url", &url), ("redis_host", &origin)]).await.unwrap();
    assert_eq!(app.get("/readyz").await.status, 200, "ready while its own redis runs");

    redis.stop();
    let reply = app.get("/readyz").await;
    assert_eq!(reply.status, 503);
    let body = reply.json();
    assert_eq!(body["checks"], json!({ "postgres": "up", "redis": "down" }));
    assert_eq!(body["error"]["code"], "SERVICE_UNAVAILABLE");
    assert_eq!(body["error"]["message"], "not ready: redis down");
}

#[tokio::test]
async fn readyz_names_postgres_when_postgres_does_not_answer() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dead_url = format!("postgres://mirror:mirror@127.0.0.1:{port}/mirror?sslmode=disable");
    let dead_origin = format!("postgres://127.0.0.1:{port}");
    let app = TestApp::with_variables(&[("database_url", &dead_url), ("postgres_host", &dead_origin)]).await.unwrap();
    let reply = app.get("/readyz").await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.json()["checks"], json!({ "postgres": "down", "redis": "up" }));
    assert_eq!(reply.json()["error"]["message"], "not ready: postgres down");
}

#[tokio::test]
async fn unknown_route_is_404() {
    let app = TestApp::start().await.unwrap();
    assert_eq!(app.get("/no-such-route").await.status, 404);
}

#[tokio::test]
async fn health_names_the_relayer_address_of_the_configured_key_and_never_the_key() {
    let key = mirror_e2e::relayer::Key::random();
    let app = TestApp::with_variables(&[("relayer_private_key", &key.hex)]).await.unwrap();
    let reply = app.get("/health").await;
    assert_eq!(reply.json(), json!({ "status": "ok", "relayerAddress": key.address.to_checksum(None) }));
    let broken = TestApp::with_variables(&[("relayer_private_key", &key.hex[..40])]).await.unwrap();
    let reply = broken.get("/health").await;
    assert_eq!(reply.status, 200, "a malformed key does not fail liveness");
    let body = String::from_utf8_lossy(&reply.body).to_string();
    assert!(body.contains("relayer_private_key") && !body.contains(&key.hex[2..40]), "{body}");
}
