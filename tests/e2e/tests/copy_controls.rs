//! The controls over copy trading, end to end: execution mode (DRY) and the emergency stop
//! (runbook 003), signing unavailable (signing breaker open, Dynamic down) pausing and resuming
//! by itself, the Polymarket breaker, CLOB rate limits, and every profile guard — each proven
//! on the real components with real Postgres, Redis, signer and a fake CLOB that verifies what
//! it is sent. No attempt is ever lost while copy trading is paused.

use std::time::{Duration, Instant};

use mirror_e2e::copy::{CopyStack, Follower, CONDITION, TOKEN, USD};
use mirror_e2e::signing::random_hex;
use mirror_e2e::{now_ms, Reply};
use mirror_fakes::polymarket::{BalanceAsset, Endpoint, FakePolymarket};
use mirror_fakes::Behaviour;
use serde_json::{json, Value};

const EXEC_MODE_PATH: &str = "/admin/execution-mode";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Requests to the CLOB (every endpoint of the fake but the Data API's).
fn clob_requests(polymarket: &FakePolymarket) -> usize {
    polymarket.request_count(Endpoint::Any)
        - polymarket.request_count(Endpoint::DataTrades)
        - polymarket.request_count(Endpoint::DataActivity)
        - polymarket.request_count(Endpoint::DataPositions)
}

async fn exec_mode_call(stack: &CopyStack, method: &str, token: Option<&str>, body: &str) -> Reply {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("content-type", "application/json")];
    if let Some(b) = bearer.as_deref() {
        headers.push(("authorization", b));
    }
    stack.app.request(method, EXEC_MODE_PATH, &headers, body.as_bytes()).await
}

async fn admin_exec_mode(stack: &CopyStack) -> Value {
    let reply = exec_mode_call(stack, "GET", Some(&stack.app.admin_token), "").await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()
}

async fn hset(stack: &CopyStack, key: &str, fields: &[(&str, String)]) {
    let mut cmd = redis::cmd("HSET");
    cmd.arg(key);
    for (field, value) in fields {
        cmd.arg(*field).arg(value);
    }
    cmd.query_async::<()>(&mut stack.app.redis.clone()).await.expect("HSET");
}

async fn hget(stack: &CopyStack, key: &str, field: &str) -> Option<String> {
    redis::cmd("HGET").arg(key).arg(field).query_async(&mut stack.app.redis.clone()).await.expect("HGET")
}

async fn exists(stack: &CopyStack, key: &str) -> bool {
    let n: i64 = redis::cmd("EXISTS").arg(key).query_async(&mut stack.app.redis.clone()).await.expect("EXISTS");
    n == 1
}

async fn del(stack: &CopyStack, key: &str) {
    redis::cmd("DEL").arg(key).query_async::<()>(&mut stack.app.redis.clone()).await.expect("DEL");
}

/// Every copy attempt's status, oldest first.
async fn attempt_statuses(stack: &CopyStack) -> Vec<String> {
    let rows = stack.app.db.query("SELECT status FROM copy_attempts ORDER BY created_at, id", &[]).await.unwrap();
    rows.iter().map(|r| r.get(0)).collect()
}

/// The one copy attempt of `follower`: (status, skip_reason, error_code).
async fn attempt_of(stack: &CopyStack, follower: &Follower) -> (String, Option<String>, Option<String>) {
    let rows = stack
        .app
        .db
        .query("SELECT status, skip_reason, error_code FROM copy_attempts WHERE user_id = $1", &[&follower.user_id])
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "one attempt for the follower");
    (rows[0].get(0), rows[0].get(1), rows[0].get(2))
}

async fn signing_requests(stack: &CopyStack) -> i64 {
    stack.count("SELECT count(*) FROM signing_requests").await
}

/// The `system:health` document the health-check worker writes, with Dynamic's status as given.
fn health_document(dynamic: &str) -> String {
    let probe = |status: &str| json!({ "status": status, "latencyMs": 4 });
    json!({
        "checkedAt": "2026-11-22T20:00:00.000Z",
        "checkedAtMs": now_ms(),
        "services": { "dynamic": probe(dynamic), "polymarket": probe("healthy"), "polygonRpc": probe("healthy") },
    })
    .to_string()
}

/// A leader of one's own: a profile on a fresh leader address; returns the leader.
async fn follow_own_leader(stack: &CopyStack, follower: &Follower, profile: Value) -> String {
    let leader = format!("0x{}", random_hex(20));
    let mut body = profile;
    body["leaderAddress"] = json!(leader);
    let reply = stack.user_request(follower, "POST", "/copy-profiles", &body).await;
    assert_eq!(reply.status, 201, "{}", String::from_utf8_lossy(&reply.body));
    leader
}

/// A fill of `leader` on the scripted market, traded now.
fn fill_of(stack: &CopyStack, leader: &str, side: &str, size: &str, price: &str) -> Value {
    let mut trade = stack.trade(side, size, price);
    trade["proxyWallet"] = json!(leader);
    trade
}

