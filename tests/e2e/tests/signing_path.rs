//! The signing path through the real components: every signature verifies against the wallet,
//! the gate and the outcome cost one Redis round trip each, the limiter is exact under a race,
//! the breaker moves through every state, and backoff honours `Retry-After`.

use std::time::{Duration, Instant};

use alloy_consensus::transaction::SignerRecoverable;
use alloy_consensus::TxEnvelope;
use alloy_dyn_abi::TypedData;
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{Address, Signature};
use mirror_e2e::signing::TestUser;
use mirror_e2e::{Reply, TestApp};
use mirror_fakes::Behaviour;
use serde_json::{json, Value};

async fn user_with_wallet(app: &TestApp) -> (String, Address) {
    let user = TestUser::new();
    let me = app.request("GET", "/me", &[("authorization", &user.bearer())], b"").await.json();
    let id: String =
        app.db.query_one("SELECT id FROM users WHERE dynamic_user_id = $1", &[&user.sub]).await.unwrap().get(0);
    (id, me["serverWallet"]["address"].as_str().unwrap().parse().unwrap())
}

async fn check(app: &TestApp, user_id: &str, kind: &str) -> Reply {
    let body = json!({ "userId": user_id, "kind": kind }).to_string();
    let auth = format!("Bearer {}", app.admin_token);
    app.request("POST", "/admin/signing/check", &[("authorization", &auth)], body.as_bytes()).await
}

fn signature(reply: &Value) -> Signature {
    let hex = reply["signed"]["signature"].as_str().unwrap();
    Signature::try_from(alloy_primitives::hex::decode(hex).unwrap().as_slice()).unwrap()
}

#[tokio::test]
async fn every_kind_of_signature_verifies_against_the_wallet() {
    let (app, _signer) = TestApp::with_signer(&[]).await.unwrap();
    let (user_id, address) = user_with_wallet(&app).await;

    let message = check(&app, &user_id, "MESSAGE").await;
    assert_eq!(message.status, 200, "{}", String::from_utf8_lossy(&message.body));
    let message = message.json();
    assert_eq!(message["verified"], true, "the app recovered the signer itself");
    let text = message["payload"].as_str().unwrap();
    assert_eq!(signature(&message).recover_address_from_msg(text.as_bytes()).unwrap(), address);

    let typed = check(&app, &user_id, "TYPED_DATA").await.json();
    let data: TypedData = serde_json::from_value(typed["payload"].clone()).unwrap();
    let digest = data.eip712_signing_hash().unwrap();
    assert_eq!(signature(&typed).recover_address_from_prehash(&digest).unwrap(), address);

    let tx = check(&app, &user_id, "TRANSACTION").await.json();
    let raw = alloy_primitives::hex::decode(tx["signed"]["rawTransaction"].as_str().unwrap()).unwrap();
    let envelope = TxEnvelope::decode_2718(&mut raw.as_slice()).unwrap();
    assert!(matches!(envelope, TxEnvelope::Eip1559(_)));
    assert_eq!(envelope.recover_signer().unwrap(), address);

    let audit: i64 = app
        .db
        .query_one("SELECT count(*) FROM audit_logs WHERE action IN ('SIGNING_REQUESTED', 'SIGNING_COMPLETED')", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(audit, 6);
    let succeeded: i64 =
        app.db.query_one("SELECT count(*) FROM signing_requests WHERE status = 'SUCCEEDED'", &[]).await.unwrap().get(0);
    assert_eq!(succeeded, 3);
}

#[tokio::test]
async fn gate_and_outcome_are_one_redis_round_trip_each() {
    let (app, _signer) = TestApp::with_signer(&[]).await.unwrap();
    let (user_id, _) = user_with_wallet(&app).await;
    let trips = check(&app, &user_id, "MESSAGE").await.round_trips;
    // Redis: the gate script and the outcome script, nothing else. Postgres: find the wallet,
    // open the request (row + audit), settle it (row + audit). HTTP: one signer call.
    assert_eq!((trips.redis, trips.postgres, trips.http), (2, 3, 1), "{trips:?}");
}

#[tokio::test]
async fn limiter_admits_exactly_30_of_200_racing_requests_for_one_user() {
    let (app, signer) = TestApp::with_signer(&[]).await.unwrap();
    let (user_id, _) = user_with_wallet(&app).await;
    let before = signer.proxy.requests();
    let replies = futures::future::join_all((0..200).map(|_| check(&app, &user_id, "MESSAGE"))).await;
    let admitted = replies.iter().filter(|r| r.status == 200).count();
    let limited: Vec<&Reply> = replies.iter().filter(|r| r.status == 429).collect();
    assert_eq!((admitted, limited.len()), (30, 170));
    for reply in limited {
        assert_eq!(reply.json()["error"]["code"], "SIGNING_RATE_LIMITED");
        let retry: u64 = reply.headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry), "retry-after {retry}");
    }
    assert_eq!(signer.proxy.requests() - before, 30, "rate-limited requests never reach the signer");
    let status = app.get("/system/status").await.json();
    assert_eq!(status["signing"]["rateLimiter"]["globalCount"], 30);
    assert_eq!(status["signing"]["rateLimiter"]["activeUsers"], 1);
}

