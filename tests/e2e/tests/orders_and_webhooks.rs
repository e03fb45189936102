//! Manual orders, the leader-trades webhook, order reconciliation and type-3 (POLY_1271)
//! accounts, end to end: the real components on the test host, the real signer, a fake CLOB
//! that verifies every signature and amount, and (for type 3) a real Safe on anvil.

use std::time::Duration;

use alloy_primitives::{keccak256, Address};
use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use mirror_e2e::copy::{webhook_signature, CopyStack, Follower, TOKEN, USD};
use mirror_e2e::signing::{random_hex, unix_now, TestUser};
use mirror_e2e::Reply;
use mirror_fakes::polymarket::{l2_signature, BalanceAsset, Endpoint, FakePolymarketConfig};
use mirror_fakes::{Behaviour, LocalChain};
use serde_json::{json, Value};

fn text(reply: &Reply) -> String {
    String::from_utf8_lossy(&reply.body).into_owned()
}

/// The `error.message` of an error reply.
fn message(reply: &Reply) -> String {
    reply.json()["error"]["message"].as_str().unwrap_or_default().to_string()
}

async fn post_order(stack: &CopyStack, follower: &Follower, body: &Value) -> Reply {
    stack.user_request(follower, "POST", "/orders", body).await
}

async fn post_raw(stack: &CopyStack, follower: &Follower, body: &[u8]) -> Reply {
    let bearer = follower.user.bearer();
    stack
        .app
        .request("POST", "/orders", &[("authorization", &bearer), ("content-type", "application/json")], body)
        .await
}

/// A webhook delivery of exactly `body`, with these headers (None leaves one out).
async fn deliver(stack: &CopyStack, body: &[u8], timestamp: Option<&str>, signature: Option<&str>) -> Reply {
    let mut headers = vec![("content-type", "application/json")];
    if let Some(t) = timestamp {
        headers.push(("x-mirror-timestamp", t));
    }
    if let Some(s) = signature {
        headers.push(("x-mirror-signature", s));
    }
    stack.app.request("POST", "/webhooks/leader-trades", &headers, body).await
}

/// A delivery of `body` signed correctly, now.
async fn deliver_signed(stack: &CopyStack, body: &[u8]) -> Reply {
    let timestamp = unix_now().to_string();
    let signature = webhook_signature(&stack.webhook_secret, &timestamp, body);
    deliver(stack, body, Some(&timestamp), Some(&signature)).await
}

async fn reconcile(stack: &CopyStack, body: Option<Value>) -> Reply {
    let auth = format!("Bearer {}", stack.app.admin_token);
    let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    stack
        .app
        .request("POST", "/admin/reconcile", &[("authorization", &auth), ("content-type", "application/json")], &bytes)
        .await
}

async fn order_row(stack: &CopyStack, hash: &str) -> (String, Option<String>, Option<String>) {
    let row = stack
        .app
        .db
        .query_one("SELECT status, error_code, copy_attempt_id FROM orders WHERE order_hash = $1", &[&hash])
        .await
        .unwrap();
    (row.get(0), row.get(1), row.get(2))
}

async fn attempt_status(stack: &CopyStack, attempt_id: &str) -> (String, Option<String>) {
    let row = stack
        .app
        .db
        .query_one("SELECT status, error_code FROM copy_attempts WHERE id = $1", &[&attempt_id])
        .await
        .unwrap();
    (row.get(0), row.get(1))
}

/// Posts a stored order (`orders.signed_order`) to the fake CLOB as its owner would, with the
/// API key the fake issued to `key_owner` and L2 headers.
async fn post_to_clob(stack: &CopyStack, key_owner: Address, stored: &Value) {
    let (_, creds) =
        stack.polymarket.api_keys().into_iter().find(|(a, _)| *a == key_owner).expect("a key for the owner");
    let mut body = stored.clone();
    body["owner"] = json!(creds.api_key);
    let body = body.to_string();
    let timestamp = unix_now().to_string();
    let signature = l2_signature(&creds.secret, &timestamp, "POST", "/order", body.as_bytes());
    let request = http::Request::post(format!("{}/order", stack.polymarket.clob_url()))
        .header("content-type", "application/json")
        .header("POLY_ADDRESS", key_owner.to_checksum(None))
        .header("POLY_API_KEY", &creds.api_key)
        .header("POLY_PASSPHRASE", &creds.passphrase)
        .header("POLY_TIMESTAMP", &timestamp)
        .header("POLY_SIGNATURE", signature)
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let client: Client<HttpConnector, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let response = client.request(request).await.expect("POST /order");
    assert_eq!(response.status(), 200);
}

