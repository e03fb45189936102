//! Session keys (runbook 000 "Session Key Lifecycle", "Key Lifecycle", "Session Key Compromise")
//! on the real components: generated in the component, sealed in `session_keys`, registered and
//! revoked on chain through owner transactions on Safes with the AutomationModule installed.

use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use k256::ecdsa::SigningKey;
use mirror_core::automation_module::IAutomationModule::{getSessionKeyCall, getSessionKeyReturn};
use mirror_e2e::accounts::{call, AccountRig};
use mirror_e2e::automation::{
    enable, installed_with_authority, owned_safe, proposed_hash, random_key, signature_hex, text, until_installed,
    until_settled, SafeVersion,
};
use mirror_e2e::copy::Follower;
use mirror_e2e::Reply;
use serde_json::{json, Value};

async fn keys_route(rig: &AccountRig, follower: &Follower, method: &str, path: &str, body: Value) -> Reply {
    rig.stack.user_request(follower, method, path, &body).await
}

async fn on_chain(rig: &AccountRig, safe: Address, key: Address) -> getSessionKeyReturn {
    let bytes = call(&rig.chain, rig.module, getSessionKeyCall { safe, key }.abi_encode()).await.unwrap();
    getSessionKeyCall::abi_decode_returns(&bytes).unwrap()
}

async fn listed(rig: &AccountRig, follower: &Follower) -> Vec<Value> {
    let reply = keys_route(rig, follower, "GET", "/safe-automation/session-keys", Value::Null).await;
    assert_eq!(reply.status, 200, "{}", text(&reply));
    reply.json()["sessionKeys"].as_array().unwrap().clone()
}

/// The owner's signature for the open owner transaction a reply carries, sent back.
async fn sign_returned(rig: &AccountRig, follower: &Follower, owner_key: &SigningKey, reply: &Value) -> Reply {
    let otx = &reply["ownerTransaction"];
    assert_eq!(otx["status"], "AWAITING_SIGNATURE", "{reply}");
    let hash = proposed_hash(&json!({ "ownerTransaction": otx }));
    let path = format!("/safe-automation/owner-transactions/{}", otx["id"].as_str().unwrap());
    keys_route(rig, follower, "POST", &path, json!({ "ownerSignature": signature_hex(owner_key, hash) })).await
}

#[tokio::test]
async fn a_key_is_sealed_registered_with_the_runbook_defaults_and_revoked_on_chain() {
    let rig = AccountRig::start(&[]).await;
    let (follower, safe) = installed_with_authority(&rig).await;

    let reply = keys_route(&rig, &follower, "POST", "/safe-automation/session-keys", Value::Null).await;
    assert_eq!(reply.status, 202, "the authority owns the Safe and signs: {}", text(&reply));
    let key = reply.json()["sessionKey"].clone();
    assert_eq!(key["status"], "PENDING", "not ACTIVE before the chain shows it");
    assert!(!text(&reply).contains("enc"), "no sealed or private key in the answer");
    let id = key["id"].as_str().unwrap().to_string();
    let address: Address = key["address"].as_str().unwrap().parse().unwrap();
    until_settled(&rig, &follower).await;

    let keys = listed(&rig, &follower).await;
    assert_eq!(keys.len(), 1);
    assert_eq!(
        (keys[0]["status"].as_str(), keys[0]["maxNotionalPerTrade"].as_str(), keys[0]["maxNotionalPerDay"].as_str()),
        (Some("ACTIVE"), Some("100"), Some("1000"))
    );
    assert_eq!(keys[0]["maxTxPerHour"], 60);
    assert!(keys[0]["registeredTxHash"].is_string());
    let chain = on_chain(&rig, safe, address).await;
    assert_eq!(
        (chain.maxNotionalPerTrade, chain.maxNotionalPerDay, chain.maxTxPerHour, chain.revoked),
        (U256::from(100_000_000u64), U256::from(1_000_000_000u64), U256::from(60), false)
    );
    let db = &rig.stack.app.db;
    let expires: i64 = db
        .query_one(
            "SELECT extract(epoch FROM expires_at)::int8 - extract(epoch FROM created_at)::int8 FROM session_keys",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!((604_790..=604_800).contains(&expires), "TTL 7 days: {expires}");
    let valid_until: i64 =
        db.query_one("SELECT extract(epoch FROM expires_at)::int8 FROM session_keys", &[]).await.unwrap().get(0);
    assert_eq!(chain.validUntil, U256::from(valid_until as u64), "the chain's expiry is the row's");

    // The sealed key opens only under the encryption key and its own row id, to the key registered.
    let sealed: Vec<u8> = db.query_one("SELECT enc_private_key FROM session_keys", &[]).await.unwrap().get(0);
    let encryption_key = &rig.stack.app.variables["trading_key_encryption_key"];
    let secret = mirror_core::sealed::open(encryption_key, &id, &sealed).expect("opens with its identity");
    assert_eq!(Address::from_private_key(&SigningKey::from_slice(&secret).unwrap()), address);
    assert!(mirror_core::sealed::open(encryption_key, "another-row", &sealed).is_err());
    let version: i32 = db.query_one("SELECT key_version FROM session_keys", &[]).await.unwrap().get(0);
    assert_eq!(version, 1);

    // Runbook: "Active session keys per user".
    let active = rig
        .stack
        .count(
            "SELECT count(*) FROM (SELECT u.email, sk.id, sk.address, sk.status, sk.expires_at
             FROM session_keys sk JOIN safe_automations sa ON sk.safe_automation_id = sa.id
             JOIN users u ON sa.user_id = u.id WHERE sk.status = 'ACTIVE' ORDER BY sk.expires_at) q",
        )
        .await;
    assert_eq!(active, 1);

    let path = format!("/safe-automation/session-keys/{id}");
    let revoked = keys_route(&rig, &follower, "DELETE", &path, Value::Null).await;
    assert_eq!(revoked.status, 202, "{}", text(&revoked));
    assert_eq!(revoked.json()["sessionKey"]["status"], "REVOKED", "revoked in Mirror at once");
    let audit = rig.stack.count("SELECT count(*) FROM audit_logs WHERE action = 'SESSION_KEY_REVOKED'").await;
    assert_eq!(audit, 1);
    until_settled(&rig, &follower).await;
    assert!(on_chain(&rig, safe, address).await.revoked, "and on chain");
    assert!(listed(&rig, &follower).await[0]["revokedTxHash"].is_string());
    let again = keys_route(&rig, &follower, "DELETE", &path, Value::Null).await;
    assert_eq!(again.status, 200, "{}", text(&again));
    assert_eq!(again.json()["ownerTransaction"], Value::Null, "nothing more to send");
    assert_eq!(rig.stack.count("SELECT count(*) FROM audit_logs WHERE action = 'SESSION_KEY_REVOKED'").await, 1);
    let owner_txs = "SELECT count(*) FROM safe_owner_txs WHERE status = 'CONFIRMED'";
    assert_eq!(rig.stack.count(owner_txs).await, 3, "install, register, revoke");
}