/// Ticks until every attempt has left PENDING/SIGNED, or panics after `within`.
async fn tick_until_settled(stack: &CopyStack, within: Duration) {
    let start = Instant::now();
    loop {
        stack.tick().await;
        if stack.count("SELECT count(*) FROM copy_attempts WHERE status IN ('PENDING', 'SIGNED')").await == 0 {
            return;
        }
        assert!(start.elapsed() < within, "attempts still queued: {:?}", attempt_statuses(stack).await);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn one_fixed_follower(stack: &CopyStack, usd: &str) -> Follower {
    let follower = stack.follower(1_000 * USD).await;
    stack.follow(&follower, json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": usd })).await;
    follower
}

/// A DRY pass: the would-be order is recorded with its amounts, nothing is signed or posted.
async fn assert_fill_is_dry_run(stack: &CopyStack) {
    let signed_before = signing_requests(stack).await;
    stack.polymarket.push_trade(stack.trade("BUY", "40", "0.52"));
    stack.tick().await;

    assert_eq!(attempt_statuses(stack).await, ["DRY_RUN"]);
    let order = stack
        .app
        .db
        .query_one(
            "SELECT status, side, token_id, price::text, size::text, maker_amount, taker_amount FROM orders",
            &[],
        )
        .await
        .expect("a would-be order");
    let (status, side, token): (String, String, String) = (order.get(0), order.get(1), order.get(2));
    let (price, size): (String, String) = (order.get(3), order.get(4));
    let (maker, taker): (i64, i64) = (order.get(5), order.get(6));
    assert_eq!((status.as_str(), side.as_str(), token.as_str()), ("DRY_RUN", "BUY", TOKEN));
    // 26 USD at the ask 0.52: 50 shares, maker 26 USD, taker 50 shares.
    assert_eq!((price.parse::<f64>().unwrap(), size.parse::<f64>().unwrap()), (0.52, 50.0));
    assert_eq!((maker, taker), (26 * USD as i64, 50 * USD as i64));
    assert_eq!(stack.count("SELECT count(*) FROM copy_attempts WHERE amount = 26000000").await, 1, "notional recorded");

    assert_eq!(signing_requests(stack).await, signed_before, "nothing signed in DRY mode");
    assert!(stack.polymarket.accepted_orders().is_empty());
    assert_eq!(stack.polymarket.request_count(Endpoint::PostOrder), 0, "no POST /order in DRY mode");
    assert_eq!(stack.polymarket.request_count(Endpoint::Auth), 0, "no API key derived (that signs) in DRY mode");
}

// ---------------------------------------------------------------------------------------------
// 1. DRY mode
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn dry_mode_set_by_the_admin_route_records_would_be_orders_and_signs_and_posts_nothing() {
    let stack = CopyStack::start(&[]).await;
    one_fixed_follower(&stack, "26").await;

    let set =
        exec_mode_call(&stack, "POST", Some(&stack.app.admin_token), r#"{"mode":"DRY","emergency_stop":false}"#).await;
    assert_eq!(set.status, 200, "{}", String::from_utf8_lossy(&set.body));
    assert_eq!(set.json(), json!({ "mode": "DRY", "emergency_stop": false, "source": "redis" }));
    let stored: Value = serde_json::from_str(&stack.app.redis_get("exec_mode").await.expect("exec_mode set")).unwrap();
    assert_eq!(stored, json!({ "mode": "DRY", "emergency_stop": false }), "the runbook's own document");
    assert_eq!(stack.count("SELECT count(*) FROM audit_logs WHERE action = 'EXECUTION_MODE_CHANGED'").await, 1);

    assert_fill_is_dry_run(&stack).await;
}

#[tokio::test]
async fn dry_mode_from_the_variable_without_a_redis_key_records_would_be_orders_and_signs_and_posts_nothing() {
    let stack = CopyStack::start(&[("copy_execution_mode", "DRY")]).await;
    one_fixed_follower(&stack, "26").await;
    assert_eq!(stack.app.redis_get("exec_mode").await, None);
    assert_eq!(admin_exec_mode(&stack).await, json!({ "mode": "DRY", "emergency_stop": false, "source": "variables" }));

    assert_fill_is_dry_run(&stack).await;
}

// ---------------------------------------------------------------------------------------------
// 2. Emergency stop and the admin route
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn emergency_stop_written_as_the_runbook_does_queues_attempts_and_clearing_it_posts_them_all() {
    let stack = CopyStack::start(&[]).await;
    let follower = one_fixed_follower(&stack, "10").await;
    assert_eq!(
        admin_exec_mode(&stack).await,
        json!({ "mode": "LIVE", "emergency_stop": false, "source": "variables" })
    );
    let signed_before = signing_requests(&stack).await;

    // redis-cli SET exec_mode '{"mode":"DRY","emergency_stop":true}' — no restart.
    stack.set_exec_mode(r#"{"mode":"DRY","emergency_stop":true}"#).await;
    assert_eq!(admin_exec_mode(&stack).await, json!({ "mode": "DRY", "emergency_stop": true, "source": "redis" }));

    stack.polymarket.push_trade(stack.trade("BUY", "40", "0.52"));
    stack.tick().await;
    let pushed = stack.webhook(&[stack.trade("BUY", "30", "0.52")]).await;
    assert_eq!(pushed.status, 200, "{}", String::from_utf8_lossy(&pushed.body));
    assert_eq!(pushed.json()["recorded"]["newAttempts"], json!(1));
    stack.tick().await;

    assert_eq!(attempt_statuses(&stack).await, ["PENDING", "PENDING"], "recorded, queued");
    assert_eq!(
        stack.count("SELECT count(*) FROM copy_attempts WHERE attempts = 0 AND lease_owner IS NULL").await,
        2,
        "never claimed"
    );
    assert_eq!(stack.count("SELECT count(*) FROM orders").await, 0);
    assert_eq!(signing_requests(&stack).await, signed_before, "nothing signed while stopped");
    assert_eq!(stack.polymarket.request_count(Endpoint::PostOrder), 0);
    assert!(stack.polymarket.accepted_orders().is_empty());

    stack.set_exec_mode(r#"{"mode":"LIVE","emergency_stop":false}"#).await;
    assert_eq!(admin_exec_mode(&stack).await, json!({ "mode": "LIVE", "emergency_stop": false, "source": "redis" }));
    stack.tick().await;

    assert_eq!(
        attempt_statuses(&stack).await.iter().filter(|s| *s == "SUBMITTED" || *s == "FILLED").count(),
        2,
        "none lost"
    );
    let accepted = stack.polymarket.accepted_orders();
    assert_eq!(accepted.len(), 2, "rejected: {:?}", stack.polymarket.rejected());
    assert!(accepted.iter().all(|o| o.maker == follower.address));
    let mut hashes: Vec<_> = accepted.iter().map(|o| o.order_hash.clone()).collect();
    hashes.sort();
    hashes.dedup();
    assert_eq!(hashes.len(), 2, "each posted once");
}

#[tokio::test]
async fn the_execution_mode_route_needs_the_admin_token_and_reflects_each_state() {
    let stack = CopyStack::start(&[]).await;
    for method in ["GET", "POST"] {
        let body = r#"{"mode":"DRY","emergency_stop":true}"#;
        let none = exec_mode_call(&stack, method, None, body).await;
        assert_eq!(
            (none.status, none.json()["error"]["code"].as_str()),
            (401, Some("UNAUTHORIZED")),
            "{method} without a token"
        );
        let wrong = exec_mode_call(&stack, method, Some("not-the-admin-token"), body).await;
        assert_eq!(
            (wrong.status, wrong.json()["error"]["code"].as_str()),
            (403, Some("FORBIDDEN")),
            "{method} with a wrong token"
        );
    }
    assert_eq!(stack.app.redis_get("exec_mode").await, None, "refused requests change nothing");

    for (mode, stop) in [("DRY", true), ("LIVE", true), ("DRY", false), ("LIVE", false)] {
        let body = json!({ "mode": mode, "emergency_stop": stop }).to_string();
        let set = exec_mode_call(&stack, "POST", Some(&stack.app.admin_token), &body).await;
        assert_eq!(set.status, 200, "{}", String::from_utf8_lossy(&set.body));
        assert_eq!(admin_exec_mode(&stack).await, json!({ "mode": mode, "emergency_stop": stop, "source": "redis" }));
    }
}

#[tokio::test]
async fn a_bad_execution_mode_body_is_a_validation_error_naming_the_field_and_changes_nothing() {
    let stack = CopyStack::start(&[]).await;
    let before = r#"{"mode":"LIVE","emergency_stop":false}"#;
    stack.set_exec_mode(before).await;
    let cases = [
        (r#"{"mode":"FAST","emergency_stop":false}"#, "mode"),
        (r#"{"mode":"live","emergency_stop":false}"#, "mode"),
        (r#"{"emergency_stop":true}"#, "mode"),
        (r#"{"mode":"DRY"}"#, "emergency_stop"),
        (r#"{"mode":"DRY","emergency_stop":true,"emergencyStop":true}"#, "emergencyStop"),
        (r#"{"mode":"DRY","emergency_stop":"true"}"#, "emergency_stop"),
        (r#"{"mode":"DRY","emergency_stop":1}"#, "emergency_stop"),
        (r#"{"mode":1,"emergency_stop":true}"#, "mode"),
        (r#"{"mode":"DRY","emergency_stop":null}"#, "emergency_stop"),
    ];
    for (body, field) in cases {
        let reply = exec_mode_call(&stack, "POST", Some(&stack.app.admin_token), body).await;
        assert_eq!(reply.status, 400, "{body}: {}", String::from_utf8_lossy(&reply.body));
        let error = reply.json()["error"].clone();
        assert_eq!(error["code"], "VALIDATION_ERROR", "{body}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(&format!("`{field}`")), "{body}: the message names `{field}`: {message}");
        assert_eq!(stack.app.redis_get("exec_mode").await.as_deref(), Some(before), "{body} changed exec_mode");
    }
    for body in ["", "not json", "[\"DRY\", true]", "null"] {
        let reply = exec_mode_call(&stack, "POST", Some(&stack.app.admin_token), body).await;
        assert_eq!((reply.status, reply.json()["error"]["code"].as_str()), (400, Some("VALIDATION_ERROR")), "{body:?}");
        assert_eq!(stack.app.redis_get("exec_mode").await.as_deref(), Some(before), "{body:?} changed exec_mode");
    }
    assert_eq!(stack.count("SELECT count(*) FROM audit_logs WHERE action = 'EXECUTION_MODE_CHANGED'").await, 0);
}

// ---------------------------------------------------------------------------------------------
// 3. Signing unavailable
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_open_signing_breaker_pauses_copy_trading_and_it_resumes_by_itself_when_the_period_passes() {
    let open_ms: i64 = 120_000; // spin.toml's signing_breaker_open_ms
    let stack = CopyStack::start(&[("signing_breaker_open_ms", "120000")]).await;
    let follower = one_fixed_follower(&stack, "10").await;
    let signed_before = signing_requests(&stack).await;
    hset(&stack, "signing:breaker", &[("state", "OPEN".into()), ("opened_at", now_ms().to_string())]).await;

    stack.polymarket.push_trade(stack.trade("BUY", "40", "0.52"));
    stack.tick().await;
    stack.tick().await;
    assert_eq!(attempt_statuses(&stack).await, ["PENDING"], "paused, queued");
    assert_eq!(stack.count("SELECT count(*) FROM copy_attempts WHERE attempts = 0").await, 1, "paused before claiming");
    assert_eq!(clob_requests(&stack.polymarket), 0, "no CLOB call while signing is unavailable");
    assert_eq!(signing_requests(&stack).await, signed_before, "nothing signed while the breaker is open");
    assert_eq!(stack.polymarket.request_count(Endpoint::PostOrder), 0);
    assert_eq!(stack.count("SELECT count(*) FROM orders").await, 0);

    // The open period passes: the next tick resumes with no operator action.
    hset(&stack, "signing:breaker", &[("opened_at", (now_ms() - open_ms - 1).to_string())]).await;
    stack.tick().await;

    assert_eq!(attempt_statuses(&stack).await.len(), 1);
    let (status, _, _) = attempt_of(&stack, &follower).await;
    assert!(status == "SUBMITTED" || status == "FILLED", "{status}");
    let accepted = stack.polymarket.accepted_orders();
    assert_eq!(accepted.len(), 1, "rejected: {:?}", stack.polymarket.rejected());
    assert_eq!(accepted[0].maker, follower.address);
    assert_ne!(hget(&stack, "signing:breaker", "state").await.as_deref(), Some("OPEN"));
}

#[tokio::test]
async fn dynamic_down_in_system_health_pauses_copy_trading_and_it_resumes_when_the_report_clears() {
    let stack = CopyStack::start(&[]).await;
    let follower = one_fixed_follower(&stack, "10").await;
    let signed_before = signing_requests(&stack).await;
    stack.app.redis_set("system:health", &health_document("down")).await;

    stack.polymarket.push_trade(stack.trade("BUY", "40", "0.52"));
    stack.tick().await;
    let pushed = stack.webhook(&[stack.trade("BUY", "20", "0.52")]).await;
    assert_eq!(pushed.status, 200, "{}", String::from_utf8_lossy(&pushed.body));
    stack.tick().await;
    assert_eq!(attempt_statuses(&stack).await, ["PENDING", "PENDING"], "paused, queued");
    assert_eq!(stack.count("SELECT count(*) FROM copy_attempts WHERE attempts = 0").await, 2, "paused before claiming");
    assert_eq!(clob_requests(&stack.polymarket), 0, "no CLOB call while signing is unavailable");
    assert_eq!(signing_requests(&stack).await, signed_before, "nothing signed while Dynamic is down");
    assert_eq!(stack.polymarket.request_count(Endpoint::PostOrder), 0);

    // A healthy report (or none at all) and copy trading resumes by itself.
    stack.app.redis_set("system:health", &health_document("healthy")).await;
    stack.tick().await;

    let statuses = attempt_statuses(&stack).await;
    assert!(statuses.iter().all(|s| s == "SUBMITTED" || s == "FILLED"), "{statuses:?}");
    let accepted = stack.polymarket.accepted_orders();
    assert_eq!(accepted.len(), 2, "rejected: {:?}", stack.polymarket.rejected());
    assert!(accepted.iter().all(|o| o.maker == follower.address));
}

#[tokio::test]
async fn dynamic_down_pauses_and_removing_the_health_report_resumes() {
    let stack = CopyStack::start(&[]).await;
    one_fixed_follower(&stack, "10").await;
    stack.app.redis_set("system:health", &health_document("down")).await;
    stack.polymarket.push_trade(stack.trade("BUY", "40", "0.52"));
    stack.tick().await;
    assert_eq!(attempt_statuses(&stack).await, ["PENDING"]);
    assert_eq!(clob_requests(&stack.polymarket), 0, "no CLOB call while Dynamic is down");

    del(&stack, "system:health").await;
    stack.tick().await;
    assert_eq!(stack.polymarket.accepted_orders().len(), 1, "rejected: {:?}", stack.polymarket.rejected());
    let statuses = attempt_statuses(&stack).await;
    assert!(statuses == ["SUBMITTED"] || statuses == ["FILLED"], "{statuses:?}");
}

// ---------------------------------------------------------------------------------------------
// 4. The Polymarket breaker and CLOB rate limits
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn failing_posts_open_the_polymarket_breaker_which_stops_clob_calls_loses_nothing_and_recovers() {
    // The open period is long, so nothing here races it; its end is brought about by moving the
    // breaker's `opened_at` back, as the passing of that time would.
    let open_ms: i64 = 60_000;
    let stack = CopyStack::start(&[
        ("polymarket_breaker_failure_threshold", "3"),
        ("polymarket_breaker_open_ms", "60000"),
        ("copy_retry_ms", "50"),
        ("copy_max_attempts", "5"),
    ])
    .await;
    let follower = one_fixed_follower(&stack, "10").await;
    stack.app.redis_set("system:health", &health_document("healthy")).await;
    assert_eq!(stack.app.get("/system/status").await.json()["external"]["polymarket"], "healthy");

    stack.polymarket.set_behaviour(Endpoint::PostOrder, Behaviour::Status(503));
    stack.polymarket.push_trade(stack.trade("BUY", "40", "0.52"));
    // Each failing tick posts once (503) and is one failure; the third opens the breaker.
    let mut failing_ticks = 0;
    while hget(&stack, "polymarket:breaker", "state").await.as_deref() != Some("OPEN") {
        assert!(failing_ticks < 10, "the breaker never opened: {:?}", attempt_statuses(&stack).await);
        tokio::time::sleep(Duration::from_millis(450)).await;
        stack.tick().await;
        failing_ticks += 1;
    }
    assert_eq!(failing_ticks, 3, "threshold 3, one failed POST /order per tick");
    assert_eq!(stack.polymarket.request_count(Endpoint::PostOrder), 3);
    assert_eq!(attempt_statuses(&stack).await, ["SIGNED"], "the signed order waits to be posted");
    let status = stack.app.get("/system/status").await.json();
    assert_ne!(status["external"]["polymarket"], "healthy", "{status}");
    assert_eq!(status["external"]["polymarket"], "down");

    // While OPEN: a new fill is recorded; ticks make no CLOB call and lose no attempt, however many.
    stack.polymarket.push_trade(stack.trade("BUY", "30", "0.52"));
    let clob_before = clob_requests(&stack.polymarket);
    for _ in 0..6 {
        stack.tick().await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(clob_requests(&stack.polymarket), clob_before, "no CLOB call in 6 ticks while the breaker is open");
    assert_eq!(hget(&stack, "polymarket:breaker", "state").await.as_deref(), Some("OPEN"));
    assert_eq!(attempt_statuses(&stack).await, ["SIGNED", "PENDING"], "nothing lost while open");
    assert_eq!(stack.count("SELECT count(*) FROM orders").await, 1);

    // The CLOB heals and the open period passes: the next ticks post every pending order once.
    stack.polymarket.set_behaviour(Endpoint::PostOrder, Behaviour::Healthy);
    let opened_at: i64 = hget(&stack, "polymarket:breaker", "opened_at").await.unwrap().parse().unwrap();
    let expired = (opened_at - open_ms - 1).to_string();
    redis::cmd("HSET")
        .arg("polymarket:breaker")
        .arg("opened_at")
        .arg(&expired)
        .query_async::<()>(&mut stack.app.redis.clone())
        .await
        .unwrap();
    tick_until_settled(&stack, Duration::from_secs(10)).await;

    let statuses = attempt_statuses(&stack).await;
    assert!(statuses.iter().all(|s| s == "SUBMITTED" || s == "FILLED"), "{statuses:?}");
    let accepted = stack.polymarket.accepted_orders();
    assert_eq!(accepted.len(), 2, "rejected: {:?}", stack.polymarket.rejected());
    assert!(accepted.iter().all(|o| o.maker == follower.address));
    let orders = stack.app.db.query("SELECT order_hash FROM orders", &[]).await.unwrap();
    for row in orders {
        let hash: String = row.get(0);
        assert_eq!(accepted.iter().filter(|o| o.order_hash == hash).count(), 1, "{hash} posted once");
    }
    assert!(!exists(&stack, "polymarket:breaker").await, "CLOSED: the breaker hash is gone");
    assert_eq!(stack.app.get("/system/status").await.json()["external"]["polymarket"], "healthy");
}

#[tokio::test]
async fn a_clob_429_with_retry_after_defers_the_attempt_at_least_that_long() {
    let stack = CopyStack::start(&[("copy_retry_ms", "100")]).await;
    one_fixed_follower(&stack, "10").await;
    stack.polymarket.set_behaviour(Endpoint::PostOrder, Behaviour::RateLimited { retry_after_secs: 3 });
    stack.polymarket.push_trade(stack.trade("BUY", "40", "0.52"));
    stack.tick().await;

    assert_eq!(stack.polymarket.request_count(Endpoint::PostOrder), 1);
    assert_eq!(attempt_statuses(&stack).await, ["SIGNED"]);
    let wait_ms: f64 = stack
        .app
        .db
        .query_one("SELECT (extract(epoch FROM next_attempt_at - now()) * 1000)::float8 FROM copy_attempts", &[])
        .await
        .unwrap()
        .get(0);
    assert!(wait_ms > 2_500.0, "deferred only {wait_ms} ms after a Retry-After of 3 s");

    stack.polymarket.set_behaviour(Endpoint::PostOrder, Behaviour::Healthy);
    stack.tick().await;
    assert_eq!(stack.polymarket.request_count(Endpoint::PostOrder), 1, "not posted again before Retry-After");
    assert_eq!(attempt_statuses(&stack).await, ["SIGNED"]);

    // The Retry-After passes (the deferral is moved to now, as waiting would): posted once.
    stack.app.db.batch_execute("UPDATE copy_attempts SET next_attempt_at = now()").await.unwrap();
    tick_until_settled(&stack, Duration::from_secs(5)).await;
    assert_eq!(stack.polymarket.accepted_orders().len(), 1, "rejected: {:?}", stack.polymarket.rejected());
    assert_eq!(stack.polymarket.request_count(Endpoint::PostOrder), 2, "one refused, one accepted");
}

/// An error of ours (here the follower's wallet row is damaged, so their authority cannot be
/// read) puts the attempt back at once, spending a retry; it ends FAILED after
/// `copy_max_attempts` instead of being claimed again at every lease expiry, forever.
#[tokio::test]
async fn an_attempt_that_keeps_hitting_an_error_of_ours_ends_failed_after_its_retries() {
    let stack = CopyStack::start(&[("copy_retry_ms", "50"), ("copy_max_attempts", "3")]).await;
    let follower = one_fixed_follower(&stack, "10").await;
    stack
        .app
        .db
        .execute("UPDATE server_wallets SET dynamic_wallet_id = NULL WHERE user_id = $1", &[&follower.user_id])
        .await
        .unwrap();
    stack.polymarket.push_trade(stack.trade("BUY", "40", "0.52"));
    let state = || async {
        let row = stack
            .app
            .db
            .query_one("SELECT status, attempts, error_code, lease_owner IS NULL FROM copy_attempts", &[])
            .await
            .unwrap();
        (row.get::<_, String>(0), row.get::<_, i32>(1), row.get::<_, Option<String>>(2), row.get::<_, bool>(3))
    };
    for tick in 1..=3 {
        stack.tick().await;
        let (status, attempts, error_code, released) = state().await;
        assert_eq!(attempts, tick, "claimed once per tick");
        assert!(error_code.is_some() && released, "tick {tick}: the error is recorded and the lease given back");
        assert_eq!(status, if tick < 3 { "PENDING" } else { "FAILED" }, "tick {tick}");
        tokio::time::sleep(Duration::from_millis(60 << tick)).await;
    }
    stack.tick().await;
    assert_eq!(state().await.1, 3, "a failed attempt is not claimed again");
    assert_eq!(signing_requests(&stack).await, 0);
    assert!(stack.polymarket.accepted_orders().is_empty());
}

/// An error of ours after the order was persisted and posted (here recording the CLOB's answer
/// fails) must not fail the attempt, even on its last retry: the order is on the CLOB. The
/// attempt goes back SIGNED without spending a retry and the next tick re-posts the same order,
/// which the CLOB already has.
#[tokio::test]
async fn an_error_of_ours_after_posting_keeps_the_order_for_the_next_tick() {
    let stack = CopyStack::start(&[("copy_retry_ms", "50"), ("copy_max_attempts", "1")]).await;
    let follower = one_fixed_follower(&stack, "10").await;
    stack
        .app
        .db
        .batch_execute(
            "CREATE FUNCTION test_refuse_posted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
               RAISE EXCEPTION 'test: recording the answer fails'; END $$;
             CREATE TRIGGER test_refuse_posted BEFORE UPDATE ON copy_attempts FOR EACH ROW
               WHEN (NEW.status IN ('SUBMITTED', 'FILLED')) EXECUTE FUNCTION test_refuse_posted();",
        )
        .await
        .unwrap();
    stack.polymarket.push_trade(stack.trade("BUY", "40", "0.52"));
    stack.tick().await;
    assert_eq!(stack.polymarket.accepted_orders().len(), 1, "posted once");
    let (status, _, error_code) = attempt_of(&stack, &follower).await;
    assert_eq!(
        (status.as_str(), error_code.is_some()),
        ("SIGNED", true),
        "put back with its order, the error recorded"
    );
    assert_eq!(stack.count("SELECT count(*) FROM orders WHERE status = 'PENDING'").await, 1);

    stack.app.db.batch_execute("DROP TRIGGER test_refuse_posted ON copy_attempts").await.unwrap();
    tick_until_settled(&stack, Duration::from_secs(10)).await;
    let (status, _, _) = attempt_of(&stack, &follower).await;
    assert!(status == "SUBMITTED" || status == "FILLED", "{status}");
    assert_eq!(stack.count("SELECT count(*) FROM orders WHERE status IN ('SUBMITTED', 'FILLED')").await, 1);
    assert_eq!(stack.polymarket.accepted_orders().len(), 1, "the same order, not a second one");
    assert_eq!(stack.count("SELECT count(*) FROM signing_requests WHERE purpose = 'ORDER'").await, 1);
}

// ---------------------------------------------------------------------------------------------
// 5. Guards
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn market_and_side_guards_skip_with_their_reason() {
    let stack = CopyStack::start(&[]).await;
    let fixed = |extra: Value| {
        let mut profile = json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "10" });
        profile.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        profile
    };
    let upper_condition = format!("0x{}", CONDITION[2..].to_uppercase());
    let other_condition = format!("0x{}", "ab".repeat(32));
    let scenarios: Vec<(Value, &str, Option<&str>)> = vec![
        (fixed(json!({ "buyOnly": true })), "SELL", Some("SELL_NOT_ALLOWED")),
        (fixed(json!({ "marketDenylist": ["will-it-rain"] })), "BUY", Some("MARKET_DENIED")),
        (fixed(json!({ "marketDenylist": [upper_condition] })), "BUY", Some("MARKET_DENIED")),
        (fixed(json!({ "marketAllowlist": ["will-it-snow", other_condition] })), "BUY", Some("MARKET_NOT_ALLOWED")),
        // Controls: the same guards, where they allow the copy.
        (fixed(json!({ "buyOnly": true })), "BUY", None),
        (fixed(json!({ "marketAllowlist": ["will-it-rain"] })), "BUY", None),
        (fixed(json!({ "marketAllowlist": [CONDITION] })), "BUY", None),
        (fixed(json!({ "marketDenylist": ["will-it-snow"] })), "BUY", None),
    ];
    let mut followers = Vec::new();
    for (profile, side, _) in &scenarios {
        let follower = stack.follower(1_000 * USD).await;
        // Every follower holds shares, so a SELL would be copied but for the guard.
        stack.polymarket.set_balance(follower.address, BalanceAsset::Conditional(TOKEN.into()), 100 * USD);
        let leader = follow_own_leader(&stack, &follower, profile.clone()).await;
        stack.polymarket.push_trade(fill_of(&stack, &leader, side, "40", "0.52"));
        followers.push(follower);
    }
    stack.tick().await;

    for ((profile, side, reason), follower) in scenarios.iter().zip(&followers) {
        let (status, skip_reason, error) = attempt_of(&stack, follower).await;
        match reason {
            Some(reason) => {
                assert_eq!((status.as_str(), skip_reason.as_deref()), ("SKIPPED", Some(*reason)), "{side} {profile}")
            }
            None => assert!(
                (status == "SUBMITTED" || status == "FILLED") && skip_reason.is_none(),
                "{side} {profile}: {status} {skip_reason:?} {error:?}"
            ),
        }
    }
    let placed = scenarios.iter().filter(|(_, _, r)| r.is_none()).count();
    assert_eq!(stack.polymarket.accepted_orders().len(), placed, "rejected: {:?}", stack.polymarket.rejected());
}

#[tokio::test]
async fn sizing_guards_skip_or_reduce_as_the_profile_says() {
    let stack = CopyStack::start(&[]).await;
    // (profile, leader's price, expected skip reason; None: placed).
    let scenarios: Vec<(Value, &str, Option<&str>)> = vec![
        // The ask is 0.52; the leader bought at 0.30: 73% away, 5% allowed.
        (
            json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "10", "maxPriceDeviationBps": 500 }),
            "0.30",
            Some("PRICE_DEVIATION"),
        ),
        // Leader at 0.50: 4% away, 5% allowed.
        (json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "10", "maxPriceDeviationBps": 500 }), "0.50", None),
        // 5 USD at 0.52 = 9.61 shares = 4.9972 USD < 10 USD minimum.
        (
            json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "5", "minOrderUsd": "10" }),
            "0.52",
            Some("BELOW_MIN_ORDER"),
        ),
        (json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "5", "minOrderUsd": "4.99" }), "0.52", None),
    ];
    let mut followers = Vec::new();
    for (profile, price, _) in &scenarios {
        let follower = stack.follower(1_000 * USD).await;
        let leader = follow_own_leader(&stack, &follower, profile.clone()).await;
        stack.polymarket.push_trade(fill_of(&stack, &leader, "BUY", "40", price));
        followers.push(follower);
    }
    // maxOrderUsd caps the order: 100 USD wanted, 26 USD allowed (50 shares at 0.52).
    let capped = stack.follower(1_000 * USD).await;
    let leader = follow_own_leader(
        &stack,
        &capped,
        json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "100", "maxOrderUsd": "26" }),
    )
    .await;
    stack.polymarket.push_trade(fill_of(&stack, &leader, "BUY", "400", "0.52"));
    stack.tick().await;

    for ((profile, price, reason), follower) in scenarios.iter().zip(&followers) {
        let (status, skip_reason, error) = attempt_of(&stack, follower).await;
        match reason {
            Some(reason) => {
                assert_eq!((status.as_str(), skip_reason.as_deref()), ("SKIPPED", Some(*reason)), "{price} {profile}")
            }
            None => assert!(
                status == "SUBMITTED" || status == "FILLED",
                "{price} {profile}: {status} {skip_reason:?} {error:?}"
            ),
        }
    }
    let accepted = stack.polymarket.accepted_orders();
    let (status, skip_reason, _) = attempt_of(&stack, &capped).await;
    assert!(status == "SUBMITTED" || status == "FILLED", "capped, not skipped: {status} {skip_reason:?}");
    let order = accepted.iter().find(|o| o.maker == capped.address).expect("the capped order");
    assert_eq!((order.side.as_str(), order.maker_amount, order.taker_amount), ("BUY", 26 * USD, 50 * USD));
}

#[tokio::test]
async fn a_used_up_daily_volume_skips_the_next_copy() {
    let stack = CopyStack::start(&[]).await;
    let follower = stack.follower(1_000 * USD).await;
    // 13 USD at 0.52 is exactly 25 shares: the first copy uses the whole day's 13 USD.
    let leader = follow_own_leader(
        &stack,
        &follower,
        json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "13", "maxDailyVolumeUsd": "13" }),
    )
    .await;
    stack.polymarket.push_trade(fill_of(&stack, &leader, "BUY", "40", "0.52"));
    stack.tick().await;
    assert_eq!(stack.polymarket.accepted_orders().len(), 1, "rejected: {:?}", stack.polymarket.rejected());

    stack.polymarket.push_trade(fill_of(&stack, &leader, "BUY", "40", "0.52"));
    stack.tick().await;
    let skipped =
        stack.app.db.query("SELECT skip_reason FROM copy_attempts WHERE status = 'SKIPPED'", &[]).await.unwrap();
    assert_eq!(skipped.len(), 1, "{:?}", attempt_statuses(&stack).await);
    assert_eq!(skipped[0].get::<_, String>(0), "DAILY_VOLUME_EXCEEDED");
    assert_eq!(stack.polymarket.accepted_orders().len(), 1);
}

#[tokio::test]
async fn two_fills_in_one_pass_never_exceed_the_daily_volume() {
    let stack = CopyStack::start(&[]).await;
    let follower = stack.follower(1_000 * USD).await;
    let leader = follow_own_leader(
        &stack,
        &follower,
        json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "13", "maxDailyVolumeUsd": "13" }),
    )
    .await;
    stack.polymarket.push_trade(fill_of(&stack, &leader, "BUY", "40", "0.52"));
    stack.polymarket.push_trade(fill_of(&stack, &leader, "BUY", "50", "0.52"));
    stack.tick().await;

    let committed: i64 = stack
        .app
        .db
        .query_one("SELECT coalesce(sum(amount), 0)::int8 FROM copy_attempts WHERE status IN ('SIGNED', 'SUBMITTED', 'FILLED')", &[])
        .await
        .unwrap()
        .get(0);
    assert!(
        committed <= 13 * USD as i64,
        "committed {committed} against a 13 USD daily volume: {:?}",
        attempt_statuses(&stack).await
    );
    assert_eq!(stack.polymarket.accepted_orders().len(), 1);
    let skipped =
        stack.app.db.query("SELECT skip_reason FROM copy_attempts WHERE status = 'SKIPPED'", &[]).await.unwrap();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].get::<_, String>(0), "DAILY_VOLUME_EXCEEDED");
}