// ---------------------------------------------------------------------------------------------
// 1. Manual orders
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_manual_order_is_signed_posted_exactly_as_asked_and_shown_to_its_owner_only() {
    let stack = CopyStack::start(&[]).await;
    let owner = stack.follower(1_000 * USD).await;
    let stranger = stack.follower(1_000 * USD).await;

    let reply =
        post_order(&stack, &owner, &json!({ "tokenId": TOKEN, "side": "BUY", "price": "0.52", "size": "10" })).await;
    assert_eq!(reply.status, 201, "{}", text(&reply));
    let placed = reply.json();
    let (id, hash) = (placed["id"].as_str().unwrap().to_string(), placed["orderHash"].as_str().unwrap().to_string());

    let accepted = stack.polymarket.accepted_orders();
    assert_eq!(accepted.len(), 1, "rejected: {:?}", stack.polymarket.rejected());
    let order = &accepted[0];
    assert_eq!(order.order_hash, hash);
    assert_eq!((order.maker, order.signer, order.signature_type), (owner.address, owner.address, 0));
    assert_eq!((order.side.as_str(), order.token_id.as_str(), order.order_type.as_str()), ("BUY", TOKEN, "GTC"));
    assert_eq!((order.taker_amount, order.maker_amount), (10_000_000, 5_200_000), "10 shares at 0.52");

    let row = stack
        .app
        .db
        .query_one("SELECT user_id, copy_attempt_id, status, clob_order_id, maker_amount, taker_amount FROM orders WHERE id = $1", &[&id])
        .await
        .unwrap();
    let (user_id, attempt, status, clob_id): (String, Option<String>, String, Option<String>) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    assert_eq!(user_id, owner.user_id);
    assert_eq!(attempt, None, "a manual order has no copy attempt");
    assert!(status == "FILLED" || status == "SUBMITTED", "{status}");
    assert_eq!(status, placed["status"].as_str().unwrap());
    assert_eq!(clob_id.as_deref(), Some(hash.as_str()));
    assert_eq!((row.get::<_, i64>(4), row.get::<_, i64>(5)), (5_200_000, 10_000_000));
    assert_eq!(stack.count("SELECT count(*) FROM signing_requests WHERE purpose = 'ORDER'").await, 1);

    let listed = stack.user_request(&owner, "GET", "/orders", &Value::Null).await;
    assert_eq!(listed.status, 200, "{}", text(&listed));
    let listed = listed.json();
    assert_eq!(listed["orders"].as_array().unwrap().len(), 1);
    assert_eq!(listed["orders"][0]["id"], json!(id));
    assert_eq!(listed["orders"][0]["copyAttemptId"], Value::Null);
    let one = stack.user_request(&owner, "GET", &format!("/orders/{id}"), &Value::Null).await;
    assert_eq!(one.status, 200, "{}", text(&one));
    let one = one.json();
    assert_eq!((one["orderHash"].as_str(), one["clobOrderId"].as_str()), (Some(hash.as_str()), Some(hash.as_str())));
    assert_eq!(
        (one["side"].as_str(), one["price"].as_str(), one["size"].as_str()),
        (Some("BUY"), Some("0.52"), Some("10"))
    );
    assert_eq!((one["makerAmount"].as_i64(), one["takerAmount"].as_i64()), (Some(5_200_000), Some(10_000_000)));

    let theirs = stack.user_request(&stranger, "GET", &format!("/orders/{id}"), &Value::Null).await;
    assert_eq!(theirs.status, 404, "another user's order: {}", text(&theirs));
    let their_list = stack.user_request(&stranger, "GET", "/orders", &Value::Null).await;
    assert_eq!(their_list.status, 200);
    assert_eq!(their_list.json()["orders"], json!([]), "another user's list holds none of the owner's orders");

    let anonymous = stack
        .app
        .request(
            "POST",
            "/orders",
            &[("content-type", "application/json")],
            json!({ "tokenId": TOKEN, "side": "BUY", "price": "0.52", "size": "10" }).to_string().as_bytes(),
        )
        .await;
    assert_eq!(anonymous.status, 401, "{}", text(&anonymous));
    assert_eq!(stack.app.get("/orders").await.status, 401);
    assert_eq!(stack.count("SELECT count(*) FROM orders").await, 1);
}