#[tokio::test]
async fn an_outside_owner_signs_what_is_returned_and_the_runbooks_sql_revoke_is_carried_on_chain() {
    let rig = AccountRig::start(&[]).await;
    let follower = rig.stack.follower(0).await;
    let owner_key = random_key();
    let safe = owned_safe(&rig, &follower, &owner_key, SafeVersion::V141).await;
    let hash = proposed_hash(&enable(&rig, &follower, Value::Null).await.json());
    assert_eq!(enable(&rig, &follower, json!({ "ownerSignature": signature_hex(&owner_key, hash) })).await.status, 202);
    assert_eq!(until_installed(&rig, &follower).await["status"], "INSTALLED");

    let body = json!({ "ttlSeconds": 3600, "maxNotionalPerTrade": "2.5", "maxNotionalPerDay": 10, "maxTxPerHour": 5 });
    let reply = keys_route(&rig, &follower, "POST", "/safe-automation/session-keys", body).await;
    assert_eq!(reply.status, 200, "returned for the owner to sign: {}", text(&reply));
    let reply = reply.json();
    let id = reply["sessionKey"]["id"].as_str().unwrap().to_string();
    let address: Address = reply["sessionKey"]["address"].as_str().unwrap().parse().unwrap();
    let stranger = sign_returned(&rig, &follower, &random_key(), &reply).await;
    assert_eq!((stranger.status, stranger.json()["error"]["code"].as_str()), (400, Some("SIGNATURE_ERROR")));
    let signed = sign_returned(&rig, &follower, &owner_key, &reply).await;
    assert_eq!(signed.status, 202, "{}", text(&signed));
    until_settled(&rig, &follower).await;
    let chain = on_chain(&rig, safe, address).await;
    assert_eq!(
        (chain.maxNotionalPerTrade, chain.maxNotionalPerDay, chain.maxTxPerHour, chain.revoked),
        (U256::from(2_500_000u64), U256::from(10_000_000u64), U256::from(5), false)
    );
    assert_eq!(listed(&rig, &follower).await[0]["status"], "ACTIVE");

    // Runbook "Session Key Compromise" step 2, then the route for the on-chain part (step 3).
    rig.stack
        .app
        .db
        .execute("UPDATE session_keys SET status = 'REVOKED', revoked_at = NOW() WHERE id = $1", &[&id])
        .await
        .unwrap();
    let reply =
        keys_route(&rig, &follower, "DELETE", &format!("/safe-automation/session-keys/{id}"), Value::Null).await;
    assert_eq!(reply.status, 200, "{}", text(&reply));
    let reply = reply.json();
    assert_eq!(reply["ownerTransaction"]["kind"], "REVOKE_SESSION_KEY");
    assert_eq!(sign_returned(&rig, &follower, &owner_key, &reply).await.status, 202);
    until_settled(&rig, &follower).await;
    assert!(on_chain(&rig, safe, address).await.revoked);
}

