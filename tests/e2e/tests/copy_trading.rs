//! Copy trading end to end: leader fills in (Data API poll and webhook), one attempt per
//! follower and fill, sized, signed by the real signer, persisted, posted to a fake CLOB that
//! verifies every signature, amount and API-key header — exactly once however the work races.

use std::time::Duration;

use mirror_e2e::copy::{CopyStack, TOKEN, USD};
use mirror_e2e::signing::unix_now;
use mirror_fakes::polymarket::{BalanceAsset, Endpoint, FakePolymarketConfig};
use mirror_fakes::Behaviour;
use serde_json::json;

#[tokio::test]
async fn a_leader_fill_reaches_three_followers_each_sized_by_its_mode() {
    let stack = CopyStack::start(&[]).await;
    let fixed = stack.follower(1_000 * USD).await;
    let ratio = stack.follower(1_000 * USD).await;
    let percent = stack.follower(520 * USD).await;
    stack.follow(&fixed, json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "26" })).await;
    stack.follow(&ratio, json!({ "sizingMode": "LEADER_RATIO", "ratioBps": 5000 })).await;
    stack.follow(&percent, json!({ "sizingMode": "BALANCE_PERCENT", "ratioBps": 1000 })).await;

    stack.polymarket.push_trade(stack.trade("BUY", "40", "0.52"));
    stack.tick().await;

    let accepted = stack.polymarket.accepted_orders();
    assert_eq!(accepted.len(), 3, "rejected: {:?}", stack.polymarket.rejected());
    // Limit BUY at the ask (0.52, tick 0.01): taker = shares, maker = shares × price, in raw units,
    // as clob-client-v2 computes them (components/core/tests/vectors hold its rounding).
    for (follower, shares, usd) in
        [(&fixed, 50 * USD, 26 * USD), (&ratio, 20 * USD, 10_400_000), (&percent, 100 * USD, 52 * USD)]
    {
        let order = accepted.iter().find(|o| o.maker == follower.address).expect("an order per follower");
        assert_eq!((order.side.as_str(), order.taker_amount, order.maker_amount), ("BUY", shares, usd));
        assert_eq!((order.signer, order.signature_type), (follower.address, 0));
        assert_eq!(order.token_id, TOKEN);
    }
    assert_eq!(stack.count("SELECT count(*) FROM leader_events").await, 1);
    assert_eq!(stack.count("SELECT count(*) FROM copy_attempts WHERE status IN ('FILLED', 'SUBMITTED')").await, 3);
    assert_eq!(
        stack.count("SELECT count(*) FROM orders o JOIN copy_attempts a ON a.id = o.copy_attempt_id WHERE o.clob_order_id = o.order_hash").await,
        3
    );
}

#[tokio::test]
async fn racing_ticks_a_webhook_and_a_poll_of_the_same_fill_place_each_copy_once() {
    let stack = CopyStack::start(&[]).await;
    let followers = [stack.follower(1_000 * USD).await, stack.follower(1_000 * USD).await];
    for f in &followers {
        stack.follow(f, json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "10" })).await;
    }
    let fill = stack.trade("BUY", "100", "0.52");
    stack.polymarket.push_trade(fill.clone());

    let ticks = futures::future::join_all((0..8).map(|_| stack.app.tick("copy-trading")));
    let (ticks, webhook) = tokio::join!(ticks, stack.webhook(std::slice::from_ref(&fill)));
    assert_eq!(webhook.status, 200, "{}", String::from_utf8_lossy(&webhook.body));
    for (result, _) in ticks {
        result.expect("tick");
    }
    stack.tick().await;

    assert_eq!(stack.count("SELECT count(*) FROM leader_events").await, 1);
    assert_eq!(stack.count("SELECT count(*) FROM copy_attempts").await, 2);
    assert_eq!(stack.count("SELECT count(*) FROM orders").await, 2);
    let accepted = stack.polymarket.accepted_orders();
    for f in &followers {
        assert_eq!(accepted.iter().filter(|o| o.maker == f.address).count(), 1, "one order per follower and fill");
    }
    assert_eq!(stack.count("SELECT count(*) FROM signing_requests WHERE purpose = 'ORDER'").await, 2);
}