#[tokio::test]
async fn every_bad_manual_order_is_refused_naming_its_field_before_anything_is_signed_or_stored() {
    let stack = CopyStack::start(&[]).await;
    let follower = stack.follower(1_000 * USD).await;
    let good = json!({ "tokenId": TOKEN, "side": "BUY", "price": "0.52", "size": "10" });
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body.to_string()
    };
    let without = |field: &str| {
        let mut body = good.clone();
        body.as_object_mut().unwrap().remove(field);
        body.to_string()
    };
    let cases: Vec<(&str, String, &str)> = vec![
        ("malformed JSON", r#"{"tokenId": "1", "side": "BUY""#.to_string(), "JSON"),
        ("array body", json!([TOKEN, "BUY", "0.52", "10"]).to_string(), "object"),
        ("tokenId of the wrong type", with("tokenId", json!(12345)), "tokenId"),
        ("price of the wrong type", with("price", json!(true)), "price"),
        ("size of the wrong type", with("size", json!({ "shares": 10 })), "size"),
        ("unknown field", with("leverage", json!(10)), "leverage"),
        ("missing size", without("size"), "size"),
        ("missing side", without("side"), "side"),
        ("bad side", with("side", json!("HOLD")), "side"),
        ("lower-case side", with("side", json!("buy")), "side"),
        ("bad order type", with("orderType", json!("IOC")), "orderType"),
        ("price 0", with("price", json!("0")), "price"),
        ("price 1", with("price", json!(1)), "price"),
        ("price 1.5", with("price", json!("1.5")), "price"),
        ("negative price", with("price", json!(-0.5)), "price"),
        ("price off the tick grid", with("price", json!("0.525")), "price"),
        ("size 0", with("size", json!(0)), "size"),
        ("negative size", with("size", json!("-10")), "size"),
        ("size with 3 decimals", with("size", json!("10.125")), "size"),
        ("absurd size", with("size", json!(1e12)), "size"),
        ("size below the market minimum", with("size", json!("4")), "size"),
        ("non-numeric tokenId", with("tokenId", json!("will-it-rain")), "tokenId"),
        ("empty tokenId", with("tokenId", json!("")), "tokenId"),
        ("unknown market", with("tokenId", json!("123456789")), "tokenId"),
    ];
    let mut failures = Vec::new();
    let written = || async {
        (stack.count("SELECT count(*) FROM orders").await, stack.count("SELECT count(*) FROM signing_requests").await)
    };
    for (name, body, field) in &cases {
        let before = written().await;
        let reply = post_raw(&stack, &follower, body.as_bytes()).await;
        let msg = if reply.status >= 400 { message(&reply) } else { String::new() };
        if !(400..500).contains(&reply.status) || !msg.contains(field) {
            failures.push(format!("{name}: {} {}", reply.status, text(&reply)));
        }
        let after = written().await;
        if after != before {
            failures.push(format!("{name}: (orders rows, signing requests) went from {before:?} to {after:?}"));
        }
    }
    assert_eq!(written().await, (0, 0));
    assert!(
        failures.is_empty(),
        "{} of {} bad orders mishandled:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert!(stack.polymarket.accepted_orders().is_empty());
    assert_eq!(stack.polymarket.request_count(Endpoint::PostOrder), 0);

    // The same body, well formed, goes through: the matrix refused the defects, not the order.
    let reply = post_raw(&stack, &follower, good.to_string().as_bytes()).await;
    assert_eq!(reply.status, 201, "{}", text(&reply));
}

#[tokio::test]
async fn selling_more_than_the_position_is_refused_naming_size_and_signs_no_order() {
    let stack = CopyStack::start(&[]).await;
    let follower = stack.follower(1_000 * USD).await;
    stack.polymarket.set_balance(follower.address, BalanceAsset::Conditional(TOKEN.into()), 8 * USD);

    // First contact with a SELL: the position can only be read with an API key, so the key is
    // derived (a CLOB_AUTH signature), but no order is signed or stored.
    let reply =
        post_order(&stack, &follower, &json!({ "tokenId": TOKEN, "side": "SELL", "price": "0.50", "size": "10" }))
            .await;
    assert_eq!(reply.status, 400, "{}", text(&reply));
    assert!(message(&reply).contains("size"), "{}", text(&reply));
    assert_eq!(stack.count("SELECT count(*) FROM orders").await, 0);
    assert_eq!(stack.count("SELECT count(*) FROM signing_requests WHERE purpose = 'ORDER'").await, 0);
    let signed_before = stack.count("SELECT count(*) FROM signing_requests").await;

    // With the key stored, a refusal signs nothing at all.
    let reply =
        post_order(&stack, &follower, &json!({ "tokenId": TOKEN, "side": "SELL", "price": "0.50", "size": "8.01" }))
            .await;
    assert_eq!(reply.status, 400, "{}", text(&reply));
    assert!(message(&reply).contains("size"), "{}", text(&reply));
    assert_eq!(stack.count("SELECT count(*) FROM signing_requests").await, signed_before);
    assert_eq!(stack.count("SELECT count(*) FROM orders").await, 0);
    assert_eq!(stack.polymarket.request_count(Endpoint::PostOrder), 0);

    // Within the position: sold.
    let reply =
        post_order(&stack, &follower, &json!({ "tokenId": TOKEN, "side": "SELL", "price": "0.50", "size": "8" })).await;
    assert_eq!(reply.status, 201, "{}", text(&reply));
    let accepted = stack.polymarket.accepted_orders();
    assert_eq!(accepted.len(), 1, "rejected: {:?}", stack.polymarket.rejected());
    assert_eq!(
        (accepted[0].side.as_str(), accepted[0].maker_amount, accepted[0].taker_amount),
        ("SELL", 8 * USD, 4 * USD)
    );
}

// ---------------------------------------------------------------------------------------------
// 2. The leader-trades webhook
// ---------------------------------------------------------------------------------------------

async fn nothing_written(stack: &CopyStack) -> bool {
    stack.count("SELECT count(*) FROM leader_events").await == 0
        && stack.count("SELECT count(*) FROM copy_attempts").await == 0
}

#[tokio::test]
async fn a_webhook_delivery_not_signed_by_the_sender_now_is_refused_and_writes_nothing() {
    let stack = CopyStack::start(&[]).await;
    let follower = stack.follower(1_000 * USD).await;
    stack.follow(&follower, json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "10" })).await;
    let body = json!({ "trades": [stack.trade("BUY", "100", "0.52")] }).to_string();
    let now = unix_now().to_string();
    let good = webhook_signature(&stack.webhook_secret, &now, body.as_bytes());
    let stale_at = (unix_now() - 360).to_string();
    let stale = webhook_signature(&stack.webhook_secret, &stale_at, body.as_bytes());
    let future_at = (unix_now() + 360).to_string();
    let future = webhook_signature(&stack.webhook_secret, &future_at, body.as_bytes());
    let other_secret = webhook_signature(&random_hex(24), &now, body.as_bytes());
    // `now - sent_at` once overflowed to i64::MIN for this one, whose abs() is negative, so it
    // passed the ±5 minutes check (the attack's -9223372035058623957, at its second).
    let wrapping_at = unix_now().wrapping_add(i64::MIN).to_string();
    let wrapping = webhook_signature(&stack.webhook_secret, &wrapping_at, body.as_bytes());
    let altered = body.replace("\"size\":100", "\"size\":1000");
    assert_ne!(altered, body);

    type Case<'a> = (&'a str, &'a [u8], Option<&'a str>, Option<&'a str>);
    let cases: Vec<Case> = vec![
        ("no signature", body.as_bytes(), Some(&now), None),
        ("no timestamp", body.as_bytes(), None, Some(&good)),
        ("signed with another secret", body.as_bytes(), Some(&now), Some(&other_secret)),
        ("garbage signature", body.as_bytes(), Some(&now), Some("sha256=zz")),
        ("body altered after signing", altered.as_bytes(), Some(&now), Some(&good)),
        ("timestamp changed after signing", body.as_bytes(), Some(&stale_at), Some(&good)),
        ("signed 6 minutes ago", body.as_bytes(), Some(&stale_at), Some(&stale)),
        ("signed 6 minutes ahead", body.as_bytes(), Some(&future_at), Some(&future)),
        ("a timestamp that overflows the skew arithmetic", body.as_bytes(), Some(&wrapping_at), Some(&wrapping)),
    ];
    for (name, bytes, timestamp, signature) in cases {
        let reply = deliver(&stack, bytes, timestamp, signature).await;
        assert_eq!(reply.status, 401, "{name}: {}", text(&reply));
        assert!(nothing_written(&stack).await, "{name} wrote rows");
    }
    // The same delivery, signed now, is taken: the refusals were about the signature.
    let reply = deliver(&stack, body.as_bytes(), Some(&now), Some(&good)).await;
    assert_eq!(reply.status, 200, "{}", text(&reply));
    assert_eq!(stack.count("SELECT count(*) FROM leader_events").await, 1);
}