#[tokio::test]
async fn an_unsigned_registration_replaced_by_another_leaves_no_key_behind() {
    let rig = AccountRig::start(&[]).await;
    let follower = rig.stack.follower(0).await;
    let owner_key = random_key();
    owned_safe(&rig, &follower, &owner_key, SafeVersion::V130).await;
    let hash = proposed_hash(&enable(&rig, &follower, Value::Null).await.json());
    enable(&rig, &follower, json!({ "ownerSignature": signature_hex(&owner_key, hash) })).await;
    until_installed(&rig, &follower).await;
    let first = keys_route(&rig, &follower, "POST", "/safe-automation/session-keys", Value::Null).await.json();
    let second = keys_route(&rig, &follower, "POST", "/safe-automation/session-keys", Value::Null).await.json();
    let keys = listed(&rig, &follower).await;
    assert_eq!(keys.len(), 1, "the first key, never registered, is gone with its private key: {keys:?}");
    assert_eq!(keys[0]["id"], second["sessionKey"]["id"]);
    let superseded = sign_returned(&rig, &follower, &owner_key, &first).await;
    assert_eq!(superseded.status, 400, "{}", text(&superseded));
    assert_eq!(sign_returned(&rig, &follower, &owner_key, &second).await.status, 202);
    until_settled(&rig, &follower).await;
    assert_eq!(listed(&rig, &follower).await[0]["status"], "ACTIVE");
}

#[tokio::test]
async fn bad_session_key_requests_are_refused_naming_the_field_and_change_nothing() {
    let rig = AccountRig::start(&[]).await;
    let follower = rig.stack.follower(0).await;
    let owner_key = random_key();
    owned_safe(&rig, &follower, &owner_key, SafeVersion::V141).await;
    enable(&rig, &follower, Value::Null).await;
    let not_installed = keys_route(&rig, &follower, "POST", "/safe-automation/session-keys", Value::Null).await;
    assert_eq!(not_installed.status, 409, "{}", text(&not_installed));
    let bearer = follower.user.bearer();
    let cases: [(&str, &str, &str, u16, &str); 10] = [
        ("POST", "/safe-automation/session-keys", r#"{"ttlSeconds": 10}"#, 400, "ttlSeconds"),
        ("POST", "/safe-automation/session-keys", r#"{"ttlSeconds": "7d"}"#, 400, "ttlSeconds"),
        ("POST", "/safe-automation/session-keys", r#"{"maxNotionalPerTrade": "abc"}"#, 400, "maxNotionalPerTrade"),
        ("POST", "/safe-automation/session-keys", r#"{"maxNotionalPerTrade": "500"}"#, 400, "maxNotionalPerTrade"),
        ("POST", "/safe-automation/session-keys", r#"{"maxNotionalPerDay": "1.0000001"}"#, 400, "maxNotionalPerDay"),
        ("POST", "/safe-automation/session-keys", r#"{"maxTxPerHour": 1000}"#, 400, "maxTxPerHour"),
        ("POST", "/safe-automation/session-keys", r#"{"privateKey": "0x01"}"#, 400, "privateKey"),
        ("PUT", "/safe-automation/session-keys", "", 405, ""),
        ("DELETE", "/safe-automation/session-keys/no-such-key", "", 404, ""),
        ("POST", "/safe-automation/owner-transactions/nothing", r#"{"ownerSignature": "0x12"}"#, 400, "ownerSignature"),
    ];
    for (method, path, body, status, names) in cases {
        let headers = [("authorization", bearer.as_str()), ("content-type", "application/json")];
        let reply = rig.stack.app.request(method, path, &headers, body.as_bytes()).await;
        assert_eq!(reply.status, status, "{method} {path} {body}: {}", text(&reply));
        assert!(text(&reply).contains(names), "{} should name {names}", text(&reply));
    }
    assert_eq!(rig.stack.app.request("GET", "/safe-automation/session-keys", &[], b"").await.status, 401);
    assert_eq!(rig.stack.count("SELECT count(*) FROM session_keys").await, 0);
    assert_eq!(rig.stack.count("SELECT count(*) FROM relayer_txs").await, 0);
}
