//! Safe automation's installation flow (runbook 000 "Module Installation Flow") on the real
//! components, the relayer sending to anvil, against real Safe 1.3.0 (Polymarket's, from the
//! factory) and 1.4.1 proxies with Mirror's AutomationModule deployed.

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::SolCall;
use mirror_core::automation_module::IAutomationModule::{getCallPermissionCall, isApprovedOperatorCall};
use mirror_core::safe_tx::{Operation, SafeTransaction};
use mirror_e2e::accounts::{call, sign, AccountRig};
use mirror_e2e::automation::{
    enable, module_enabled, owned_safe, proposed_hash, random_key, record_proxy, signature_hex, state, text,
    until_installed, SafeVersion,
};
use serde_json::{json, Value};

/// The module configuration the installation wrote, read back from the module.
async fn assert_configured(rig: &AccountRig, safe: Address) {
    for operator in rig.spenders.iter().chain(&rig.operators) {
        let data = isApprovedOperatorCall { safe, operator: *operator }.abi_encode();
        let bytes = call(&rig.chain, rig.module, data).await.unwrap();
        assert!(isApprovedOperatorCall::abi_decode_returns(&bytes).unwrap(), "{operator} is an approved operator");
    }
    let redeem = alloy_primitives::hex!("01b7037c");
    let entries = [
        (rig.contracts.ctf, redeem, false),
        (rig.operators[2], redeem, true),
        (rig.operators[3], redeem, true),
        (rig.spenders[2], alloy_primitives::hex!("dbeccb23"), true),
        (rig.contracts.collateral, alloy_primitives::hex!("a9059cbb"), false),
    ];
    for (target, selector, caller_bound) in entries {
        let data = getCallPermissionCall { safe, target, selector: selector.into() }.abi_encode();
        let bytes = call(&rig.chain, rig.module, data).await.unwrap();
        let permission = getCallPermissionCall::abi_decode_returns(&bytes).unwrap();
        assert_eq!((permission.allowed, permission.callerBound), (true, caller_bound), "{target} {selector:?}");
    }
    let (allowances, approved) = rig.approvals_on_chain(safe).await;
    assert!(allowances.iter().all(|a| *a == U256::MAX) && approved.iter().all(|a| *a), "approvals set");
}

#[tokio::test]
async fn an_owner_signature_installs_the_module_on_safe_130_and_141() {
    let rig = AccountRig::start(&[]).await;
    for version in [SafeVersion::V130, SafeVersion::V141] {
        let follower = rig.stack.follower(0).await;
        let owner_key = random_key();
        let safe = owned_safe(&rig, &follower, &owner_key, version).await;
        assert_eq!(state(&rig, &follower).await["status"], "NOT_STARTED");

        let proposal = enable(&rig, &follower, Value::Null).await;
        assert_eq!(proposal.status, 200, "{version:?}: {}", text(&proposal));
        let proposal = proposal.json();
        assert_eq!(
            (proposal["status"].as_str(), proposal["moduleInstalled"].as_bool()),
            (Some("AWAITING_SIGNATURE"), Some(false))
        );
        assert_eq!(
            proposal["ownerTransaction"]["owners"],
            json!([format!("{:#x}", Address::from_private_key(&owner_key))])
        );
        let hash = proposed_hash(&proposal);
        let installed: bool = rig
            .stack
            .app
            .db
            .query_one("SELECT module_installed FROM safe_automations WHERE user_id = $1", &[&follower.user_id])
            .await
            .unwrap()
            .get(0);
        assert!(!installed, "runbook step 2: the row exists with module_installed = false");

        let signature = signature_hex(&owner_key, hash);
        let body = json!({ "ownerSignature": signature, "safeTxHash": hash });
        let submitted = enable(&rig, &follower, body.clone()).await;
        assert_eq!(submitted.status, 202, "{version:?}: {}", text(&submitted));
        assert_eq!(submitted.json()["status"], "INSTALLING");
        assert!(!module_enabled(&rig, safe).await, "nothing on chain until the relayer sends it");
        assert_eq!(
            enable(&rig, &follower, body.clone()).await.status,
            202,
            "the same signature again: same transaction"
        );

        let done = until_installed(&rig, &follower).await;
        assert_eq!(done["status"], "INSTALLED", "{version:?}: {done}");
        assert_eq!(done["moduleInstalled"], true);
        assert!(done["installedAt"].is_string());
        assert_eq!(done["recentOwnerTransactions"][0]["status"], "CONFIRMED", "{done}");
        assert_eq!(done["ownerTransaction"], Value::Null);
        assert!(module_enabled(&rig, safe).await, "{version:?}: isModuleEnabled");
        assert_configured(&rig, safe).await;

        let replayed = enable(&rig, &follower, body).await;
        assert_eq!(replayed.status, 400, "{}", text(&replayed));
        assert_eq!(replayed.json()["error"]["code"], "SIGNATURE_ERROR");
    }
    let rows = rig.stack.count("SELECT count(*) FROM relayer_txs WHERE kind = 'SAFE_TX'").await;
    assert_eq!(rows, 2, "one installation transaction per Safe");
    assert_eq!(
        rig.stack
            .count("SELECT count(*) FROM safe_automations WHERE module_installed AND installed_at IS NOT NULL")
            .await,
        2
    );
}