#[tokio::test]
async fn a_sell_is_reduced_to_the_position_held_and_skipped_without_one() {
    let stack = CopyStack::start(&[]).await;
    let holder = stack.follower(1_000 * USD).await;
    let empty = stack.follower(1_000 * USD).await;
    // 7.123456 shares held: the sell is 7.12 (2 decimals, rounded down).
    stack.polymarket.set_balance(holder.address, BalanceAsset::Conditional(TOKEN.into()), 7_123_456);
    let profile = json!({ "sizingMode": "LEADER_RATIO", "ratioBps": 10000 });
    let holder_leader = follow_own_leader(&stack, &holder, profile.clone()).await;
    let empty_leader = follow_own_leader(&stack, &empty, profile).await;
    stack.polymarket.push_trade(fill_of(&stack, &holder_leader, "SELL", "50", "0.50"));
    stack.polymarket.push_trade(fill_of(&stack, &empty_leader, "SELL", "50", "0.50"));
    stack.tick().await;

    let (status, skip_reason, error) = attempt_of(&stack, &holder).await;
    assert!(status == "SUBMITTED" || status == "FILLED", "{status} {skip_reason:?} {error:?}");
    let accepted = stack.polymarket.accepted_orders();
    assert_eq!(accepted.len(), 1, "rejected: {:?}", stack.polymarket.rejected());
    let order = &accepted[0];
    assert_eq!(order.maker, holder.address);
    // SELL at the bid 0.50: maker = shares, taker = shares × price.
    assert_eq!((order.side.as_str(), order.maker_amount, order.taker_amount), ("SELL", 7_120_000, 3_560_000));

    assert_eq!(attempt_of(&stack, &empty).await.1.as_deref(), Some("NO_POSITION"));
    assert_eq!(attempt_of(&stack, &empty).await.0, "SKIPPED");
}