#[tokio::test]
async fn limiter_admits_exactly_300_of_360_racing_requests_from_12_users() {
    let (app, signer) = TestApp::with_signer(&[]).await.unwrap();
    let mut users = Vec::new();
    for _ in 0..12 {
        users.push(user_with_wallet(&app).await.0);
    }
    let before = signer.proxy.requests();
    let calls: Vec<&String> = users.iter().flat_map(|user| (0..30).map(move |_| user)).collect();
    let replies = futures::future::join_all(calls.iter().map(|user| check(&app, user, "MESSAGE"))).await;
    let admitted = replies.iter().filter(|r| r.status == 200).count();
    let limited = replies.iter().filter(|r| r.status == 429).count();
    assert_eq!((admitted, limited), (300, 60));
    assert_eq!(signer.proxy.requests() - before, 300);
    // Which users got in depends on the race; each got at most its own 30.
    let active = users
        .iter()
        .filter(|user| {
            let theirs = calls.iter().zip(&replies).filter(|(u, r)| **u == *user && r.status == 200).count();
            assert!(theirs <= 30);
            theirs > 0
        })
        .count();
    let status = app.get("/system/status").await.json();
    assert_eq!(
        status["signing"]["rateLimiter"],
        json!({ "globalCount": 300, "globalLimit": 300, "activeUsers": active })
    );
}

const FAST_BREAKER: [(&str, &str); 6] = [
    ("signing_breaker_failure_threshold", "3"),
    ("signing_breaker_open_ms", "1500"),
    ("signing_backoff_base_ms", "10"),
    ("signing_max_retries", "3"),
    ("signing_breaker_half_open_probes", "3"),
    ("signing_breaker_successes_to_close", "3"),
];