#[tokio::test]
async fn sign_with_authority_installs_on_the_authoritys_own_safe_once_however_many_calls_race() {
    let rig = AccountRig::start(&[]).await;
    // Safe 1.3.0 from account setup, owned by the trading authority.
    let follower = rig.stack.follower(0).await;
    let safe = rig.until_ready(&follower).await["safeAddress"].as_str().unwrap().parse::<Address>().unwrap();
    let before = rig.stack.count("SELECT count(*) FROM signing_requests WHERE purpose = 'SAFE_TX'").await;
    let replies =
        futures::future::join_all((0..6).map(|_| enable(&rig, &follower, json!({ "signWithAuthority": true })))).await;
    for reply in &replies {
        assert_eq!(reply.status, 202, "{}", text(reply));
    }
    let signed = rig.stack.count("SELECT count(*) FROM signing_requests WHERE purpose = 'SAFE_TX'").await;
    assert_eq!(signed - before, 1, "racing calls sign once");
    assert_eq!(until_installed(&rig, &follower).await["status"], "INSTALLED");
    assert!(module_enabled(&rig, safe).await);
    assert_configured(&rig, safe).await;

    // A Safe 1.4.1 the authority owns.
    let other = rig.stack.follower(0).await;
    let safe = rig.chain.deploy_safe(other.address).await;
    record_proxy(&rig, &other, safe).await;
    let reply = enable(&rig, &other, json!({ "signWithAuthority": true })).await;
    assert_eq!(reply.status, 202, "{}", text(&reply));
    assert_eq!(until_installed(&rig, &other).await["status"], "INSTALLED");
    assert!(module_enabled(&rig, safe).await);
    let installs = "SELECT count(*) FROM safe_owner_txs WHERE kind = 'INSTALL_MODULE' AND status = 'CONFIRMED'";
    assert_eq!(rig.stack.count(installs).await, 2);
}