/// A hold stops its user's copying even where a profile row still reads ENABLED (one created
/// while the hold was being placed can): the pipeline reads the holds itself and skips.
#[tokio::test]
async fn a_hold_stops_copying_even_where_the_profile_row_reads_enabled() {
    let stack = CopyStack::start(&[]).await;
    let follower = stack.follower(1_000 * USD).await;
    stack.follow(&follower, json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "10" })).await;
    stack
        .app
        .db
        .execute(
            "INSERT INTO copy_trading_holds (scope, reason, kind) VALUES ($1, 'INCIDENT', 'ADMIN')",
            &[&follower.user_id],
        )
        .await
        .unwrap();
    let reply = stack.webhook(&[stack.trade("BUY", "100", "0.52")]).await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(attempt_of(&stack, &follower).await, ("SKIPPED".into(), Some("PROFILE_PAUSED".into()), None));
    assert!(stack.polymarket.accepted_orders().is_empty());
    assert_eq!(signing_requests(&stack).await, 0);
}

/// A PROXY wallet row whose address is not one once made the follower trade from their own
/// address instead of their Safe; an unreadable authority address, from the zero address. Each
/// is now an error that stops that one attempt: nothing signed, nothing posted.
#[tokio::test]
async fn a_damaged_trading_account_stops_its_attempt_with_nothing_signed() {
    let stack = CopyStack::start(&[]).await;
    let follower = stack.follower(1_000 * USD).await;
    stack.follow(&follower, json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "10" })).await;
    stack
        .app
        .db
        .execute(
            "INSERT INTO wallets (user_id, type, proxy_type, address) VALUES ($1, 'PROXY', 'SAFE', 'not-an-address')",
            &[&follower.user_id],
        )
        .await
        .unwrap();
    let reply = stack.webhook(&[stack.trade("BUY", "100", "0.52")]).await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(attempt_of(&stack, &follower).await, ("FAILED".into(), None, Some("INTERNAL_ERROR".into())));
    assert_eq!(signing_requests(&stack).await, 0);
    assert!(stack.polymarket.accepted_orders().is_empty());
    assert_eq!(stack.count("SELECT count(*) FROM orders").await, 0);
}
