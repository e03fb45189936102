//! The withdrawal allowlist (runbook 000 "Withdrawal Allowlist") on the real components: each
//! change an owner transaction on the module, mirrored in `withdrawal_allowlists` once the chain
//! shows it, and the runbook's query answering from it.

use alloy_primitives::Address;
use alloy_sol_types::SolCall;
use mirror_core::automation_module::IAutomationModule::isWithdrawalRecipientCall;
use mirror_e2e::accounts::{call, AccountRig};
use mirror_e2e::automation::{
    enable, installed_with_authority, owned_safe, random_key, text, until_settled, SafeVersion,
};
use mirror_e2e::copy::Follower;
use mirror_e2e::Reply;
use serde_json::{json, Value};

const LIST: &str = "/safe-automation/withdrawal-allowlist";

async fn route(rig: &AccountRig, follower: &Follower, method: &str, path: &str, body: Value) -> Reply {
    rig.stack.user_request(follower, method, path, &body).await
}

async fn listed_on_chain(rig: &AccountRig, safe: Address, recipient: Address) -> bool {
    let bytes = call(&rig.chain, rig.module, isWithdrawalRecipientCall { safe, recipient }.abi_encode()).await.unwrap();
    isWithdrawalRecipientCall::abi_decode_returns(&bytes).unwrap()
}

#[tokio::test]
async fn an_address_is_listed_once_the_module_holds_it_and_removed_from_mirror_at_once() {
    let rig = AccountRig::start(&[]).await;
    let (follower, safe) = installed_with_authority(&rig).await;
    let recipient = Address::repeat_byte(0x77);
    let added = route(&rig, &follower, "POST", LIST, json!({ "address": recipient, "label": "cold wallet" })).await;
    assert_eq!(added.status, 202, "{}", text(&added));
    assert_eq!(added.json()["ownerTransaction"]["kind"], "ALLOWLIST_ADD");
    let empty = route(&rig, &follower, "GET", LIST, Value::Null).await.json();
    assert_eq!(empty["withdrawalAllowlist"], json!([]), "not listed before the chain shows it");
    until_settled(&rig, &follower).await;
    assert!(listed_on_chain(&rig, safe, recipient).await);
    let list = route(&rig, &follower, "GET", LIST, Value::Null).await.json();
    assert_eq!(list["withdrawalAllowlist"][0]["address"], format!("{recipient:#x}"));
    assert_eq!(list["withdrawalAllowlist"][0]["label"], "cold wallet");

    // Runbook "Check user's withdrawal allowlist", as an operator pastes it.
    let sql = format!(
        "SELECT wa.address, wa.label, wa.created_at FROM withdrawal_allowlists wa
         JOIN safe_automations sa ON wa.safe_automation_id = sa.id WHERE sa.user_id = '{}'",
        follower.user_id
    );
    let rows = rig.stack.app.db.query(&sql, &[]).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<_, Option<String>>(1).as_deref(), Some("cold wallet"));

    let relabelled = route(&rig, &follower, "POST", LIST, json!({ "address": recipient, "label": "ledger" })).await;
    assert_eq!(relabelled.status, 200, "{}", text(&relabelled));
    assert_eq!(relabelled.json()["ownerTransaction"], Value::Null, "a new label is Mirror's alone");

    let path = format!("{LIST}/{recipient:#x}");
    let removed = route(&rig, &follower, "DELETE", &path, Value::Null).await;
    assert_eq!(removed.status, 202, "{}", text(&removed));
    let now = route(&rig, &follower, "GET", LIST, Value::Null).await.json();
    assert_eq!(now["withdrawalAllowlist"], json!([]), "out of Mirror at once");
    until_settled(&rig, &follower).await;
    assert!(!listed_on_chain(&rig, safe, recipient).await, "and off the chain");
    assert_eq!(route(&rig, &follower, "DELETE", &path, Value::Null).await.status, 404);
}

#[tokio::test]
async fn bad_allowlist_requests_are_refused_naming_the_field_and_change_nothing() {
    let rig = AccountRig::start(&[]).await;
    let follower = rig.stack.follower(0).await;
    let safe = owned_safe(&rig, &follower, &random_key(), SafeVersion::V141).await;
    enable(&rig, &follower, Value::Null).await;
    let early = route(&rig, &follower, "POST", LIST, json!({ "address": Address::repeat_byte(1) })).await;
    assert_eq!(early.status, 409, "the module is not installed: {}", text(&early));
    let long = "x".repeat(101);
    let bearer = follower.user.bearer();
    let cases: Vec<(&str, String, String, u16, &str)> = vec![
        ("POST", LIST.into(), json!({ "address": "0x12" }).to_string(), 400, "address"),
        ("POST", LIST.into(), json!({ "address": Address::ZERO }).to_string(), 400, "address"),
        ("POST", LIST.into(), json!({ "address": safe }).to_string(), 400, "address"),
        ("POST", LIST.into(), json!({ "address": rig.module }).to_string(), 400, "address"),
        ("POST", LIST.into(), json!({ "label": "x" }).to_string(), 400, "address"),
        ("POST", LIST.into(), json!({ "address": Address::repeat_byte(1), "label": long }).to_string(), 400, "label"),
        ("POST", LIST.into(), json!({ "address": Address::repeat_byte(1), "limit": 1 }).to_string(), 400, "limit"),
        ("DELETE", format!("{LIST}/not-an-address"), String::new(), 400, "address"),
        ("PUT", LIST.into(), String::new(), 405, ""),
    ];
    for (method, path, body, status, names) in cases {
        let headers = [("authorization", bearer.as_str()), ("content-type", "application/json")];
        let reply = rig.stack.app.request(method, &path, &headers, body.as_bytes()).await;
        assert_eq!(reply.status, status, "{method} {path} {body}: {}", text(&reply));
        assert!(text(&reply).contains(names), "{} should name {names}", text(&reply));
    }
    assert_eq!(rig.stack.app.request("GET", LIST, &[], b"").await.status, 401);
    assert_eq!(rig.stack.count("SELECT count(*) FROM withdrawal_allowlists").await, 0);
    assert_eq!(rig.stack.count("SELECT count(*) FROM safe_owner_txs WHERE kind LIKE 'ALLOWLIST%'").await, 0);
}