async fn breaker_state(app: &TestApp) -> String {
    app.get("/system/status").await.json()["signing"]["circuitBreaker"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn breaker_opens_probes_and_recovers_through_the_components() {
    let (app, signer) = TestApp::with_signer(&FAST_BREAKER).await.unwrap();
    let (user_id, _) = user_with_wallet(&app).await;
    signer.proxy.set(Behaviour::Status(503));

    for _ in 0..3 {
        let reply = check(&app, &user_id, "MESSAGE").await;
        assert_eq!((reply.status, reply.json()["error"]["code"].as_str()), (503, Some("SIGNING_UNAVAILABLE")));
    }
    assert_eq!(breaker_state(&app).await, "OPEN");
    let calls = signer.proxy.requests();
    let blocked = check(&app, &user_id, "MESSAGE").await;
    assert_eq!((blocked.status, blocked.json()["error"]["code"].as_str()), (503, Some("SIGNING_CIRCUIT_BREAKER_OPEN")));
    assert!(blocked.headers.contains_key("retry-after"));
    assert_eq!(signer.proxy.requests(), calls, "an open breaker never calls the signer");

    tokio::time::sleep(Duration::from_millis(1600)).await;
    signer.proxy.set(Behaviour::Healthy);
    for _ in 0..3 {
        assert_eq!(check(&app, &user_id, "MESSAGE").await.status, 200);
    }
    assert_eq!(breaker_state(&app).await, "CLOSED");
    let failed: i64 =
        app.db.query_one("SELECT count(*) FROM audit_logs WHERE action = 'SIGNING_FAILED'", &[]).await.unwrap().get(0);
    assert_eq!(failed, 3);
}

#[tokio::test]
async fn half_open_admits_three_probes_under_concurrency_and_a_failure_reopens() {
    // Probes whose outcome never comes back are reissued one open period after HALF_OPEN began;
    // the period is long enough here that the whole burst of 20 arrives within it even on a
    // loaded CI machine (with 1.5 s a slow burst was admitted a fourth probe).
    let mut breaker = FAST_BREAKER;
    breaker[1] = ("signing_breaker_open_ms", "4000");
    let (app, signer) = TestApp::with_signer(&breaker).await.unwrap();
    let (user_id, _) = user_with_wallet(&app).await;
    signer.proxy.set(Behaviour::Status(500));
    for _ in 0..3 {
        check(&app, &user_id, "MESSAGE").await;
    }
    tokio::time::sleep(Duration::from_millis(4100)).await;
    signer.proxy.set(Behaviour::Delay(Duration::from_millis(300)));
    let replies = futures::future::join_all((0..20).map(|_| check(&app, &user_id, "MESSAGE"))).await;
    let probes = replies.iter().filter(|r| r.status == 200).count();
    assert_eq!(probes, 3, "{:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    assert_eq!(breaker_state(&app).await, "CLOSED");

    // Open it again, then fail the first probe.
    signer.proxy.set(Behaviour::Status(502));
    for _ in 0..3 {
        check(&app, &user_id, "MESSAGE").await;
    }
    tokio::time::sleep(Duration::from_millis(4100)).await;
    assert_eq!(check(&app, &user_id, "MESSAGE").await.status, 503);
    assert_eq!(breaker_state(&app).await, "OPEN");
}

#[tokio::test]
async fn backoff_honours_retry_after_and_feeds_the_breaker_once_per_operation() {
    let (app, signer) = TestApp::with_signer(&FAST_BREAKER).await.unwrap();
    let (user_id, _) = user_with_wallet(&app).await;
    signer.proxy.set(Behaviour::RateLimited { retry_after_secs: 1 });
    let before = signer.proxy.requests();
    let started = Instant::now();
    let reply = check(&app, &user_id, "MESSAGE").await;
    let elapsed = started.elapsed();
    assert_eq!((reply.status, reply.json()["error"]["code"].as_str()), (429, Some("SIGNING_RATE_LIMITED")));
    assert_eq!(signer.proxy.requests() - before, 4, "one attempt and three retries");
    assert!(elapsed >= Duration::from_secs(3), "waited {elapsed:?}, Retry-After says 1 s per retry");
    let attempts: i32 = app.db.query_one("SELECT attempts FROM signing_requests", &[]).await.unwrap().get(0);
    assert_eq!(attempts, 4);
    assert_eq!(breaker_state(&app).await, "CLOSED", "one failed operation is one breaker failure");
}

#[tokio::test]
async fn signer_down_is_signing_unavailable_and_dynamic_down_fails_fast() {
    let (app, signer) = TestApp::with_signer(&[("signing_backoff_base_ms", "10")]).await.unwrap();
    let (user_id, _) = user_with_wallet(&app).await;
    signer.proxy.go_down().await;
    let reply = check(&app, &user_id, "MESSAGE").await;
    assert_eq!((reply.status, reply.json()["error"]["code"].as_str()), (503, Some("SIGNING_UNAVAILABLE")));
    signer.proxy.come_back().await;

    let health = json!({ "checkedAt": "x", "checkedAtMs": 0, "services": {
        "dynamic": { "status": "down", "latencyMs": 1 },
        "polymarket": { "status": "healthy", "latencyMs": 1 },
        "polygonRpc": { "status": "healthy", "latencyMs": 1 } } });
    app.redis_set("system:health", &health.to_string()).await;
    let calls = signer.proxy.requests();
    let reply = check(&app, &user_id, "MESSAGE").await;
    assert_eq!((reply.status, reply.json()["error"]["code"].as_str()), (503, Some("SIGNING_UNAVAILABLE")));
    assert_eq!(signer.proxy.requests(), calls);
    assert_eq!(app.get("/system/status").await.json()["status"], "DEGRADED");
}

#[tokio::test]
async fn signing_check_requires_admin_and_valid_input() {
    let (app, _signer) = TestApp::with_signer(&[]).await.unwrap();
    let (user_id, _) = user_with_wallet(&app).await;
    let body = json!({ "userId": user_id, "kind": "MESSAGE" }).to_string();
    assert_eq!(app.request("POST", "/admin/signing/check", &[], body.as_bytes()).await.status, 401);
    assert_eq!(
        app.request("POST", "/admin/signing/check", &[("authorization", "Bearer x")], body.as_bytes()).await.status,
        403
    );
    let auth = format!("Bearer {}", app.admin_token);
    let bad = app
        .request("POST", "/admin/signing/check", &[("authorization", &auth)], br#"{"userId":"u","kind":"SOMETHING"}"#)
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.json()["error"]["message"].as_str().unwrap().contains("kind"));
    assert_eq!(check(&app, "no-such-user", "MESSAGE").await.status, 404);
}

#[tokio::test]
async fn with_server_wallets_off_new_users_sign_with_an_encrypted_legacy_key() {
    let (app, signer) = TestApp::with_signer(&[("use_server_wallets", "false")]).await.unwrap();
    let user = TestUser::new();
    let me = app.request("GET", "/me", &[("authorization", &user.bearer())], b"").await.json();
    assert_eq!(me["tradingAuthority"]["kind"], "LEGACY_TRADING_KEY");
    assert_eq!(me["serverWallet"], Value::Null);
    assert_eq!(signer.proxy.requests(), 0, "no server wallet created");
    let address: Address = me["tradingAuthority"]["address"].as_str().unwrap().parse().unwrap();
    let row =
        app.db.query_one("SELECT user_id, enc_priv_key FROM wallets WHERE type = 'TRADING_EOA'", &[]).await.unwrap();
    let (user_id, stored): (String, String) = (row.get(0), row.get(1));
    assert!(stored.starts_with("v1:"), "stored encrypted");

    let message = check(&app, &user_id, "MESSAGE").await.json();
    assert_eq!(
        (message["authority"].as_str(), message["verified"].as_bool()),
        (Some("LEGACY_TRADING_KEY"), Some(true))
    );
    let typed = check(&app, &user_id, "TYPED_DATA").await.json();
    let data: TypedData = serde_json::from_value(typed["payload"].clone()).unwrap();
    assert_eq!(signature(&typed).recover_address_from_prehash(&data.eip712_signing_hash().unwrap()).unwrap(), address);
    let tx = check(&app, &user_id, "TRANSACTION").await.json();
    let raw = alloy_primitives::hex::decode(tx["signed"]["rawTransaction"].as_str().unwrap()).unwrap();
    assert_eq!(TxEnvelope::decode_2718(&mut raw.as_slice()).unwrap().recover_signer().unwrap(), address);

    // The breaker protects Dynamic; it does not stop local signing. The limits still apply.
    let mut redis = app.redis.clone();
    redis::cmd("HSET")
        .arg("signing:breaker")
        .arg("state")
        .arg("OPEN")
        .arg("opened_at")
        .arg(i64::MAX / 2)
        .query_async::<()>(&mut redis)
        .await
        .unwrap();
    let reply = check(&app, &user_id, "MESSAGE").await;
    assert_eq!(reply.status, 200);
    if let Some(trips) = reply.round_trips.on_host() {
        assert_eq!(trips.redis, 1, "gate only: no breaker outcome for a local signature");
    }
    let requests: i64 = app
        .db
        .query_one("SELECT count(*) FROM signing_requests WHERE server_wallet_id IS NULL AND status = 'SUCCEEDED'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(requests, 4);
}

/// The request's settlement was once written with `let _ =`: when it failed, the row stayed
/// PENDING with no audit and no log, and the signature was used anyway. Now the operation stops.
#[tokio::test]
async fn a_signature_whose_request_cannot_be_settled_is_not_used() {
    let (app, _signer) = TestApp::with_signer(&[]).await.unwrap();
    let (user_id, _) = user_with_wallet(&app).await;
    app.db
        .batch_execute(
            "CREATE FUNCTION refuse_settling() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'settling refused'; END $$;
             CREATE TRIGGER refuse_settling BEFORE UPDATE ON signing_requests FOR EACH ROW EXECUTE FUNCTION refuse_settling();",
        )
        .await
        .unwrap();
    let reply = check(&app, &user_id, "MESSAGE").await;
    assert_eq!((reply.status, reply.json()["error"]["code"].as_str()), (503, Some("SERVICE_UNAVAILABLE")));
    assert!(reply.json().get("signed").is_none(), "no signature handed out: {}", reply.json());
}
