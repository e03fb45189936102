//! The bare anvil and the counter contract, on a real anvil: what relayer tests build on.

use std::time::Duration;

use alloy_primitives::{address, Address, Bytes, B256, U256};
use alloy_sol_types::{Revert, SolError};
use mirror_fakes::{counter_contract, Anvil, REVERTING_SELECTOR, REVERT_REASON};
use serde_json::{json, Value};

const COUNTER: Address = address!("00000000000000000000000000000000c0c0c0c0");

/// Anvil's first unlocked dev account.
async fn dev_account(anvil: &Anvil) -> Address {
    let accounts = anvil.rpc("eth_accounts", json!([])).await.expect("eth_accounts");
    serde_json::from_value(accounts[0].clone()).expect("dev account")
}

/// Sends `data` to the counter from the dev account; the transaction's hash.
async fn send(anvil: &Anvil, from: Address, data: &[u8]) -> B256 {
    let transaction = json!({ "from": from, "to": COUNTER, "data": Bytes::copy_from_slice(data) });
    let hash = anvil.rpc("eth_sendTransaction", json!([transaction])).await.expect("eth_sendTransaction");
    serde_json::from_value(hash).expect("transaction hash")
}

/// The receipt of a transaction automine takes, which can lag its hash by a moment.
async fn mined(anvil: &Anvil, hash: B256) -> Value {
    for _ in 0..200 {
        if let Some(receipt) = anvil.receipt(hash).await {
            return receipt;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no receipt for {hash} within 5 s");
}

async fn anvil_with_counter(extra_args: &[&str]) -> (Anvil, Address) {
    let anvil = Anvil::start(extra_args).await;
    anvil.set_code(COUNTER, &counter_contract()).await;
    let from = dev_account(&anvil).await;
    (anvil, from)
}

#[tokio::test]
async fn counter_counts_every_call_but_the_reverting_selector() {
    let (anvil, from) = anvil_with_counter(&[]).await;
    for data in [&[][..], &[], &REVERTING_SELECTOR[..3], &[0xde, 0xad, 0xbe, 0xee, 0x01]] {
        let receipt = mined(&anvil, send(&anvil, from, data).await).await;
        assert_eq!(receipt["status"], "0x1", "{data:02x?}: {receipt}");
    }
    assert_eq!(anvil.storage(COUNTER, U256::ZERO).await, U256::from(4));
    assert_eq!(anvil.nonce(from, "latest").await, 4);
}

#[tokio::test]
async fn reverting_selector_reverts_with_the_reason() {
    let (anvil, from) = anvil_with_counter(&[]).await;
    for data in [REVERTING_SELECTOR.to_vec(), [&REVERTING_SELECTOR[..], &[0x01; 36]].concat()] {
        let call = json!({ "from": from, "to": COUNTER, "data": Bytes::from(data) });
        let error = anvil.rpc("eth_call", json!([call, "latest"])).await.expect_err("a revert");
        let error: Value = serde_json::from_str(&error).expect("the node's error object");
        let returned: Bytes = serde_json::from_value(error["data"].clone()).expect("revert data");
        assert_eq!(Revert::abi_decode(&returned).expect("Error(string)").reason, REVERT_REASON, "{error}");
    }
    assert_eq!(anvil.storage(COUNTER, U256::ZERO).await, U256::ZERO);
}

#[tokio::test]
async fn with_automine_off_a_transaction_waits_in_the_pool_until_mined() {
    let (anvil, from) = anvil_with_counter(&[]).await;
    anvil.set_automine(false).await;
    let block = anvil.block_number().await;
    let hash = send(&anvil, from, &[]).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(anvil.receipt(hash).await, None);
    assert_eq!(anvil.transaction(hash).await.expect("pending")["blockNumber"], Value::Null);
    assert_eq!((anvil.nonce(from, "latest").await, anvil.nonce(from, "pending").await), (0, 1));

    anvil.mine(1).await;
    assert_eq!(mined(&anvil, hash).await["status"], "0x1");
    assert_eq!(anvil.block_number().await, block + 1);
    assert_eq!(anvil.storage(COUNTER, U256::ZERO).await, U256::from(1));
}

#[tokio::test]
async fn a_dropped_transaction_is_gone_and_never_mined() {
    let (anvil, from) = anvil_with_counter(&[]).await;
    anvil.set_automine(false).await;
    let hash = send(&anvil, from, &[]).await;
    assert!(anvil.drop_transaction(hash).await);
    assert!(!anvil.drop_transaction(hash).await, "no longer in the pool");
    assert_eq!(anvil.transaction(hash).await, None);
    assert_eq!(anvil.nonce(from, "pending").await, 0);

    anvil.mine(3).await;
    assert_eq!(anvil.receipt(hash).await, None);
    assert_eq!(anvil.storage(COUNTER, U256::ZERO).await, U256::ZERO);
}

#[tokio::test]
async fn balances_are_set_and_read() {
    let anvil = Anvil::start(&[]).await;
    let account = address!("00000000000000000000000000000000000000a1");
    assert_eq!(anvil.balance(account).await, U256::ZERO);
    anvil.set_balance(account, U256::from(10).pow(U256::from(18))).await;
    assert_eq!(anvil.balance(account).await, U256::from(10).pow(U256::from(18)));
}

#[tokio::test]
async fn extra_args_reach_anvil() {
    let anvil = Anvil::start(&["--block-time", "1"]).await;
    for _ in 0..50 {
        if anvil.block_number().await > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no block within 5 s with --block-time 1");
}