/// A leader who buys and then sells within one delivery is copied in that order: a SELL
/// copied before its BUY would find no position, and the BUY would leave the follower holding
/// what the leader closed. Fills recorded together are executed in the leader's trade order.
#[tokio::test]
async fn fills_delivered_together_are_copied_in_the_order_the_leader_traded() {
    let stack = CopyStack::start(&[]).await;
    let follower = stack.follower(1_000 * USD).await;
    stack.polymarket.set_balance(follower.address, BalanceAsset::Conditional(TOKEN.into()), 100 * USD);
    stack.follow(&follower, json!({ "sizingMode": "LEADER_RATIO", "ratioBps": 5000 })).await;
    let start = unix_now();
    let mut fills: Vec<_> = (0..6i64)
        .map(|i| {
            let mut fill = stack.trade(if i % 2 == 0 { "BUY" } else { "SELL" }, &format!("{}", 10 + i), "0.52");
            fill["timestamp"] = json!(start + i);
            fill
        })
        .collect();
    fills.reverse();
    let reply = stack.webhook(&fills).await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));

    let by_trade_time: Vec<String> = stack
        .app
        .db
        .query(
            "SELECT o.order_hash FROM orders o JOIN copy_attempts a ON a.id = o.copy_attempt_id
             JOIN leader_events le ON le.id = a.leader_event_id ORDER BY le.traded_at",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    let posted: Vec<String> = stack.polymarket.accepted_orders().into_iter().map(|o| o.order_hash).collect();
    assert_eq!(by_trade_time.len(), 6, "every fill copied: {:?}", stack.polymarket.rejected());
    assert_eq!(posted, by_trade_time);
}

#[tokio::test]
async fn racing_ticks_never_take_a_profile_past_its_daily_volume() {
    let stack = CopyStack::start(&[]).await;
    let follower = stack.follower(1_000 * USD).await;
    stack
        .follow(&follower, json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "10", "maxDailyVolumeUsd": "15" }))
        .await;
    // Three fills of the profile are queued (recorded while stopped), then eight ticks race on them.
    stack.set_exec_mode(r#"{"mode":"LIVE","emergency_stop":true}"#).await;
    let fills: Vec<_> = (0..3).map(|_| stack.trade("BUY", "100", "0.52")).collect();
    assert_eq!(stack.webhook(&fills).await.status, 200);
    stack.set_exec_mode(r#"{"mode":"LIVE","emergency_stop":false}"#).await;
    for (result, _) in futures::future::join_all((0..8).map(|_| stack.app.tick("copy-trading"))).await {
        result.expect("tick");
    }
    stack.tick().await;

    // BUY orders spend their maker amount: $10, then what is left of the $15 day ($4.99), then
    // nothing (the third is skipped: too small to place).
    let spent: u64 = stack.polymarket.accepted_orders().iter().map(|o| o.maker_amount).sum();
    assert!(spent <= 15 * USD, "spent {spent} against a 15 USD day");
    assert_eq!(stack.polymarket.accepted_orders().len(), 2);
    assert_eq!(stack.count("SELECT count(*) FROM copy_attempts WHERE status = 'SKIPPED'").await, 1);
    assert_eq!(stack.count("SELECT count(*) FROM copy_profile_leases").await, 0, "passes give their profiles back");
}

#[tokio::test]
async fn a_tick_killed_between_signing_and_posting_leaves_the_next_tick_to_post_the_same_order_once() {
    let stack =
        CopyStack::start_with(&[("copy_lease_ms", "1500")], FakePolymarketConfig::default(), Duration::from_secs(4))
            .await;
    let follower = stack.follower(1_000 * USD).await;
    stack.follow(&follower, json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "10" })).await;
    stack.polymarket.push_trade(stack.trade("BUY", "100", "0.52"));
    stack.polymarket.set_behaviour(Endpoint::PostOrder, Behaviour::Delay(Duration::from_secs(8)));

    let (killed, _) = stack.app.tick("copy-trading").await;
    assert!(killed.is_err(), "the host must kill the tick while it waits on POST /order");
    let signed: String = stack.app.db.query_one("SELECT order_hash FROM orders", &[]).await.unwrap().get(0);
    assert_eq!(stack.count("SELECT count(*) FROM copy_attempts WHERE status = 'SIGNED'").await, 1);

    stack.polymarket.set_behaviour(Endpoint::PostOrder, Behaviour::Healthy);
    tokio::time::sleep(Duration::from_millis(1600)).await;
    stack.tick().await;

    let posted: String = stack.app.db.query_one("SELECT order_hash FROM orders", &[]).await.unwrap().get(0);
    assert_eq!(posted, signed, "the persisted order is re-posted, not a new one");
    assert_eq!(stack.count("SELECT count(*) FROM orders").await, 1);
    assert_eq!(stack.polymarket.accepted_orders().iter().filter(|o| o.order_hash == signed).count(), 1);
    assert_eq!(stack.count("SELECT count(*) FROM copy_attempts WHERE status IN ('FILLED', 'SUBMITTED')").await, 1);
    assert_eq!(stack.count("SELECT count(*) FROM signing_requests WHERE purpose = 'ORDER'").await, 1, "signed once");
}

