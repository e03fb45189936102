//! The relayer on a real chain (anvil) through a fault proxy: every transaction sent once on its
//! nonce, followed to its receipt, replaced when stuck, and recovered from every RPC failure.

use std::time::Duration;

use alloy_primitives::{Address, B256, U256};
use mirror_e2e::relayer::{pol, Key, RelayerRig, TARGET};
use mirror_fakes::{Behaviour, REVERT_REASON};
use serde_json::Value;

fn hashes(row: &Value) -> Vec<B256> {
    row["sent_hashes"].as_array().unwrap().iter().map(|h| h.as_str().unwrap().parse().unwrap()).collect()
}

fn wide(row: &Value, column: &str) -> u128 {
    row[column]
        .as_u64()
        .map(u128::from)
        .or_else(|| row[column].as_f64().map(|f| f as u128))
        .unwrap_or_else(|| panic!("{column}: {row}"))
}

#[tokio::test]
async fn two_hundred_rows_and_eight_racing_ticks_send_each_once_on_contiguous_nonces() {
    let rig = RelayerRig::start(&[], &[("relayer_batch_size", "40")]).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..200 {
        ids.push(rig.submit_count(&format!("count-{i}")).await);
    }
    let again = rig.submit("count-7", TARGET, "0x").await;
    assert_eq!(again.status, 200, "a repeat returns the row it made");
    assert_eq!(again.json()["id"], ids[7].as_str());
    let other = rig.submit("count-7", TARGET, "0x01").await;
    assert_eq!(other.status, 409, "the same key for another transaction is refused");

    // Bounded by time, not by a number of rounds: on a loaded CI machine 30 quick rounds ended
    // before the last receipts were due to be read.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    while rig.open_rows().await > 0 && std::time::Instant::now() < deadline {
        futures::future::join_all((0..8).map(|_| rig.tick())).await;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(rig.open_rows().await, 0, "{:?}", rig.statuses().await);
    assert_eq!(rig.count("SELECT count(*) FROM relayer_txs WHERE status = 'CONFIRMED' AND gas_used > 0").await, 200);
    assert_eq!(rig.count("SELECT count(*) FROM relayer_txs").await, 200, "no gap fill was needed");
    assert_eq!(rig.counted().await, U256::from(200), "each transaction ran once");
    assert_eq!(rig.anvil.nonce(rig.key.address, "latest").await, 200);
    let nonces: Vec<i64> = rig
        .app
        .db
        .query("SELECT nonce FROM relayer_txs ORDER BY nonce", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(nonces, (0..200).collect::<Vec<i64>>(), "contiguous from the chain's nonce");
    assert_eq!(rig.proxy.calls_of("eth_sendRawTransaction"), 200, "one send per transaction");
    for id in ids.iter().take(5) {
        let row = rig.row(id).await;
        let hash: B256 = row["tx_hash"].as_str().unwrap().parse().unwrap();
        assert_eq!(rig.anvil.receipt(hash).await.unwrap()["status"], "0x1");
        assert!(wide(&row, "effective_gas_price") > 0 && row["block_number"].as_u64().unwrap() > 0);
    }
}

#[tokio::test]
async fn a_tick_killed_after_signing_and_before_sending_leaves_the_next_tick_to_send_the_same_nonce_once() {
    let rig = RelayerRig::start_with(&[], &[("relayer_lease_ms", "1000")], Key::random(), Duration::from_secs(2))
        .await
        .unwrap();
    let id = rig.submit_count("killed").await;
    rig.proxy.set_for("eth_sendRawTransaction", Behaviour::Delay(Duration::from_secs(10)));
    let killed = rig.app.post_admin("/internal/workers/relayer").await;
    assert_ne!(killed.status, 200, "the host stopped the tick while it was sending");
    let signed = rig.row(&id).await;
    assert_eq!((signed["status"].as_str(), signed["nonce"].as_i64()), (Some("PENDING"), Some(0)), "{signed}");
    let hash = hashes(&signed)[0];
    assert!(rig.anvil.transaction(hash).await.is_none(), "the send never reached the node");
    rig.proxy.clear_for("eth_sendRawTransaction");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    rig.settle(3).await;
    let row = rig.row(&id).await;
    assert_eq!((row["status"].as_str(), row["tx_hash"].as_str()), (Some("CONFIRMED"), Some(hash.to_string().as_str())));
    assert_eq!(hashes(&row), [hash], "the same signed transaction, not a new one");
    assert_eq!(rig.proxy.calls_of("eth_sendRawTransaction"), 2);
    assert_eq!((rig.anvil.nonce(rig.key.address, "latest").await, rig.counted().await), (1, U256::from(1)));
}

#[tokio::test]
async fn a_stuck_transaction_is_replaced_on_its_nonce_and_whichever_hash_mines_settles_it() {
    let rig = RelayerRig::start(&["--no-mining"], &[("relayer_stuck_after_secs", "1")]).await.unwrap();
    let first = rig.submit_count("stuck-1").await;
    rig.tick().await;
    let sent = rig.row(&first).await;
    assert_eq!(sent["status"], "SUBMITTED");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let report = rig.tick().await;
    assert_eq!(report["replaced"], 1, "{report}");
    let replaced = rig.row(&first).await;
    assert_eq!(hashes(&replaced).len(), 2);
    assert_eq!(replaced["nonce"], sent["nonce"], "on the same nonce");
    for column in ["max_fee_per_gas", "max_priority_fee_per_gas"] {
        assert!(wide(&replaced, column) * 10 >= wide(&sent, column) * 11, "{column} up by 10 %");
    }
    rig.anvil.mine(1).await;
    rig.settle(3).await;
    let mined = rig.row(&first).await;
    assert_eq!(mined["status"], "CONFIRMED");
    assert_eq!(mined["tx_hash"].as_str().unwrap(), hashes(&replaced)[1].to_string());

    // The other way round: the node ends up with the old transaction, which mines.
    let second = rig.submit_count("stuck-2").await;
    rig.tick().await;
    let old_raw = rig.app.db.query_one("SELECT raw_tx FROM relayer_txs WHERE id = $1", &[&second]).await.unwrap();
    let old_raw: Vec<u8> = old_raw.get(0);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    rig.tick().await;
    let row = rig.row(&second).await;
    let [old, new] = hashes(&row)[..] else { panic!("two hashes: {row}") };
    assert!(rig.anvil.drop_transaction(new).await);
    let raw = format!("0x{}", alloy_primitives::hex::encode(&old_raw));
    assert_eq!(rig.anvil.rpc("eth_sendRawTransaction", serde_json::json!([raw])).await.unwrap(), old.to_string());
    rig.anvil.mine(1).await;
    rig.settle(3).await;
    let row = rig.row(&second).await;
    assert_eq!((row["status"].as_str(), row["tx_hash"].as_str()), (Some("CONFIRMED"), Some(old.to_string().as_str())));
    assert_eq!(rig.counted().await, U256::from(2));
}

#[tokio::test]
async fn a_dropped_transaction_is_sent_again_and_confirms_once() {
    let rig = RelayerRig::start(&["--no-mining"], &[("relayer_stuck_after_secs", "1")]).await.unwrap();
    let id = rig.submit_count("dropped").await;
    rig.tick().await;
    let first = hashes(&rig.row(&id).await)[0];
    assert!(rig.anvil.drop_transaction(first).await);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    rig.tick().await;
    assert!(rig.anvil.transaction(hashes(&rig.row(&id).await)[1]).await.is_some(), "in the pool again");
    rig.anvil.mine(1).await;
    rig.settle(3).await;
    assert_eq!(rig.row(&id).await["status"], "CONFIRMED");
    assert_eq!(rig.counted().await, U256::from(1));
    assert_eq!(rig.anvil.nonce(rig.key.address, "latest").await, 1);
}

#[tokio::test]
async fn a_call_that_reverts_fails_with_its_decoded_reason_and_a_dead_letter() {
    let rig = RelayerRig::start(&[], &[("relayer_max_attempts", "2")]).await.unwrap();
    let id = rig.submit("reverts", TARGET, "0xdeadbeef").await.json()["id"].as_str().unwrap().to_string();
    rig.tick().await;
    let row = rig.row(&id).await;
    assert_eq!((row["status"].as_str(), row["attempts"].as_i64()), (Some("PENDING"), Some(1)), "{row}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    rig.tick().await;
    let row = rig.row(&id).await;
    assert_eq!(row["status"], "FAILED");
    let reason = row["error_reason"].as_str().unwrap();
    assert!(reason.contains(REVERT_REASON) && reason.starts_with("PREFLIGHT_REVERTED"), "{reason}");
    assert!(row["revert_data"].as_str().unwrap().starts_with("\\x08c379a0"), "Error(string) kept: {row}");
    assert_eq!(rig.anvil.nonce(rig.key.address, "latest").await, 0, "nothing was sent");
    let letters = rig.admin("GET", "/admin/dead-letters", "").await.json();
    assert_eq!(letters["deadLetters"][0]["referenceId"], id.as_str());
    assert_eq!(letters["deadLetters"][0]["kind"], "RELAYER_TX");
    let failed = rig.admin("GET", "/admin/relayer/transactions?status=FAILED", "").await.json();
    assert_eq!(failed["transactions"][0]["id"], id.as_str());
    assert!(failed["transactions"][0]["errorReason"].as_str().unwrap().contains(REVERT_REASON));
}

#[tokio::test]
async fn a_transaction_that_reverts_on_chain_fails_with_the_reason_replayed() {
    let rig = RelayerRig::start(&["--no-mining"], &[]).await.unwrap();
    let id = rig.submit_count("reverts-on-chain").await;
    rig.tick().await;
    // The contract changes between the preflight and the block: now every call reverts.
    rig.anvil.set_code(TARGET, &reverting_code()).await;
    rig.anvil.mine(1).await;
    rig.settle(3).await;
    let row = rig.row(&id).await;
    assert_eq!(row["status"], "FAILED");
    assert!(row["error_reason"].as_str().unwrap().starts_with("REVERTED: reverted: "), "{row}");
    assert!(row["gas_used"].as_u64().unwrap() > 0);
    assert_eq!(rig.count("SELECT count(*) FROM dead_letters WHERE resolved_at IS NULL").await, 1);
}

/// Runtime code that reverts every call with `Error("nope")`.
fn reverting_code() -> Vec<u8> {
    use alloy_sol_types::SolError;
    let revert = alloy_sol_types::Revert::from("nope").abi_encode();
    // PUSH<len> <data>... stored with CODECOPY: code = prefix ++ revert data.
    let len = revert.len() as u8;
    let prefix = [0x60, len, 0x60, 12, 0x60, 0x00, 0x39, 0x60, len, 0x60, 0x00, 0xfd];
    [&prefix[..], &revert].concat()
}

#[tokio::test]
async fn a_nonce_given_up_before_it_went_out_is_filled_and_later_rows_confirm() {
    let rig = RelayerRig::start(&[], &[("relayer_max_attempts", "1")]).await.unwrap();
    let dead = rig.submit("dies", TARGET, "0xdeadbeef").await.json()["id"].as_str().unwrap().to_string();
    // A tick that died after giving it nonce 0 and before signing.
    let address = format!("{:#x}", rig.key.address);
    rig.app
        .db
        .execute("UPDATE relayer_txs SET nonce = 0, relayer_address = $2 WHERE id = $1", &[&dead, &address])
        .await
        .unwrap();
    rig.app.db.execute("INSERT INTO relayer_accounts (address, next_nonce) VALUES ($1, 1)", &[&address]).await.unwrap();
    let later = rig.submit_count("later").await;
    rig.settle(6).await;
    assert_eq!(rig.row(&dead).await["status"], "FAILED");
    let later = rig.row(&later).await;
    assert_eq!((later["status"].as_str(), later["nonce"].as_i64()), (Some("CONFIRMED"), Some(1)));
    let fill = rig
        .app
        .db
        .query_one("SELECT status, nonce, to_address FROM relayer_txs WHERE kind = 'NONCE_FILL'", &[])
        .await
        .unwrap();
    assert_eq!(
        (fill.get::<_, String>(0), fill.get::<_, i64>(1), fill.get::<_, String>(2)),
        ("CONFIRMED".into(), 0, address)
    );
    assert_eq!(rig.counted().await, U256::from(1));
}

#[tokio::test]
async fn a_nonce_used_outside_mirror_is_reconciled_and_the_row_goes_out_on_a_new_one() {
    let rig = RelayerRig::start(&["--no-mining"], &[]).await.unwrap();
    let id = rig.submit_count("displaced").await;
    rig.tick().await;
    let ours = hashes(&rig.row(&id).await)[0];
    assert!(rig.anvil.drop_transaction(ours).await);
    // Someone with the key sends something else on nonce 0 (the runbook's manual `cast send`).
    rig.anvil.rpc("anvil_impersonateAccount", serde_json::json!([rig.key.address])).await.unwrap();
    rig.anvil
        .rpc(
            "eth_sendTransaction",
            serde_json::json!([{ "from": rig.key.address, "to": rig.key.address, "nonce": "0x0" }]),
        )
        .await
        .unwrap();
    rig.anvil.mine(1).await;
    let report = rig.tick().await;
    assert_eq!(report["requeued"], 1, "{report}");
    rig.anvil.set_automine(true).await;
    rig.settle(4).await;
    let row = rig.row(&id).await;
    assert_eq!((row["status"].as_str(), row["nonce"].as_i64()), (Some("CONFIRMED"), Some(1)));
    assert_eq!(rig.counted().await, U256::from(1));
}

#[tokio::test]
async fn every_rpc_failure_class_is_waited_out_without_spending_attempts_or_sending_twice() {
    let rig =
        RelayerRig::start(&[], &[("relayer_rpc_timeout_ms", "500"), ("relayer_stuck_after_secs", "1")]).await.unwrap();
    let send = "eth_sendRawTransaction";
    let cases: [(Behaviour, &str); 9] = [
        (Behaviour::Status(503), "RPC_UNAVAILABLE"),
        (Behaviour::RateLimited { retry_after_secs: 1 }, "RPC_UNAVAILABLE"),
        (Behaviour::Status(502), "RPC_UNAVAILABLE"),
        (Behaviour::Delay(Duration::from_secs(2)), "RPC_UNAVAILABLE"),
        (Behaviour::Garbage, "RPC_UNAVAILABLE"),
        (Behaviour::RpcError { code: -32000, message: "nonce too high" }, "NONCE_TOO_HIGH"),
        (
            Behaviour::RpcError { code: -32003, message: "insufficient funds for gas * price + value" },
            "INSUFFICIENT_FUNDS",
        ),
        // Said of a nonce the chain has not used: the next tick finds no receipt and no higher
        // mined nonce, and sends the same transaction again.
        (Behaviour::RpcError { code: -32003, message: "nonce too low" }, "NONCE_TOO_LOW"),
        (Behaviour::RpcError { code: -32005, message: "limit exceeded" }, "RPC_UNAVAILABLE"),
    ];
    for (i, (behaviour, reason)) in cases.into_iter().enumerate() {
        let id = rig.submit_count(&format!("class-{i}")).await;
        rig.proxy.set_for(send, behaviour);
        let report = rig.tick().await;
        let row = rig.row(&id).await;
        assert_eq!(row["status"], "PENDING", "{behaviour:?}: {row}");
        assert!(row["error_reason"].as_str().unwrap().starts_with(reason), "{behaviour:?}: {row}");
        assert_eq!(row["attempts"], 0, "{behaviour:?}: nothing spent");
        if reason == "INSUFFICIENT_FUNDS" {
            assert_eq!(report["waitingForFunds"], 1);
        }
        rig.proxy.clear_for(send);
        tokio::time::sleep(Duration::from_millis(150)).await;
        rig.settle(4).await;
        assert_eq!(rig.row(&id).await["status"], "CONFIRMED", "{behaviour:?}");
    }
    // "Already known" counts as sent: the row is followed, and replaced when nothing mines it.
    for message in ["already known", "replacement transaction underpriced"] {
        let id = rig.submit_count(message).await;
        rig.proxy.set_for(send, Behaviour::RpcError { code: -32000, message });
        rig.tick().await;
        assert_eq!(rig.row(&id).await["status"], "SUBMITTED", "{message}");
        rig.proxy.clear_for(send);
        tokio::time::sleep(Duration::from_millis(1100)).await;
        rig.settle(4).await;
        assert_eq!(rig.row(&id).await["status"], "CONFIRMED", "{message}");
    }
    // An unreadable chain sends nothing.
    let id = rig.submit_count("rpc-down").await;
    rig.proxy.set(Behaviour::Status(500));
    let report = rig.tick().await;
    assert_eq!((report["rpcUnavailable"].as_bool(), report["sent"].as_u64()), (Some(true), Some(0)), "{report}");
    rig.proxy.set(Behaviour::Healthy);
    rig.settle(3).await;
    assert_eq!(rig.row(&id).await["status"], "CONFIRMED");
    assert_eq!(rig.counted().await, U256::from(12), "every transaction ran exactly once");
    assert_eq!(rig.anvil.nonce(rig.key.address, "latest").await, 12);
}

#[tokio::test]
async fn below_the_critical_balance_nothing_is_sent_until_it_is_topped_up() {
    let rig = RelayerRig::start(&[], &[]).await.unwrap();
    rig.anvil.set_balance(rig.key.address, pol(400)).await; // 0.04 POL
    let id = rig.submit_count("poor").await;
    rig.tick().await;
    let row = rig.row(&id).await;
    assert_eq!((row["status"].as_str(), row["nonce"].as_i64()), (Some("PENDING"), None), "no nonce taken");
    let status = rig.app.get("/system/status").await.json();
    assert_eq!(status["relayer"]["status"], "critical", "{}", status["relayer"]);
    assert_eq!(status["relayer"]["balancePol"], "0.04");
    assert_eq!(status["relayer"]["pendingCount"], 1);
    rig.anvil.set_balance(rig.key.address, pol(1500)).await; // 0.15 POL: a warning, and it sends
    rig.settle(3).await;
    assert_eq!(rig.row(&id).await["status"], "CONFIRMED");
    let status = rig.app.get("/system/status").await.json();
    assert_eq!(status["relayer"]["status"], "warning");
    assert_eq!(status["relayer"]["successRate1h"], 1.0);
    assert_eq!(status["workers"]["relayer"], "healthy");
}

#[tokio::test]
async fn a_rotated_key_sends_new_rows_while_the_retiring_one_settles_its_own() {
    let old = Key::random();
    let rig =
        RelayerRig::start_with_key(&["--no-mining"], &[("relayer_stuck_after_secs", "1")], old.clone()).await.unwrap();
    let before = rig.submit_count("before-rotation").await;
    rig.tick().await;
    assert_eq!(rig.row(&before).await["status"], "SUBMITTED");

    let new = Key::random();
    rig.anvil.set_balance(new.address, pol(100_000)).await;
    let rotated = mirror_e2e::TestApp::with_variables(&[
        ("database_url", &rig.app.variables["database_url"]),
        ("redis_url", &rig.app.variables["redis_url"]),
        ("polygon_rpc_url", &rig.proxy.url()),
        ("polygon_rpc_host", &rig.proxy.url()),
        ("relayer_private_key", &new.hex),
        ("relayer_retiring_private_keys", &old.hex),
        ("relayer_min_priority_fee_gwei", "1"),
        ("relayer_stuck_after_secs", "1"),
    ])
    .await
    .unwrap();
    assert_eq!(rotated.get("/health").await.json()["relayerAddress"], new.address.to_checksum(None));
    let auth = format!("Bearer {}", rotated.admin_token);
    let body = serde_json::json!({ "to": TARGET.to_string(), "idempotencyKey": "after-rotation" }).to_string();
    let after = rotated
        .request(
            "POST",
            "/admin/relayer/transactions",
            &[("authorization", &auth), ("content-type", "application/json")],
            body.as_bytes(),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let tick = rotated.post_admin("/internal/workers/relayer").await.json();
    assert_eq!((tick["result"]["sent"].as_u64(), tick["result"]["replaced"].as_u64()), (Some(2), Some(1)), "{tick}");
    let status = rotated.get("/system/status").await.json();
    assert_eq!(status["relayer"]["retiring"][0]["address"], old.address.to_checksum(None));
    assert_eq!(status["relayer"]["retiring"][0]["inFlight"], 1);
    // Had the old key been dropped instead of retired, its row would be shown as nobody's.
    let dropped = mirror_e2e::TestApp::with_variables(&[
        ("database_url", &rig.app.variables["database_url"]),
        ("relayer_private_key", &new.hex),
    ])
    .await
    .unwrap();
    let status = dropped.get("/system/status").await.json();
    assert_eq!(
        status["relayer"]["unmanaged"],
        serde_json::json!([{ "address": format!("{:#x}", old.address), "inFlight": 1 }])
    );
    rig.anvil.mine(1).await;
    rotated.post_admin("/internal/workers/relayer").await;
    let settled = |id: String| {
        let db = &rig.app.db;
        async move {
            let r = db
                .query_one("SELECT status, relayer_address, nonce FROM relayer_txs WHERE id = $1", &[&id])
                .await
                .unwrap();
            (r.get::<_, String>(0), r.get::<_, String>(1), r.get::<_, i64>(2))
        }
    };
    assert_eq!(settled(before).await, ("CONFIRMED".into(), format!("{:#x}", old.address), 0));
    assert_eq!(settled(after).await, ("CONFIRMED".into(), format!("{:#x}", new.address), 0));
    assert_eq!(rig.counted().await, U256::from(2));
}

#[tokio::test]
async fn retry_relayer_takes_the_runbooks_curl_and_refuses_bad_bodies_writing_nothing() {
    let rig = RelayerRig::start(&[], &[("relayer_max_attempts", "1")]).await.unwrap();
    let id = rig.submit("retried", TARGET, "0xdeadbeef").await.json()["id"].as_str().unwrap().to_string();
    rig.tick().await;
    assert_eq!(rig.row(&id).await["status"], "FAILED");
    let confirmed = rig.submit_count("fine").await;
    rig.settle(3).await;

    let admin_token = rig.app.admin_token.clone();
    let curl = |body: String| {
        let (app, auth) = (&rig.app, format!("Bearer {admin_token}"));
        async move {
            let headers = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];
            app.request("POST", "/admin/retry-relayer", &headers, body.as_bytes()).await
        }
    };
    let unchanged = rig.row(&id).await;
    for (body, status, field) in [
        (format!(r#"[{{"txId": "{id}"}}]"#), 400, "object"),
        (r#"{"txId": 5}"#.to_string(), 400, "txId"),
        (r#"{"txid": "x"}"#.to_string(), 400, "txid"),
        (r#"{}"#.to_string(), 400, "txId"),
        (r#"{"txId": ""}"#.to_string(), 400, "txId"),
        (r#"{"txId": "no-such-tx"}"#.to_string(), 404, "txId"),
        (format!(r#"{{"txId": "{confirmed}"}}"#), 409, "CONFIRMED"),
    ] {
        let reply = curl(body.clone()).await;
        assert_eq!(reply.status, status, "{body}");
        let message = reply.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(message.contains(field), "{body}: {message}");
    }
    assert_eq!(rig.row(&id).await, unchanged, "nothing written");
    assert_eq!(rig.count("SELECT count(*) FROM audit_logs WHERE action = 'RELAYER_TX_RETRIED'").await, 0);

    // The contract is fixed; the runbook's retry sends it again, under the same key.
    rig.anvil.set_code(TARGET, &[0x00]).await;
    let reply = curl(format!(r#"{{"txId": "{id}"}}"#)).await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(rig.count("SELECT count(*) FROM dead_letters WHERE resolved_at IS NULL").await, 0);
    assert_eq!(curl(format!(r#"{{"txId": "{id}"}}"#)).await.status, 409, "only once");
    rig.settle(3).await;
    let row = rig.row(&id).await;
    assert_eq!((row["status"].as_str(), row["idempotency_key"].as_str()), (Some("CONFIRMED"), Some("manual:retried")));
    assert_eq!(rig.count("SELECT count(*) FROM audit_logs WHERE action = 'RELAYER_TX_RETRIED'").await, 1);
}

#[tokio::test]
async fn without_a_relayer_key_nothing_is_queued_and_status_says_not_configured() {
    let app = mirror_e2e::TestApp::start().await.unwrap();
    let auth = format!("Bearer {}", app.admin_token);
    let body = serde_json::json!({ "to": Address::repeat_byte(1).to_string(), "idempotencyKey": "k" }).to_string();
    let reply = app
        .request(
            "POST",
            "/admin/relayer/transactions",
            &[("authorization", &auth), ("content-type", "application/json")],
            body.as_bytes(),
        )
        .await;
    assert_eq!(reply.status, 503);
    assert!(reply.json()["error"]["message"].as_str().unwrap().contains("relayer_private_key"));
    let count: i64 = app.db.query_one("SELECT count(*) FROM relayer_txs", &[]).await.unwrap().get(0);
    assert_eq!(count, 0);
    assert_eq!(app.get("/system/status").await.json()["relayer"]["status"], "not configured");
    assert_eq!(app.get("/health").await.json()["relayerAddress"], Value::Null);
    let tick = app.post_admin("/internal/workers/relayer").await.json();
    assert_eq!(tick["result"]["configured"], false);
}

#[tokio::test]
async fn a_transaction_the_node_keeps_refusing_is_given_up_and_its_nonce_filled() {
    let rig = RelayerRig::start(&[], &[("relayer_max_attempts", "2")]).await.unwrap();
    let refused = rig.submit_count("refused").await;
    rig.proxy.set_for("eth_sendRawTransaction", Behaviour::RpcError { code: -32000, message: "intrinsic gas too low" });
    for _ in 0..3 {
        rig.tick().await;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let row = rig.row(&refused).await;
    assert_eq!(row["status"], "FAILED", "{row}");
    assert!(row["error_reason"].as_str().unwrap().contains("intrinsic gas too low (after 2 attempts)"), "{row}");
    assert_eq!(row["nonce"], Value::Null, "its nonce, which no node holds, is given back");
    rig.proxy.clear_for("eth_sendRawTransaction");
    let later = rig.submit_count("after-refusal").await;
    rig.settle(5).await;
    let fill: i64 = rig
        .count("SELECT count(*) FROM relayer_txs WHERE kind = 'NONCE_FILL' AND status = 'CONFIRMED' AND nonce = 0")
        .await;
    assert_eq!(fill, 1, "{:?}", rig.statuses().await);
    assert_eq!(rig.row(&later).await["nonce"], 1);
    assert_eq!(rig.counted().await, U256::from(1), "the refused transaction never ran");
}