#[tokio::test]
async fn a_wrong_owner_a_wrong_hash_or_a_replayed_signature_is_a_signature_error_and_records_nothing() {
    let rig = AccountRig::start(&[]).await;
    let follower = rig.stack.follower(0).await;
    let owner_key = random_key();
    let safe = owned_safe(&rig, &follower, &owner_key, SafeVersion::V130).await;
    let proposal = enable(&rig, &follower, Value::Null).await.json();
    let hash = proposed_hash(&proposal);
    let stranger = random_key();
    // The same installation at the next nonce: what an old signature for another nonce looks like.
    let data: Bytes = proposal["ownerTransaction"]["safeTx"]["data"].as_str().unwrap().parse().unwrap();
    let next_nonce = SafeTransaction {
        safe,
        to: rig.contracts.multisend,
        data,
        operation: Operation::DelegateCall,
        nonce: U256::from(1),
    };
    assert_eq!(
        SafeTransaction { nonce: U256::ZERO, ..next_nonce.clone() }.hash(137),
        hash,
        "the proposal is this SafeTx"
    );
    let cases = [
        ("a stranger's signature", json!({ "ownerSignature": signature_hex(&stranger, hash) })),
        (
            "the owner's, naming another hash",
            json!({ "ownerSignature": signature_hex(&owner_key, hash), "safeTxHash": B256::repeat_byte(7) }),
        ),
        (
            "the owner's over another nonce",
            json!({ "ownerSignature": signature_hex(&owner_key, next_nonce.hash(137)) }),
        ),
        (
            "the owner's over the hash of another chain",
            json!({ "ownerSignature": signature_hex(&owner_key, next_nonce.hash(80002)) }),
        ),
    ];
    for (what, body) in cases {
        let reply = enable(&rig, &follower, body).await;
        assert_eq!(reply.status, 400, "{what}: {}", text(&reply));
        assert_eq!(reply.json()["error"]["code"], "SIGNATURE_ERROR", "{what}");
    }
    // signWithAuthority where the authority is not the owner: refused before anything is signed.
    let reply = enable(&rig, &follower, json!({ "signWithAuthority": true })).await;
    assert_eq!(reply.status, 403, "{}", text(&reply));
    assert_eq!(rig.stack.count("SELECT count(*) FROM relayer_txs").await, 0);
    assert_eq!(rig.stack.count("SELECT count(*) FROM signing_requests WHERE purpose = 'SAFE_TX'").await, 0);
    assert_eq!(rig.stack.count("SELECT count(*) FROM safe_owner_txs WHERE owner_signature IS NOT NULL").await, 0);

    // A signature for another user's Safe is not this Safe's.
    let other = rig.stack.follower(0).await;
    let other_key = random_key();
    owned_safe(&rig, &other, &other_key, SafeVersion::V141).await;
    let other_hash = proposed_hash(&enable(&rig, &other, Value::Null).await.json());
    let reply = enable(&rig, &follower, json!({ "ownerSignature": signature_hex(&other_key, other_hash) })).await;
    assert_eq!((reply.status, reply.json()["error"]["code"].as_str()), (400, Some("SIGNATURE_ERROR")));
    assert_eq!(rig.stack.count("SELECT count(*) FROM relayer_txs").await, 0);
}

#[tokio::test]
async fn an_installation_that_fails_on_chain_is_recorded_and_a_new_signature_installs() {
    // One attempt: a preflight that reverts fails the relayer row at once instead of backing off.
    let rig = AccountRig::start(&[("relayer_max_attempts", "1")]).await;
    let follower = rig.stack.follower(0).await;
    let owner_key = random_key();
    let safe = owned_safe(&rig, &follower, &owner_key, SafeVersion::V141).await;
    let hash = proposed_hash(&enable(&rig, &follower, Value::Null).await.json());
    let reply = enable(&rig, &follower, json!({ "ownerSignature": signature_hex(&owner_key, hash) })).await;
    assert_eq!(reply.status, 202, "{}", text(&reply));
    // Before the relayer sends it, the owner spends nonce 0 on something else from their wallet.
    let other = SafeTransaction { safe, to: safe, data: Bytes::new(), operation: Operation::Call, nonce: U256::ZERO };
    let exec = other.exec_call(sign(&owner_key, other.hash(137)).as_bytes().as_slice());
    rig.chain.send(json!({ "from": rig.chain.deployer(), "to": safe, "data": exec, "gas": "0x100000" })).await;

    let failed = until_installed(&rig, &follower).await;
    assert_eq!(
        (failed["status"].as_str(), failed["moduleInstalled"].as_bool()),
        (Some("NOT_STARTED"), Some(false)),
        "{failed}"
    );
    let attempt = &failed["recentOwnerTransactions"][0];
    assert_eq!((attempt["kind"].as_str(), attempt["status"].as_str()), (Some("INSTALL_MODULE"), Some("FAILED")));
    assert!(attempt["error"].as_str().unwrap_or_default().contains("GS026"), "the Safe's reason: {attempt}");
    assert!(!module_enabled(&rig, safe).await);

    let proposal = enable(&rig, &follower, Value::Null).await.json();
    assert_eq!(proposal["ownerTransaction"]["safeTx"]["nonce"], "1", "proposed at the Safe's new nonce");
    let hash = proposed_hash(&proposal);
    let reply = enable(&rig, &follower, json!({ "ownerSignature": signature_hex(&owner_key, hash) })).await;
    assert_eq!(reply.status, 202, "{}", text(&reply));
    assert_eq!(until_installed(&rig, &follower).await["status"], "INSTALLED");
    assert!(module_enabled(&rig, safe).await);
    let keys = "SELECT count(DISTINCT idempotency_key) FROM relayer_txs WHERE idempotency_key LIKE 'safe-owner-tx:%'";
    assert_eq!(rig.stack.count(keys).await, 2, "the second attempt is a new transaction");
}

