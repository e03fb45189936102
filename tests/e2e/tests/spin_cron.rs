//! The workers on Spin's own cron trigger: `spin up` on spin.toml as shipped, where nothing but
//! the trigger plugin fires a tick. Runs only under `MIRROR_E2E_ON=spin-cron` (scripts/test.sh
//! does so when Spin and the cron plugin are installed); the other suites' ticks are asked for.

use std::future::Future;
use std::time::{Duration, Instant};

use mirror_e2e::copy::{CopyStack, USD};
use mirror_e2e::spin::Manifest;
use mirror_fakes::{FakeService, Kind};
use serde_json::{json, Value};

/// Polls `check` every 200 ms until it holds; panics with `what` after `limit`.
async fn wait_for<F: Future<Output = bool>>(limit: Duration, what: &str, mut check: impl FnMut() -> F) -> Duration {
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < limit, "{what} within {limit:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    started.elapsed()
}

#[tokio::test]
#[ignore = "needs `spin up` with the cron plugin: scripts/test.sh runs it with MIRROR_E2E_ON=spin-cron"]
async fn the_cron_trigger_copies_a_polled_fill_once_and_keeps_both_workers_healthy() {
    // Healthy services for the health-check worker: a Dynamic it saw down would pause copying.
    let dynamic = FakeService::start(Kind::Dynamic).await;
    let rpc = FakeService::start(Kind::PolygonRpc).await;
    let stack = CopyStack::start(&[
        ("dynamic_api_url", &dynamic.url()),
        ("polygon_rpc_url", &rpc.url()),
        ("polygon_rpc_host", &rpc.url()),
    ])
    .await;
    let spin = stack.app.spin().expect("MIRROR_E2E_ON=spin-cron puts the app under spin up");
    assert_eq!(spin.manifest, Manifest::Shipped, "spin.toml as shipped, cron trigger included");

    let follower = stack.follower(1_000 * USD).await;
    stack.follow(&follower, json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "10" })).await;
    stack.polymarket.push_trade(stack.trade("BUY", "100", "0.52"));

    // copy-trading fires every 5 s: it polls the leader, fans out, signs and posts.
    let copied = wait_for(Duration::from_secs(20), "the cron-fired copy-trading worker posts the copy", || async {
        !stack.polymarket.accepted_orders().is_empty()
    })
    .await;
    println!("copied {copied:?} after the fill was published");
    let accepted = stack.polymarket.accepted_orders();
    assert_eq!(
        (accepted.len(), accepted[0].maker),
        (1, follower.address),
        "rejected: {:?}",
        stack.polymarket.rejected()
    );

    // health-check fires every 30 s: it writes system:health and its heartbeat.
    wait_for(Duration::from_secs(40), "the cron-fired health-check worker writes its heartbeat", || async {
        stack.app.redis_get("worker:health-check:last-ping").await.is_some()
    })
    .await;
    let health: Value =
        serde_json::from_str(&stack.app.redis_get("system:health").await.expect("system:health")).unwrap();
    assert_eq!(health["services"]["dynamic"]["status"], "healthy", "{health}");
    assert!(dynamic.requests() >= 1 && rpc.requests() >= 1, "probes sent by the cron tick");

    // Later ticks find nothing more to do: still one order, one signature.
    let ping = || async { stack.app.redis_get("worker:copy-trading:last-ping").await.unwrap_or_default() };
    for _ in 0..2 {
        let before = ping().await;
        wait_for(Duration::from_secs(15), "another copy-trading tick", || async { ping().await != before }).await;
    }
    assert_eq!(stack.polymarket.accepted_orders().len(), 1);
    assert_eq!(stack.count("SELECT count(*) FROM orders").await, 1);
    assert_eq!(stack.count("SELECT count(*) FROM signing_requests WHERE purpose = 'ORDER'").await, 1);

    let status = stack.app.get("/system/status").await.json();
    assert_eq!(status["workers"]["copyTrading"], "healthy", "{status}");
    assert_eq!(status["workers"]["healthCheck"], "healthy", "{status}");
}