#[tokio::test]
async fn a_malformed_webhook_delivery_is_refused_naming_the_field_and_writes_nothing() {
    let stack = CopyStack::start(&[]).await;
    let follower = stack.follower(1_000 * USD).await;
    stack.follow(&follower, json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "10" })).await;
    let valid = stack.trade("BUY", "100", "0.52");
    let bad = |field: &str, value: Value| {
        let mut t = stack.trade("BUY", "100", "0.52");
        t[field] = value;
        json!({ "trades": [valid.clone(), t] }).to_string()
    };
    let many_empty = json!({ "trades": vec![json!({}); 501] }).to_string();
    let cases: Vec<(&str, String, &str)> = vec![
        ("malformed JSON", r#"{"trades": ["#.to_string(), "JSON"),
        ("an array body", json!([valid.clone()]).to_string(), "object"),
        ("a string body", json!("trades").to_string(), "object"),
        ("unknown top-level field", json!({ "trades": [valid.clone()], "sender": "x" }).to_string(), "sender"),
        ("no trades", json!({}).to_string(), "trades"),
        ("trades not an array", json!({ "trades": valid.clone() }).to_string(), "trades"),
        ("empty trades", json!({ "trades": [] }).to_string(), "trades"),
        ("501 trades", many_empty, "trades"),
        ("price 1.5", bad("price", json!(1.5)), "trades[1].price"),
        ("price 0", bad("price", json!(0)), "trades[1].price"),
        ("side HOLD", bad("side", json!("HOLD")), "trades[1].side"),
        ("short transactionHash", bad("transactionHash", json!("0x1234")), "trades[1].transactionHash"),
        ("negative size", bad("size", json!(-3)), "trades[1].size"),
        ("proxyWallet not an address", bad("proxyWallet", json!("leader")), "trades[1].proxyWallet"),
        ("asset not a token id", bad("asset", json!("0xabc")), "trades[1].asset"),
        ("timestamp as text", bad("timestamp", json!("yesterday")), "trades[1].timestamp"),
        // What passed validation once and then failed the recording statement (a 503 the sender
        // retried forever, losing the good fill beside it): refused here, naming the field.
        ("outcomeIndex past int4", bad("outcomeIndex", json!(2_147_483_648i64)), "trades[1].outcomeIndex"),
        ("outcomeIndex below int4", bad("outcomeIndex", json!(-2_147_483_649i64)), "trades[1].outcomeIndex"),
        ("timestamp past any date", bad("timestamp", json!(i64::MAX)), "trades[1].timestamp"),
        ("NUL in outcome", bad("outcome", json!("Y\u{0}es")), "trades[1].outcome"),
        ("NUL in slug", bad("slug", json!("will\u{0}")), "trades[1].slug"),
        ("NUL in eventSlug", bad("eventSlug", json!("\u{0}")), "trades[1].eventSlug"),
    ];
    let mut failures = Vec::new();
    for (name, body, field) in &cases {
        let reply = deliver_signed(&stack, body.as_bytes()).await;
        let msg = if reply.status >= 400 { message(&reply) } else { String::new() };
        if reply.status != 400 || !msg.contains(field) {
            failures.push(format!("{name}: {} {}", reply.status, text(&reply)));
        }
        if !nothing_written(&stack).await {
            failures.push(format!("{name}: wrote rows"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad deliveries mishandled:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert!(stack.polymarket.accepted_orders().is_empty());
}

#[tokio::test]
async fn a_webhook_delivery_of_500_fills_the_documented_maximum_is_recorded_whole_and_501_are_refused() {
    let stack = CopyStack::start(&[]).await;
    // A leader nobody follows: the fills are recorded, nothing is copied.
    let unfollowed = format!("0x{}", random_hex(20));
    let fills = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|_| {
                let mut t = stack.trade("BUY", "12.5", "0.52");
                t["proxyWallet"] = json!(unfollowed);
                t
            })
            .collect()
    };
    let too_many = json!({ "trades": fills(501) }).to_string();
    let reply = deliver_signed(&stack, too_many.as_bytes()).await;
    assert_eq!(reply.status, 400, "{} bytes: {}", too_many.len(), text(&reply));
    assert!(message(&reply).contains("trades"), "{}", text(&reply));
    assert!(nothing_written(&stack).await);

    let most = json!({ "trades": fills(500) }).to_string();
    let reply = deliver_signed(&stack, most.as_bytes()).await;
    assert_eq!(reply.status, 200, "{} bytes: {}", most.len(), text(&reply));
    assert_eq!(reply.json()["recorded"]["newEvents"], json!(500));
    assert_eq!(stack.count("SELECT count(*) FROM leader_events").await, 500);
    assert_eq!(stack.count("SELECT count(*) FROM copy_attempts").await, 0);
}

/// Deliveries overlapping in opposite orders (a webhook retry and a poll, say) must not each
/// wait for a fill the other is inserting: every delivery succeeds and each fill is recorded once.
#[tokio::test]
async fn overlapping_deliveries_in_opposite_orders_record_each_fill_once() {
    let stack = CopyStack::start(&[]).await;
    let unfollowed = format!("0x{}", random_hex(20));
    for round in 1..=3i64 {
        let fills: Vec<Value> = (0..500)
            .map(|_| {
                let mut t = stack.trade("BUY", "12.5", "0.52");
                t["proxyWallet"] = json!(unfollowed);
                t
            })
            .collect();
        let reversed: Vec<Value> = fills.iter().rev().cloned().collect();
        let replies =
            futures::future::join_all([&fills, &reversed, &fills, &reversed].map(|batch| stack.webhook(batch))).await;
        let mut recorded = 0;
        for reply in &replies {
            assert_eq!(reply.status, 200, "{}", text(reply));
            recorded += reply.json()["recorded"]["newEvents"].as_i64().unwrap();
        }
        assert_eq!(recorded, 500);
        assert_eq!(stack.count("SELECT count(*) FROM leader_events").await, 500 * round);
    }
}

#[tokio::test]
async fn a_fill_delivered_twice_by_the_webhook_and_then_polled_is_recorded_and_copied_once() {
    let stack = CopyStack::start(&[]).await;
    let follower = stack.follower(1_000 * USD).await;
    stack.follow(&follower, json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "10" })).await;
    let fill = stack.trade("BUY", "100", "0.52");

    let first = stack.webhook(std::slice::from_ref(&fill)).await;
    assert_eq!(first.status, 200, "{}", text(&first));
    assert_eq!(first.json()["recorded"]["newEvents"], json!(1));
    assert_eq!(first.json()["recorded"]["newAttempts"], json!(1));

    let second = stack.webhook(std::slice::from_ref(&fill)).await;
    assert_eq!(second.status, 200, "{}", text(&second));
    assert_eq!(second.json()["received"], json!(1));
    assert_eq!(second.json()["recorded"]["newEvents"], json!(0), "{}", text(&second));
    assert_eq!(second.json()["recorded"]["newAttempts"], json!(0));

    // The Data API reports the same fill (as numbers it always sends); the poller must find
    // it known.
    stack.polymarket.push_trade(fill.clone());
    let polls = stack.polymarket.request_count(Endpoint::DataTrades);
    stack.tick().await;
    assert!(stack.polymarket.request_count(Endpoint::DataTrades) > polls, "the tick polled the Data API");
    assert_eq!(stack.count("SELECT count(*) FROM leader_events").await, 1);
    assert_eq!(stack.count("SELECT count(*) FROM leader_events WHERE source = 'WEBHOOK'").await, 1);
    assert_eq!(stack.count("SELECT count(*) FROM copy_attempts").await, 1);
    assert_eq!(stack.count("SELECT count(*) FROM orders").await, 1);
    assert_eq!(stack.polymarket.accepted_orders().len(), 1, "rejected: {:?}", stack.polymarket.rejected());
    assert_eq!(stack.count("SELECT count(*) FROM signing_requests WHERE purpose = 'ORDER'").await, 1);

    // A different fill in the same transaction (another size) is a new event, however.
    let mut sibling = fill.clone();
    sibling["size"] = json!(50.0);
    let third = stack.webhook(&[fill, sibling]).await;
    assert_eq!(third.status, 200, "{}", text(&third));
    assert_eq!(third.json()["recorded"]["newEvents"], json!(1), "{}", text(&third));
}