#[tokio::test]
async fn bad_enable_requests_are_refused_naming_the_field_and_change_nothing() {
    let rig = AccountRig::start(&[]).await;
    let follower = rig.stack.follower(0).await;
    let bearer = follower.user.bearer();
    let no_safe = enable(&rig, &follower, Value::Null).await;
    assert_eq!(no_safe.status, 409, "no Safe yet: {}", text(&no_safe));
    assert!(text(&no_safe).contains("/me/trading-account"));
    let owner_key = random_key();
    owned_safe(&rig, &follower, &owner_key, SafeVersion::V141).await;
    let sixty_five = format!("0x{}", "ab".repeat(65));
    let cases: Vec<(&str, &str, String, u16, &str)> = vec![
        ("POST", "/safe-automation/enable", json!({ "ownerSignature": "0x1234" }).to_string(), 400, "ownerSignature"),
        ("POST", "/safe-automation/enable", json!({ "ownerSignature": "nothex" }).to_string(), 400, "ownerSignature"),
        ("POST", "/safe-automation/enable", json!({ "ownerSignature": 7 }).to_string(), 400, "ownerSignature"),
        (
            "POST",
            "/safe-automation/enable",
            json!({ "ownerSignature": sixty_five, "signWithAuthority": true }).to_string(),
            400,
            "signWithAuthority",
        ),
        (
            "POST",
            "/safe-automation/enable",
            json!({ "safeTxHash": format!("{:#x}", B256::ZERO) }).to_string(),
            400,
            "safeTxHash",
        ),
        (
            "POST",
            "/safe-automation/enable",
            json!({ "ownerSignature": sixty_five, "safeTxHash": "0x12" }).to_string(),
            400,
            "safeTxHash",
        ),
        (
            "POST",
            "/safe-automation/enable",
            json!({ "signWithAuthority": "yes" }).to_string(),
            400,
            "signWithAuthority",
        ),
        ("POST", "/safe-automation/enable", json!({ "module": "0x01" }).to_string(), 400, "module"),
        ("POST", "/safe-automation/enable", "[]".into(), 400, "JSON object"),
        ("POST", "/safe-automation/enable?force=1", String::new(), 400, "force"),
        ("GET", "/safe-automation/enable", String::new(), 405, ""),
        ("POST", "/safe-automation", String::new(), 405, ""),
        ("GET", "/safe-automation/nothing", String::new(), 404, ""),
    ];
    for (method, path, body, status, names) in cases {
        let headers = [("authorization", bearer.as_str()), ("content-type", "application/json")];
        let reply = rig.stack.app.request(method, path, &headers, body.as_bytes()).await;
        assert_eq!(reply.status, status, "{method} {path} {body}: {}", text(&reply));
        assert!(text(&reply).contains(names), "{} should name {names}", text(&reply));
    }
    let anonymous = rig.stack.app.request("POST", "/safe-automation/enable", &[], b"").await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(rig.stack.count("SELECT count(*) FROM safe_automations").await, 0);
    assert_eq!(rig.stack.count("SELECT count(*) FROM relayer_txs").await, 0);
}