#[tokio::test]
async fn an_order_signed_for_an_old_exchange_version_is_signed_again_for_the_new_one_and_posted_once() {
    let stack =
        CopyStack::start_with(&[("copy_lease_ms", "1500")], FakePolymarketConfig::default(), Duration::from_secs(4))
            .await;
    let follower = stack.follower(1_000 * USD).await;
    stack.follow(&follower, json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "10" })).await;
    stack.polymarket.push_trade(stack.trade("BUY", "100", "0.52"));
    // Signed for V2 and persisted; the tick dies before the CLOB answers.
    stack.polymarket.set_behaviour(Endpoint::PostOrder, Behaviour::Delay(Duration::from_secs(8)));
    assert!(stack.app.tick("copy-trading").await.0.is_err());
    let v2_hash: String = stack.app.db.query_one("SELECT order_hash FROM orders", &[]).await.unwrap().get(0);

    // The CLOB moves to V3: the stored order is refused with order_version_mismatch, dropped
    // unposted, and the attempt is signed again for the version /version now gives.
    stack.polymarket.set_exchange_version(3);
    stack.polymarket.set_behaviour(Endpoint::PostOrder, Behaviour::Healthy);
    tokio::time::sleep(Duration::from_millis(1600)).await;
    stack.tick().await;
    assert_eq!(stack.count("SELECT count(*) FROM copy_attempts WHERE error_code = 'ORDER_VERSION_MISMATCH'").await, 1);
    stack.tick().await;

    let accepted = stack.polymarket.accepted_orders();
    assert_eq!(accepted.len(), 1, "rejected: {:?}", stack.polymarket.rejected());
    let v3_hash: String = stack.app.db.query_one("SELECT order_hash FROM orders", &[]).await.unwrap().get(0);
    assert_ne!(v3_hash, v2_hash);
    assert_eq!(accepted[0].order_hash, v3_hash);
    assert_eq!(stack.count("SELECT count(*) FROM orders").await, 1);
    assert_eq!(stack.count("SELECT count(*) FROM signing_requests WHERE purpose = 'ORDER'").await, 2);
    assert_eq!(stack.count("SELECT count(*) FROM copy_attempts WHERE status IN ('FILLED', 'SUBMITTED')").await, 1);
}

#[tokio::test]
async fn fanning_out_to_100_followers_takes_the_same_postgres_statements_as_to_1() {
    let stack = CopyStack::start(&[]).await;
    // Emergency stop: the webhook records and fans out, and executes nothing, so its round trips
    // are the ingestion's alone.
    stack.set_exec_mode(r#"{"mode":"LIVE","emergency_stop":true}"#).await;
    let mut round_trips = Vec::new();
    for followers in [1i64, 100] {
        let leader = format!("0x{}", mirror_e2e::signing::random_hex(20));
        stack
            .app
            .db
            .execute(
                "WITH u AS (INSERT INTO users (dynamic_user_id) SELECT 'bulk-' || $2 || '-' || g FROM generate_series(1, $1::int8) g RETURNING id)
                 INSERT INTO copy_profiles (user_id, leader_address, sizing_mode, fixed_amount) SELECT id, $2, 'FIXED_USD', 1000000 FROM u",
                &[&followers, &leader],
            )
            .await
            .unwrap();
        let mut trade = stack.trade("BUY", "10", "0.52");
        trade["proxyWallet"] = json!(leader);
        let reply = stack.webhook(&[trade]).await;
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
        assert_eq!(reply.json()["recorded"]["newAttempts"], json!(followers));
        round_trips.push(reply.round_trips.postgres);
    }
    assert_eq!(round_trips[0], round_trips[1], "postgres statements for 1 and 100 followers");
    assert_eq!(round_trips[0], 1, "recording and fan-out are one statement");
}