// ---------------------------------------------------------------------------------------------
// 3. Reconcile
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn reconcile_settles_stale_orders_to_what_the_clob_says_and_their_copy_attempts_follow() {
    // Deferred copies are not retried during the test.
    let stack = CopyStack::start(&[("copy_retry_ms", "600000")]).await;
    let manual = stack.follower(1_000 * USD).await;
    let place = |price: &'static str| {
        let manual = &manual;
        let stack = &stack;
        async move {
            let reply =
                post_order(stack, manual, &json!({ "tokenId": TOKEN, "side": "BUY", "price": price, "size": "10" }))
                    .await;
            assert_eq!(reply.status, 201, "{}", text(&reply));
            assert_eq!(reply.json()["status"], json!("SUBMITTED"), "a bid below the ask rests");
            reply.json()["orderHash"].as_str().unwrap().to_string()
        }
    };
    let matched = place("0.50").await;
    let resting = place("0.49").await;
    let partial = place("0.48").await;
    let cancelled = place("0.47").await;
    stack.polymarket.set_order_status(&matched, "MATCHED", "10");
    stack.polymarket.set_order_status(&partial, "LIVE", "4");
    stack.polymarket.set_order_status(&cancelled, "CANCELED", "0");

    // An order the CLOB never had, last touched an hour ago.
    let unknown = format!("{}", keccak256(random_hex(16).as_bytes()));
    stack
        .app
        .db
        .execute(
            "INSERT INTO orders (user_id, order_hash, token_id, side, price, size, maker_amount, taker_amount, signed_order, status, updated_at)
             VALUES ($1, $2, $3, 'BUY', 0.5, 10, 5000000, 10000000, '{}', 'SUBMITTED', now() - interval '1 hour')",
            &[&manual.user_id, &unknown, &TOKEN],
        )
        .await
        .unwrap();

    // Two copies of one fill whose POST /order the CLOB answered 503: both signed and stored
    // (PENDING, attempt SIGNED), deferred for a retry that does not come during the test.
    let landed = stack.follower(1_000 * USD).await;
    let lost = stack.follower(1_000 * USD).await;
    for f in [&landed, &lost] {
        stack.follow(f, json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "10" })).await;
    }
    stack.polymarket.push_trade(stack.trade("BUY", "100", "0.52"));
    stack.polymarket.set_behaviour(Endpoint::PostOrder, Behaviour::Status(503));
    stack.tick().await;
    stack.polymarket.set_behaviour(Endpoint::PostOrder, Behaviour::Healthy);
    let stored = |user_id: String| {
        let stack = &stack;
        async move {
            let row = stack
                .app
                .db
                .query_one("SELECT order_hash, signed_order, status FROM orders WHERE user_id = $1", &[&user_id])
                .await
                .unwrap();
            let status: String = row.get(2);
            assert_eq!(status, "PENDING");
            (row.get::<_, String>(0), row.get::<_, Value>(1))
        }
    };
    let (landed_hash, landed_order) = stored(landed.user_id.clone()).await;
    let (lost_hash, _) = stored(lost.user_id.clone()).await;
    assert!(stack
        .polymarket
        .accepted_orders()
        .iter()
        .all(|o| o.order_hash != landed_hash && o.order_hash != lost_hash));
    // One of them did reach the CLOB (the 503 came from in front of it, say): the exact stored
    // order, posted with the follower's own key.
    post_to_clob(&stack, landed.address, &landed_order).await;
    assert!(
        stack.polymarket.accepted_orders().iter().any(|o| o.order_hash == landed_hash),
        "{:?}",
        stack.polymarket.rejected()
    );
    let attempt_landed = order_row(&stack, &landed_hash).await.2.expect("a copy");
    let attempt_lost = order_row(&stack, &lost_hash).await.2.expect("a copy");
    assert_eq!(attempt_status(&stack, &attempt_landed).await.0, "SIGNED");

    // Default threshold (300 s): only the hour-old order is stale.
    let first = reconcile(&stack, None).await;
    assert_eq!(first.status, 200, "{}", text(&first));
    assert_eq!(
        first.json(),
        json!({ "checked": 1, "filled": 0, "partiallyFilled": 0, "cancelled": 0, "live": 0, "failed": 1, "unchecked": 0 })
    );
    assert_eq!(order_row(&stack, &unknown).await.0, "FAILED");
    assert_eq!(order_row(&stack, &unknown).await.1.as_deref(), Some("NOT_ON_CLOB"));
    assert_eq!(order_row(&stack, &matched).await.0, "SUBMITTED", "not stale yet");

    tokio::time::sleep(Duration::from_millis(20)).await;
    let second = reconcile(&stack, Some(json!({ "olderThanSeconds": 0 }))).await;
    assert_eq!(second.status, 200, "{}", text(&second));
    assert_eq!(
        second.json(),
        json!({ "checked": 6, "filled": 2, "partiallyFilled": 1, "cancelled": 1, "live": 1, "failed": 1, "unchecked": 0 })
    );
    assert_eq!(order_row(&stack, &matched).await.0, "FILLED");
    assert_eq!(order_row(&stack, &resting).await.0, "SUBMITTED");
    assert_eq!(order_row(&stack, &partial).await.0, "PARTIALLY_FILLED");
    assert_eq!(order_row(&stack, &cancelled).await, ("CANCELLED".to_string(), Some("CANCELLED".to_string()), None));
    assert_eq!(order_row(&stack, &landed_hash).await.0, "FILLED");
    assert_eq!(attempt_status(&stack, &attempt_landed).await, ("FILLED".to_string(), None));
    assert_eq!(order_row(&stack, &lost_hash).await.0, "FAILED");
    assert_eq!(order_row(&stack, &lost_hash).await.1.as_deref(), Some("NOT_ON_CLOB"));
    assert_eq!(attempt_status(&stack, &attempt_lost).await, ("FAILED".to_string(), Some("NOT_ON_CLOB".to_string())));

    // Settled orders are not looked at again; the resting and the partly filled ones are, until
    // the CLOB settles them.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let third = reconcile(&stack, Some(json!({ "olderThanSeconds": 0 }))).await;
    assert_eq!(
        third.json(),
        json!({ "checked": 2, "filled": 0, "partiallyFilled": 1, "cancelled": 0, "live": 1, "failed": 0, "unchecked": 0 })
    );
    stack.polymarket.set_order_status(&resting, "MATCHED", "10");
    stack.polymarket.set_order_status(&partial, "CANCELED", "4");
    tokio::time::sleep(Duration::from_millis(20)).await;
    let fourth = reconcile(&stack, Some(json!({ "olderThanSeconds": 0 }))).await;
    assert_eq!(
        fourth.json(),
        json!({ "checked": 2, "filled": 1, "partiallyFilled": 0, "cancelled": 1, "live": 0, "failed": 0, "unchecked": 0 })
    );
    assert_eq!(order_row(&stack, &resting).await.0, "FILLED");
    assert_eq!(
        order_row(&stack, &partial).await,
        ("CANCELLED".to_string(), Some("CANCELLED_PARTIALLY_FILLED".to_string()), None)
    );
    tokio::time::sleep(Duration::from_millis(20)).await;
    let fifth = reconcile(&stack, Some(json!({ "olderThanSeconds": 0 }))).await;
    assert_eq!(fifth.json()["checked"], json!(0), "{}", text(&fifth));
}

