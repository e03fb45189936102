//! The module-exec worker (runbook 000 "Module Exec Worker", "Module Transaction Monitoring",
//! "Session Key Compromise", "Module Stuck Transactions") on the real components, anvil with a
//! Safe 1.3.0 and the AutomationModule: withdrawals authorized by session keys, executed once,
//! refused by the module's limits without being sent, and never by a revoked or expired key.

use std::time::Duration;

use alloy_primitives::{hex, Address, U256};
use alloy_sol_types::SolCall;
use futures::future::join_all;
use mirror_core::automation_module::IAutomationModule::executeFromSessionKeyCall;
use mirror_e2e::automation::{text, until_settled};
use mirror_e2e::module_exec::{withdrawal, Automated};
use mirror_fakes::Behaviour;
use serde_json::{json, Value};

const DOLLAR: u64 = 1_000_000;

fn sends(a: &Automated) -> usize {
    a.rig.proxy.calls_of("eth_sendRawTransaction")
}

#[tokio::test]
async fn a_withdrawal_within_limits_is_confirmed_with_gas_and_refused_ones_are_blocked_and_never_sent() {
    let a = Automated::start(&[], Duration::from_secs(30), 1000 * DOLLAR).await;
    a.key(Value::Null).await;
    let ok = a.queue("w-1", a.recipient, 5 * DOLLAR, None).await;
    let report = a.exec_tick().await;
    assert_eq!((report["signed"].as_u64(), report["submitted"].as_u64()), (Some(1), Some(1)), "{report}");
    let submitted = a.row(&ok).await;
    assert_eq!((submitted["status"].as_str(), submitted["module_nonce"].as_f64()), (Some("SUBMITTED"), Some(0.0)));
    assert!(submitted["relayer_tx_id"].is_string() && submitted["deadline"].is_string(), "{submitted}");
    a.settle_all().await;
    let done = a.row(&ok).await;
    assert_eq!(done["status"], "CONFIRMED", "{done}");
    let hash = done["tx_hash"].as_str().unwrap().parse().unwrap();
    let receipt = a.rig.chain.anvil().receipt(hash).await.unwrap();
    assert_eq!(receipt["status"], "0x1");
    let gas = u64::from_str_radix(receipt["gasUsed"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
    assert_eq!(done["gas_used"].as_u64(), Some(gas), "the receipt's gas");
    assert_eq!(a.balance(a.recipient).await, U256::from(5 * DOLLAR));
    let sent = sends(&a);

    let over = a.queue("w-2", a.recipient, 150 * DOLLAR, None).await;
    let stranger = a.queue("w-3", Address::repeat_byte(0x77), DOLLAR, None).await;
    let body = json!({
        "userId": a.follower.user_id, "to": Address::repeat_byte(0x99), "data": "0x12345678",
        "idempotencyKey": "w-4",
    });
    let reply = a.queue_raw(&body).await;
    assert_eq!(reply.status, 201, "{}", text(&reply));
    let anywhere = reply.json()["moduleTx"]["id"].as_str().unwrap().to_string();
    let report = a.exec_tick().await;
    assert_eq!(report["blocked"], 3, "{report}");
    for (id, reason) in
        [(over, "TradeNotionalExceeded"), (stranger, "RecipientNotAllowed"), (anywhere, "CallNotAllowed")]
    {
        let row = a.row(&id).await;
        assert_eq!(row["status"], "BLOCKED", "{row}");
        assert!(row["error_reason"].as_str().unwrap().starts_with(reason), "{reason}: {row}");
        assert!(row["relayer_tx_id"].is_null());
    }
    a.settle_all().await;
    assert_eq!(sends(&a), sent, "nothing refused was sent");
    assert_eq!(a.count("SELECT count(*) FROM relayer_txs WHERE kind = 'MODULE_EXEC'").await, 1);
    assert_eq!(a.balance(a.recipient).await, U256::from(5 * DOLLAR));

    // Runbook "Module Transaction Monitoring", as operators paste it.
    assert_eq!(a.count("SELECT COUNT(*) FROM module_txs WHERE status = 'PENDING'").await, 0);
    let blocked = a
        .rig
        .stack
        .app
        .db
        .query("SELECT mt.*, mt.error_reason FROM module_txs mt WHERE mt.status = 'BLOCKED' ORDER BY mt.created_at DESC LIMIT 20", &[])
        .await
        .unwrap();
    assert_eq!(blocked.len(), 3);
    let status = a.rig.stack.app.get("/system/status").await.json();
    assert_eq!(status["moduleTxs"], json!({ "pending": 0, "submitted": 0, "blocked": 3, "failed": 0 }), "{status}");
    assert_eq!(status["workers"]["moduleExec"], "healthy", "{status}");
}

#[tokio::test]
async fn the_per_day_and_per_hour_limits_hold_on_chain() {
    let a = Automated::start(&[], Duration::from_secs(30), 1000 * DOLLAR).await;
    let limits = json!({ "maxNotionalPerTrade": "100", "maxNotionalPerDay": "150", "maxTxPerHour": 2 });
    a.key(limits).await;
    let first = a.queue("d-1", a.recipient, 100 * DOLLAR, None).await;
    a.settle_all().await;
    let second = a.queue("d-2", a.recipient, 100 * DOLLAR, None).await;
    a.settle_all().await;
    let third = a.queue("d-3", a.recipient, DOLLAR, None).await;
    a.settle_all().await;
    let fourth = a.queue("d-4", a.recipient, DOLLAR, None).await;
    a.settle_all().await;
    let mut statuses = Vec::new();
    for id in [&first, &second, &third, &fourth] {
        let row = a.row(id).await;
        statuses.push((
            row["status"].as_str().unwrap().to_string(),
            row["error_reason"].as_str().unwrap_or("").to_string(),
        ));
    }
    assert_eq!(statuses[0].0, "CONFIRMED");
    assert_eq!(statuses[1].0, "BLOCKED");
    assert!(statuses[1].1.starts_with("DailyNotionalExceeded"), "{:?}", statuses[1]);
    assert_eq!(statuses[2].0, "CONFIRMED");
    assert_eq!(statuses[3].0, "BLOCKED");
    assert!(statuses[3].1.starts_with("TxRateExceeded"), "{:?}", statuses[3]);
    assert_eq!(a.count("SELECT count(*) FROM relayer_txs WHERE kind = 'MODULE_EXEC'").await, 2);
    assert_eq!(a.balance(a.recipient).await, U256::from(101 * DOLLAR));
}

#[tokio::test]
async fn revoked_and_expired_keys_are_never_used_and_the_chain_revokes_too() {
    let a = Automated::start(&[], Duration::from_secs(30), 1000 * DOLLAR).await;
    let sent = sends(&a);
    let revoked = a.key(Value::Null).await;
    let first = a.queue("r-1", a.recipient, DOLLAR, Some(&revoked)).await;
    // Runbook "Session Key Compromise" step 2, pasted.
    a.rig
        .stack
        .app
        .db
        .execute(
            &format!("UPDATE session_keys SET status = 'REVOKED', revoked_at = NOW()\nWHERE id = '{revoked}';"),
            &[],
        )
        .await
        .unwrap();
    a.exec_tick().await;
    let row = a.row(&first).await;
    assert_eq!(row["status"], "BLOCKED");
    assert!(row["error_reason"].as_str().unwrap().starts_with("RevokedSessionKey"), "{row}");
    let again = a
        .queue_raw(&json!({
            "userId": a.follower.user_id, "to": a.rig.contracts.collateral, "data": withdrawal(a.recipient, 1),
            "idempotencyKey": "r-2", "sessionKeyId": revoked,
        }))
        .await;
    assert_eq!(again.status, 409, "a revoked key takes nothing new: {}", text(&again));
    // Step 3: the on-chain key too, through the route.
    let path = format!("/safe-automation/session-keys/{revoked}");
    let reply = a.rig.stack.user_request(&a.follower, "DELETE", &path, &Value::Null).await;
    assert!(reply.status < 300, "{}", text(&reply));
    until_settled(&a.rig, &a.follower).await;
    let keys = a.rig.stack.user_request(&a.follower, "GET", "/safe-automation/session-keys", &Value::Null).await.json();
    assert!(keys["sessionKeys"][0]["revokedTxHash"].is_string(), "{keys}");

    let expiring = a.key(json!({ "ttlSeconds": 300 })).await;
    let second = a.queue("e-1", a.recipient, DOLLAR, Some(&expiring)).await;
    let db = &a.rig.stack.app.db;
    db.execute("UPDATE session_keys SET expires_at = now() - interval '1 second' WHERE id = $1", &[&expiring])
        .await
        .unwrap();
    let cleanup = "SELECT * FROM session_keys\nWHERE status = 'ACTIVE' AND expires_at < NOW();";
    assert_eq!(db.query(cleanup, &[]).await.unwrap().len(), 1);
    let report = a.exec_tick().await;
    assert_eq!(report["expiredKeys"], 1, "{report}");
    assert!(db.query(cleanup, &[]).await.unwrap().is_empty(), "nothing left to clean up after a pass");
    let row = a.row(&second).await;
    assert_eq!(row["status"], "BLOCKED");
    assert!(row["error_reason"].as_str().unwrap().starts_with("ExpiredSessionKey"), "{row}");

    a.settle_all().await;
    assert_eq!(a.count("SELECT count(*) FROM relayer_txs WHERE kind = 'MODULE_EXEC'").await, 0);
    assert_eq!(a.balance(a.recipient).await, U256::ZERO, "no key moved anything");
    assert!(sends(&a) > sent, "only the owner transactions were sent");
    let suspicious = format!("SELECT * FROM module_txs\nWHERE session_key_id = '{revoked}'\nORDER BY created_at DESC;");
    assert_eq!(db.query(&suspicious, &[]).await.unwrap().len(), 1);
}

#[tokio::test]
async fn eight_racing_ticks_over_two_hundred_rows_execute_each_once() {
    let a = Automated::start(&[("module_exec_batch_size", "25")], Duration::from_secs(60), 1000 * DOLLAR).await;
    let mut keys = Vec::new();
    for _ in 0..4 {
        keys.push(a.key(Value::Null).await);
    }
    let before = sends(&a);
    for i in 0..200 {
        a.queue(&format!("race-{i}"), a.recipient, 1, Some(&keys[i % 4])).await;
    }
    let ticks = join_all((0..8).map(|_| a.rig.stack.app.post_admin("/internal/workers/module-exec"))).await;
    assert!(ticks.iter().all(|t| t.status == 200));
    let submitted: i64 = ticks.iter().map(|t| t.json()["result"]["submitted"].as_i64().unwrap()).sum();
    assert_eq!(submitted, 200, "the racing ticks shared the rows out");
    a.settle_all().await;
    assert_eq!(a.count("SELECT count(*) FROM module_txs WHERE status = 'CONFIRMED'").await, 200);
    assert_eq!(a.count("SELECT count(DISTINCT relayer_tx_id) FROM module_txs").await, 200);
    assert_eq!(a.count("SELECT count(*) FROM relayer_txs WHERE kind = 'MODULE_EXEC'").await, 200);
    assert_eq!(sends(&a) - before, 200, "one send per transaction");
    assert_eq!(a.balance(a.recipient).await, U256::from(200));
    for key in &keys {
        let nonces: Vec<i64> = a
            .rig
            .stack
            .app
            .db
            .query("SELECT module_nonce::int8 FROM module_txs WHERE session_key_id = $1 ORDER BY module_nonce", &[key])
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(nonces, (0..50).collect::<Vec<i64>>(), "each key's nonces once each");
    }
}

#[tokio::test]
async fn a_tick_killed_after_signing_leaves_the_same_authorization_to_be_sent_once() {
    let a = Automated::start(&[("module_exec_lease_ms", "1500")], Duration::from_secs(3), 1000 * DOLLAR).await;
    a.key(Value::Null).await;
    let id = a.queue("k-1", a.recipient, 2 * DOLLAR, None).await;
    let selector = hex::encode(executeFromSessionKeyCall::SELECTOR);
    a.rig.proxy.set_for(&selector, Behaviour::Delay(Duration::from_secs(10)));
    let killed = a.rig.stack.app.post_admin("/internal/workers/module-exec").await;
    assert_ne!(killed.status, 200, "the host stopped the tick in its preflight");
    let db = &a.rig.stack.app.db;
    let signed = db
        .query_one("SELECT status, signature, module_nonce::int8 FROM module_txs WHERE id = $1", &[&id])
        .await
        .unwrap();
    let (status, signature, nonce): (String, Option<Vec<u8>>, i64) = (signed.get(0), signed.get(1), signed.get(2));
    assert_eq!((status.as_str(), nonce), ("PENDING", 0));
    let signature = signature.expect("the authorization was kept before anything was sent");
    a.rig.proxy.clear_for(&selector);
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let report = a.exec_tick().await;
    assert_eq!(
        (report["signed"].as_u64(), report["submitted"].as_u64()),
        (Some(0), Some(1)),
        "not signed again: {report}"
    );
    let carried: bool = db
        .query_one(
            "SELECT position($2::bytea IN r.data) > 0 FROM module_txs mt JOIN relayer_txs r ON r.id = mt.relayer_tx_id
             WHERE mt.id = $1",
            &[&id, &signature],
        )
        .await
        .unwrap()
        .get(0);
    assert!(carried, "the relayer sends the authorization signed by the killed tick");
    a.settle_all().await;
    assert_eq!(a.row(&id).await["status"], "CONFIRMED");
    assert_eq!(a.balance(a.recipient).await, U256::from(2 * DOLLAR), "executed once");
    assert_eq!(a.count("SELECT count(*) FROM relayer_txs WHERE kind = 'MODULE_EXEC'").await, 1);
}

#[tokio::test]
async fn bad_module_tx_requests_are_refused_naming_the_field_and_nothing_is_written() {
    let a = Automated::start(&[], Duration::from_secs(30), 0).await;
    let user = a.follower.user_id.clone();
    let to = a.rig.contracts.collateral;
    let data = withdrawal(a.recipient, 1);
    let cases: Vec<(Value, u16, &str)> = vec![
        (json!({ "to": to, "data": data, "idempotencyKey": "x" }), 400, "userId"),
        (json!({ "userId": user, "to": "0x12", "data": data, "idempotencyKey": "x" }), 400, "to"),
        (json!({ "userId": user, "to": Address::ZERO, "data": data, "idempotencyKey": "x" }), 400, "to"),
        (json!({ "userId": user, "to": to, "data": "0x12", "idempotencyKey": "x" }), 400, "data"),
        (json!({ "userId": user, "to": to, "data": "zz", "idempotencyKey": "x" }), 400, "data"),
        (json!({ "userId": user, "to": to, "data": data }), 400, "idempotencyKey"),
        (json!({ "userId": user, "to": to, "data": data, "idempotencyKey": "" }), 400, "idempotencyKey"),
        (json!({ "userId": user, "to": to, "data": data, "idempotencyKey": "x", "value": "1" }), 400, "value"),
        (json!([{ "userId": user }]), 400, "object"),
        (json!({ "userId": "nobody", "to": to, "data": data, "idempotencyKey": "x" }), 409, "automation"),
        (json!({ "userId": user, "to": to, "data": data, "idempotencyKey": "x" }), 409, "session key"),
        (
            json!({ "userId": user, "to": to, "data": data, "idempotencyKey": "x", "sessionKeyId": "nope" }),
            404,
            "sessionKeyId",
        ),
    ];
    for (body, status, names) in cases {
        let reply = a.queue_raw(&body).await;
        assert_eq!(reply.status, status, "{body}: {}", text(&reply));
        assert!(text(&reply).contains(names), "{} should name {names}", text(&reply));
    }
    let app = &a.rig.stack.app;
    assert_eq!(app.request("POST", "/admin/module-txs", &[], b"{}").await.status, 401);
    let auth = format!("Bearer {}", app.admin_token);
    for (path, names) in [
        ("/admin/module-txs?status=DONE", "status"),
        ("/admin/module-txs?limit=0", "limit"),
        ("/admin/module-txs?x=1", "x"),
    ] {
        let reply = app.request("GET", path, &[("authorization", &auth)], b"").await;
        assert_eq!(reply.status, 400, "{path}: {}", text(&reply));
        assert!(text(&reply).contains(names), "{}", text(&reply));
    }
    assert_eq!(a.count("SELECT count(*) FROM module_txs").await, 0);

    let key = a.key(Value::Null).await;
    let body = json!({ "userId": user, "to": to, "data": data, "idempotencyKey": "same" });
    let first = a.queue_raw(&body).await;
    assert_eq!(first.status, 201, "{}", text(&first));
    let repeat = a.queue_raw(&body).await;
    assert_eq!(repeat.status, 200);
    assert_eq!(repeat.json()["moduleTx"]["id"], first.json()["moduleTx"]["id"]);
    assert_eq!(first.json()["moduleTx"]["sessionKeyId"], key.as_str());
    let other = json!({ "userId": user, "to": to, "data": withdrawal(a.recipient, 2), "idempotencyKey": "same" });
    assert_eq!(a.queue_raw(&other).await.status, 409);
    let listed = app
        .request("GET", &format!("/admin/module-txs?status=PENDING&userId={user}"), &[("authorization", &auth)], b"")
        .await;
    assert_eq!(listed.json()["moduleTxs"].as_array().unwrap().len(), 1, "{}", text(&listed));
    assert_eq!(a.count("SELECT count(*) FROM module_txs").await, 1);
}