/// What the CLOB says about an order goes stale once a tick takes its attempt up again (it may
/// be posting it that moment): reconcile leaves an order whose attempt a tick holds alone, both
/// when it picks orders and when it writes what the CLOB said.
#[tokio::test]
async fn reconcile_leaves_orders_alone_while_a_tick_holds_their_attempt() {
    let stack = CopyStack::start(&[("copy_retry_ms", "600000")]).await;
    let follower = stack.follower(1_000 * USD).await;
    stack.follow(&follower, json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "10" })).await;
    stack.polymarket.push_trade(stack.trade("BUY", "100", "0.52"));
    stack.polymarket.set_behaviour(Endpoint::PostOrder, Behaviour::Status(503));
    stack.tick().await;
    stack.polymarket.set_behaviour(Endpoint::PostOrder, Behaviour::Healthy);
    let hash: String = stack
        .app
        .db
        .query_one("SELECT order_hash FROM orders WHERE user_id = $1", &[&follower.user_id])
        .await
        .unwrap()
        .get(0);
    let attempt = order_row(&stack, &hash).await.2.expect("a copy");
    let hold = |minutes: i32| {
        let (stack, attempt) = (&stack, &attempt);
        async move {
            stack
                .app
                .db
                .execute(
                    "UPDATE copy_attempts SET lease_owner = 'another-tick', lease_expires_at = now() + make_interval(mins => $2) WHERE id = $1",
                    &[attempt, &minutes],
                )
                .await
                .unwrap();
        }
    };
    let idle = json!({ "checked": 0, "filled": 0, "partiallyFilled": 0, "cancelled": 0, "live": 0, "failed": 0, "unchecked": 0 });

    hold(1).await;
    let picked = reconcile(&stack, Some(json!({ "olderThanSeconds": 0 }))).await;
    assert_eq!(picked.json(), idle, "an order whose attempt is held is not picked");
    assert_eq!(stack.polymarket.request_count(Endpoint::OrderStatus), 0);

    // Free when picked; taken up by a tick while the CLOB is being asked.
    hold(-1).await;
    stack.polymarket.set_behaviour(Endpoint::OrderStatus, Behaviour::Delay(Duration::from_millis(1500)));
    let taken_up = async {
        while stack.polymarket.request_count(Endpoint::OrderStatus) == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        hold(1).await;
    };
    let (raced, ()) = tokio::join!(reconcile(&stack, Some(json!({ "olderThanSeconds": 0 }))), taken_up);
    assert_eq!(raced.json()["checked"], json!(1), "{}", text(&raced));
    assert_eq!(raced.json()["unchecked"], json!(1), "{}", text(&raced));
    assert_eq!(order_row(&stack, &hash).await.0, "PENDING");
    assert_eq!(attempt_status(&stack, &attempt).await.0, "SIGNED");

    // Once the tick's lease has run out, the CLOB's answer is written.
    hold(-1).await;
    stack.polymarket.set_behaviour(Endpoint::OrderStatus, Behaviour::Healthy);
    let settled = reconcile(&stack, Some(json!({ "olderThanSeconds": 0 }))).await;
    assert_eq!(settled.json()["failed"], json!(1), "{}", text(&settled));
    assert_eq!(order_row(&stack, &hash).await.1.as_deref(), Some("NOT_ON_CLOB"));
    assert_eq!(attempt_status(&stack, &attempt).await, ("FAILED".to_string(), Some("NOT_ON_CLOB".to_string())));
}

#[tokio::test]
async fn reconcile_needs_the_admin_token_and_a_valid_body() {
    let stack = CopyStack::start(&[]).await;
    let none = stack.app.request("POST", "/admin/reconcile", &[], b"").await;
    assert_eq!(none.status, 401, "{}", text(&none));
    let wrong = stack.app.request("POST", "/admin/reconcile", &[("authorization", "Bearer not-the-token")], b"").await;
    assert_eq!(wrong.status, 403, "{}", text(&wrong));
    let user = TestUser::new();
    let as_user = stack.app.request("POST", "/admin/reconcile", &[("authorization", &user.bearer())], b"").await;
    assert_eq!(as_user.status, 403, "an end user's JWT is not the admin token: {}", text(&as_user));

    let cases: Vec<(&str, String, &str)> = vec![
        ("negative", json!({ "olderThanSeconds": -1 }).to_string(), "olderThanSeconds"),
        ("over 30 days", json!({ "olderThanSeconds": 2_592_001 }).to_string(), "olderThanSeconds"),
        ("text", json!({ "olderThanSeconds": "60" }).to_string(), "olderThanSeconds"),
        ("fraction", json!({ "olderThanSeconds": 1.5 }).to_string(), "olderThanSeconds"),
        ("unknown field", json!({ "olderThan": 60 }).to_string(), "olderThan"),
        ("malformed", "{".to_string(), "JSON"),
        ("array", "[60]".to_string(), "object"),
    ];
    let auth = format!("Bearer {}", stack.app.admin_token);
    let mut failures = Vec::new();
    for (name, body, field) in &cases {
        let reply = stack.app.request("POST", "/admin/reconcile", &[("authorization", &auth)], body.as_bytes()).await;
        let msg = if reply.status >= 400 { message(&reply) } else { String::new() };
        if reply.status != 400 || !msg.contains(field) {
            failures.push(format!("{name}: {} {}", reply.status, text(&reply)));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad bodies mishandled:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    let ok = reconcile(&stack, Some(json!({ "olderThanSeconds": 0 }))).await;
    assert_eq!(ok.status, 200, "{}", text(&ok));
    assert_eq!(ok.json()["checked"], json!(0));
}

// ---------------------------------------------------------------------------------------------
// 4. Type 3 (POLY_1271): a Safe the Polymarket factory does not map to the authority
// ---------------------------------------------------------------------------------------------

/// Which wallet a follower trades through, and whose API key its orders go under.
#[derive(Clone, Copy, Debug, PartialEq)]
enum ProxyCase {
    /// The Safe Polymarket's factory derives for the authority: type 2, signed by the authority.
    FactorySafe,
    /// A Safe the factory does not map to the authority; `safe_api_key_owner` = authority.
    SafeKeyOfAuthority,
    /// The same Safe with `safe_api_key_owner` = safe: the key is the Safe's own.
    SafeKeyOfSafe,
    /// A Polymarket deposit wallet (ERC-7739); its key is always its owner's.
    DepositWallet,
}

/// A follower whose PROXY wallet is a contract copies one BUY. Type 3: maker = signer = the
/// contract on anvil, accepted only because its own `isValidSignature` says so. Type 2: maker =
/// the factory Safe, signer = the authority. The key is derived for the expected address.
async fn copies_through_a_proxy_wallet(case: ProxyCase) {
    let chain = LocalChain::start().await;
    let config = FakePolymarketConfig { rpc_url: Some(chain.rpc_url()), ..FakePolymarketConfig::default() };
    let key_owner = if case == ProxyCase::SafeKeyOfSafe { "safe" } else { "authority" };
    let stack = CopyStack::start_with(&[("safe_api_key_owner", key_owner)], config, Duration::from_secs(30)).await;
    let follower = stack.follower(0).await;
    let (wallet, proxy_type): (Address, &str) = match case {
        ProxyCase::DepositWallet => (chain.deploy_deposit_wallet(follower.address).await, "DEPOSIT_WALLET"),
        ProxyCase::FactorySafe => (mirror_fakes::polymarket::safe_of(follower.address), "SAFE"),
        _ => (chain.deploy_safe(follower.address).await, "SAFE"),
    };
    let (signer, signature_type) = if case == ProxyCase::FactorySafe { (follower.address, 2) } else { (wallet, 3) };
    stack.polymarket.set_balance(wallet, BalanceAsset::Collateral, 1_000 * USD);
    stack
        .app
        .db
        .execute(
            "INSERT INTO wallets (user_id, type, proxy_type, address) VALUES ($1, 'PROXY', $2, $3)",
            &[&follower.user_id, &proxy_type, &wallet.to_checksum(None)],
        )
        .await
        .unwrap();
    stack.follow(&follower, json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "26" })).await;

    stack.polymarket.push_trade(stack.trade("BUY", "100", "0.52"));
    stack.tick().await;

    let accepted = stack.polymarket.accepted_orders();
    let attempts: Vec<(String, Option<String>, Option<String>)> = stack
        .app
        .db
        .query("SELECT status, error_code, error_message FROM copy_attempts", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(accepted.len(), 1, "{case:?}: rejected: {:?}; attempts: {attempts:?}", stack.polymarket.rejected());
    let order = &accepted[0];
    assert_eq!((order.maker, order.signer, order.signature_type), (wallet, signer, signature_type), "{case:?}");
    assert_eq!((order.taker_amount, order.maker_amount), (50 * USD, 26 * USD));
    let signature_length = order.body["order"]["signature"].as_str().unwrap().len();
    let expected_length = if case == ProxyCase::DepositWallet { 2 + 2 * 317 } else { 2 + 2 * 65 };
    assert_eq!(signature_length, expected_length, "{case:?}: the signature is the contract's form");
    let expected_owner = if case == ProxyCase::SafeKeyOfSafe { wallet } else { follower.address };
    let keys = stack.polymarket.api_keys();
    assert_eq!(keys.len(), 1, "{case:?}: one key: {keys:?}");
    assert_eq!(keys[0].0, expected_owner, "{case:?}: the API key's owner");
    assert_eq!(order.owner_api_key, keys[0].1.api_key);
    let stored: String =
        stack.app.db.query_one("SELECT signer_address FROM clob_credentials", &[]).await.unwrap().get(0);
    assert_eq!(stored, format!("{expected_owner:#x}"));
    assert_eq!(stack.count("SELECT count(*) FROM copy_attempts WHERE status IN ('FILLED', 'SUBMITTED')").await, 1);
    // Both signatures (key derivation and order) were made by the follower's server wallet.
    assert_eq!(stack.count("SELECT count(*) FROM signing_requests WHERE status = 'SUCCEEDED'").await, 2);
}

#[tokio::test]
async fn a_follower_with_the_factory_safe_copies_as_the_safe_with_a_type_2_order() {
    copies_through_a_proxy_wallet(ProxyCase::FactorySafe).await;
}

#[tokio::test]
async fn a_follower_trading_through_its_own_safe_copies_as_the_safe_under_its_authoritys_key() {
    copies_through_a_proxy_wallet(ProxyCase::SafeKeyOfAuthority).await;
}

#[tokio::test]
async fn a_safe_can_be_configured_to_trade_under_a_key_of_its_own() {
    copies_through_a_proxy_wallet(ProxyCase::SafeKeyOfSafe).await;
}

#[tokio::test]
async fn a_follower_with_a_deposit_wallet_copies_as_the_wallet_with_an_erc_7739_signature() {
    copies_through_a_proxy_wallet(ProxyCase::DepositWallet).await;
}

/// The fake CLOB checks the contract, not just the bytes: the same deposit-wallet order signed
/// by a key that does not own the wallet is refused as the exchange would refuse it.
#[tokio::test]
async fn a_deposit_wallet_refuses_an_order_its_owner_did_not_sign() {
    let chain = LocalChain::start().await;
    let config = FakePolymarketConfig { rpc_url: Some(chain.rpc_url()), ..FakePolymarketConfig::default() };
    let stack = CopyStack::start_with(&[], config, Duration::from_secs(30)).await;
    let follower = stack.follower(0).await;
    let stranger: Address = "0x00000000000000000000000000000000000000e5".parse().unwrap();
    let wallet = chain.deploy_deposit_wallet(stranger).await;
    stack.polymarket.set_balance(wallet, BalanceAsset::Collateral, 1_000 * USD);
    stack
        .app
        .db
        .execute(
            "INSERT INTO wallets (user_id, type, proxy_type, address) VALUES ($1, 'PROXY', 'DEPOSIT_WALLET', $2)",
            &[&follower.user_id, &wallet.to_checksum(None)],
        )
        .await
        .unwrap();
    stack.follow(&follower, json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "26" })).await;
    stack.polymarket.push_trade(stack.trade("BUY", "100", "0.52"));
    stack.tick().await;
    assert!(stack.polymarket.accepted_orders().is_empty());
    let rejected = format!("{:?}", stack.polymarket.rejected());
    assert!(rejected.contains("the order signer address has to be the address of the API KEY"), "{rejected}");
}
