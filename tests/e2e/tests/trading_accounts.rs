//! Trading account setup against the real contracts on anvil: Polymarket's Safe factory (the
//! stand-in with Polymarket's published rules) creating a Safe 1.3.0 from the owner's signed
//! `CreateProxy`, exactly where Mirror derives it.

use alloy_primitives::{Address, U256};
use alloy_sol_types::{sol, SolCall};
use k256::ecdsa::SigningKey;
use mirror_core::orders::SafeFactory;
use mirror_e2e::accounts::{call, code, sign, AccountRig};
use mirror_e2e::copy::USD;
use mirror_fakes::polymarket::BalanceAsset;
use mirror_fakes::LocalChain;
use serde_json::{json, Value};

sol! {
    function computeProxyAddress(address user) returns (address);
    function getOwners() returns (address[]);
    function getThreshold() returns (uint256);
    function VERSION() returns (string);
}

#[tokio::test]
async fn the_factory_creates_the_owners_safe_130_where_mirror_derives_it_from_a_signed_create_proxy() {
    let chain = LocalChain::start().await;
    let (address, init_code_hash) = chain.polymarket_factory();
    let factory = SafeFactory { address, init_code_hash };
    let key = SigningKey::from_slice(&[0x42; 32]).unwrap();
    let owner = Address::from_private_key(&key);
    let derived = factory.safe_of(owner);

    let on_chain = call(&chain, address, computeProxyAddressCall { user: owner }.abi_encode()).await.unwrap();
    assert_eq!(computeProxyAddressCall::abi_decode_returns(&on_chain).unwrap(), derived, "the factory agrees");
    assert!(code(&chain, derived).await.is_empty(), "nothing there yet");

    let signature = sign(&key, factory.create_proxy_hash(137));
    let data = SafeFactory::create_proxy_call(&signature);
    // Anyone may submit the owner's signature: here the dev account, in Mirror the relayer.
    chain.send(json!({ "from": chain.deployer(), "to": address, "data": data, "gas": "0x1000000" })).await;

    assert!(!code(&chain, derived).await.is_empty(), "the Safe is at the derived address");
    let owners = call(&chain, derived, getOwnersCall {}.abi_encode()).await.unwrap();
    assert_eq!(getOwnersCall::abi_decode_returns(&owners).unwrap(), vec![owner]);
    let threshold = call(&chain, derived, getThresholdCall {}.abi_encode()).await.unwrap();
    assert_eq!(getThresholdCall::abi_decode_returns(&threshold).unwrap(), alloy_primitives::U256::from(1));
    let version = call(&chain, derived, VERSIONCall {}.abi_encode()).await.unwrap();
    assert_eq!(VERSIONCall::abi_decode_returns(&version).unwrap(), "1.3.0", "Safe 1.3.0, as Polymarket runs it");

    // A second creation reverts (CREATE2 cannot redeploy): setup must adopt an existing Safe.
    let again = json!({ "from": chain.deployer(), "to": address, "data": SafeFactory::create_proxy_call(&signature) });
    assert!(chain.anvil().rpc("eth_estimateGas", json!([again])).await.is_err());
}

#[tokio::test]
async fn a_create_proxy_signed_for_another_chain_or_factory_makes_someone_elses_safe() {
    let chain = LocalChain::start().await;
    let (address, init_code_hash) = chain.polymarket_factory();
    let factory = SafeFactory { address, init_code_hash };
    let key = SigningKey::from_slice(&[0x43; 32]).unwrap();
    let owner = Address::from_private_key(&key);
    for digest in [factory.create_proxy_hash(80002), SafeFactory::POLYGON.create_proxy_hash(137)] {
        let data = SafeFactory::create_proxy_call(&sign(&key, digest));
        chain.send(json!({ "from": chain.deployer(), "to": address, "data": data, "gas": "0x1000000" })).await;
        assert!(code(&chain, factory.safe_of(owner)).await.is_empty(), "the owner's Safe was not created");
    }
}

// ---------------------------------------------------------------------------------------------
// POST /me/trading-account on the real components, the relayer sending to anvil
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_brand_new_user_gets_a_safe_with_its_approvals_and_then_copies_as_the_safe_with_type_2() {
    let rig = AccountRig::start(&[]).await;
    let follower = rig.stack.follower(0).await;
    let me = rig.stack.user_request(&follower, "GET", "/me", &Value::Null).await.json();
    assert_eq!(me["tradingAccount"], Value::Null, "no setup yet");
    let (factory, init_code_hash) = rig.chain.polymarket_factory();
    let safe = SafeFactory { address: factory, init_code_hash }.safe_of(follower.address);

    let first = rig.setup(&follower).await;
    assert_eq!(first.status, 202, "{}", String::from_utf8_lossy(&first.body));
    let first = first.json();
    assert_eq!(
        (first["status"].as_str(), first["safeAddress"].as_str()),
        (Some("DEPLOYING"), Some(&*format!("{safe:#x}")))
    );
    assert_eq!(first["deployTransaction"]["status"], "PENDING");
    assert!(code(&rig.chain, safe).await.is_empty(), "nothing is deployed until the relayer sends it");

    let ready = rig.until_ready(&follower).await;
    assert_eq!(ready["status"], "READY");
    assert_eq!(ready["adopted"], false);
    assert_eq!(ready["deployTransaction"]["status"], "CONFIRMED");
    assert_eq!(ready["approvalsTransaction"]["status"], "CONFIRMED");
    let owners = call(&rig.chain, safe, getOwnersCall {}.abi_encode()).await.unwrap();
    assert_eq!(getOwnersCall::abi_decode_returns(&owners).unwrap(), vec![follower.address]);
    let (allowances, approved) = rig.approvals_on_chain(safe).await;
    assert!(allowances.iter().all(|a| *a == U256::MAX), "pUSD approved to every spender: {allowances:?}");
    assert!(approved.iter().all(|a| *a), "CTF approved for every operator: {approved:?}");
    let me = rig.stack.user_request(&follower, "GET", "/me", &Value::Null).await.json();
    assert_eq!(me["tradingAccount"], json!({ "status": "READY", "safeAddress": format!("{safe:#x}") }));
    let proxy: String = rig
        .stack
        .app
        .db
        .query_one("SELECT address || ' ' || proxy_type FROM wallets WHERE type = 'PROXY'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(proxy, format!("{safe:#x} SAFE"));
    let kinds = rig.stack.count("SELECT count(*) FROM relayer_txs WHERE kind IN ('SAFE_CREATE', 'SAFE_TX')").await;
    assert_eq!(kinds, 2, "one createProxy, one approvals MultiSend");
    assert_eq!(rig.setup(&follower).await.status, 200, "calling again once READY changes nothing");
    assert_eq!(rig.stack.count("SELECT count(*) FROM relayer_txs").await, 2);

    // The Safe trades: a copied fill is accepted as type 2 (maker = the Safe, signer = the authority).
    rig.stack.polymarket.set_balance(safe, BalanceAsset::Collateral, 1_000 * USD);
    rig.stack.follow(&follower, json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "26" })).await;
    rig.stack.polymarket.push_trade(rig.stack.trade("BUY", "100", "0.52"));
    rig.stack.tick().await;
    let accepted = rig.stack.polymarket.accepted_orders();
    assert_eq!(accepted.len(), 1, "rejected: {:?}", rig.stack.polymarket.rejected());
    assert_eq!((accepted[0].maker, accepted[0].signer, accepted[0].signature_type), (safe, follower.address, 2));
}

#[tokio::test]
async fn racing_setup_calls_deploy_once_and_approve_once() {
    let rig = AccountRig::start(&[]).await;
    let follower = rig.stack.follower(0).await;
    let replies = futures::future::join_all((0..8).map(|_| rig.setup(&follower))).await;
    for reply in &replies {
        assert_eq!(reply.status, 202, "{}", String::from_utf8_lossy(&reply.body));
    }
    assert_eq!(rig.stack.count("SELECT count(*) FROM relayer_txs WHERE kind = 'SAFE_CREATE'").await, 1);
    rig.relayer_tick().await;
    rig.relayer_tick().await;
    let replies = futures::future::join_all((0..8).map(|_| rig.setup(&follower))).await;
    assert!(replies.iter().all(|r| r.status == 202), "{:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    assert_eq!(rig.until_ready(&follower).await["status"], "READY");
    for (kind, purpose) in [("SAFE_CREATE", "SAFE_CREATE"), ("SAFE_TX", "SAFE_TX")] {
        let rows = rig.stack.count(&format!("SELECT count(*) FROM relayer_txs WHERE kind = '{kind}'")).await;
        let signed =
            rig.stack.count(&format!("SELECT count(*) FROM signing_requests WHERE purpose = '{purpose}'")).await;
        assert_eq!((rows, signed), (1, 1), "{kind}: one transaction, one signature");
    }
}

#[tokio::test]
async fn a_chain_outage_mid_setup_resumes_where_it_stopped() {
    let rig = AccountRig::start(&[]).await;
    let follower = rig.stack.follower(0).await;
    assert_eq!(rig.setup(&follower).await.status, 202);
    rig.proxy.go_down().await;
    rig.relayer_tick().await;
    let during = rig.setup(&follower).await;
    assert!(matches!(during.status, 202 | 503), "{}", String::from_utf8_lossy(&during.body));
    rig.proxy.come_back().await;
    rig.relayer_tick().await;
    rig.relayer_tick().await;
    // Deployed; the approvals step meets the outage before it signs anything.
    rig.proxy.go_down().await;
    let during = rig.setup(&follower).await;
    assert_eq!(during.status, 503, "{}", String::from_utf8_lossy(&during.body));
    assert!(during.json()["error"]["message"].as_str().unwrap_or_default().contains("RPC"), "{:?}", during.json());
    rig.proxy.come_back().await;
    assert_eq!(rig.until_ready(&follower).await["status"], "READY");
    assert_eq!(rig.stack.count("SELECT count(*) FROM relayer_txs").await, 2, "no step was sent twice");
    assert_eq!(
        rig.stack.count("SELECT count(*) FROM signing_requests WHERE purpose IN ('SAFE_CREATE', 'SAFE_TX')").await,
        2
    );
}

#[tokio::test]
async fn a_safe_already_on_chain_is_adopted_not_redeployed() {
    let rig = AccountRig::start(&[]).await;
    let follower = rig.stack.follower(0).await;
    rig.until_ready(&follower).await;
    // The account forgets its setup (a restored database, say); the chain still has the Safe.
    let db = &rig.stack.app.db;
    db.execute("DELETE FROM trading_accounts", &[]).await.unwrap();
    db.execute("DELETE FROM wallets WHERE type = 'PROXY'", &[]).await.unwrap();
    let again = rig.setup(&follower).await;
    assert_eq!(again.status, 200, "{}", String::from_utf8_lossy(&again.body));
    assert_eq!((again.json()["status"].as_str(), again.json()["adopted"].as_bool()), (Some("READY"), Some(true)));
    assert_eq!(rig.stack.count("SELECT count(*) FROM relayer_txs").await, 2, "nothing new was sent");
    assert_eq!(rig.stack.count("SELECT count(*) FROM wallets WHERE type = 'PROXY'").await, 1);
}

#[tokio::test]
async fn copy_trading_skips_an_account_whose_setup_has_not_finished_and_signs_nothing() {
    let rig = AccountRig::start(&[]).await;
    let follower = rig.stack.follower(1_000 * USD).await;
    assert_eq!(rig.setup(&follower).await.status, 202);
    rig.stack.follow(&follower, json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": "26" })).await;
    rig.stack.polymarket.push_trade(rig.stack.trade("BUY", "100", "0.52"));
    rig.stack.tick().await;
    let skipped = rig
        .stack
        .count("SELECT count(*) FROM copy_attempts WHERE status = 'SKIPPED' AND skip_reason = 'ACCOUNT_NOT_READY'")
        .await;
    assert_eq!(skipped, 1);
    assert_eq!(
        rig.stack.count("SELECT count(*) FROM signing_requests WHERE purpose IN ('ORDER', 'CLOB_AUTH')").await,
        0
    );
    assert!(rig.stack.polymarket.accepted_orders().is_empty());
}

#[tokio::test]
async fn bad_setup_requests_are_refused_naming_what_is_wrong_and_change_nothing() {
    let rig = AccountRig::start(&[]).await;
    let follower = rig.stack.follower(0).await;
    let bearer = follower.user.bearer();
    let cases: [(&str, &str, &[u8], u16, &str); 5] = [
        ("POST", "/me/trading-account", br#"{"safe":"0x01"}"#, 400, "safe"),
        ("POST", "/me/trading-account", b"[]", 400, "JSON object"),
        ("POST", "/me/trading-account", b"{not json", 400, ""),
        ("POST", "/me/trading-account?force=1", b"", 400, "force"),
        ("DELETE", "/me/trading-account", b"", 405, ""),
    ];
    for (method, path, body, status, names) in cases {
        let reply = rig
            .stack
            .app
            .request(method, path, &[("authorization", &bearer), ("content-type", "application/json")], body)
            .await;
        let text = String::from_utf8_lossy(&reply.body).to_string();
        assert_eq!(reply.status, status, "{method} {path} {}: {text}", String::from_utf8_lossy(body));
        assert!(text.contains(names), "{text} should name {names}");
    }
    let anonymous = rig.stack.app.request("POST", "/me/trading-account", &[], b"").await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(rig.stack.count("SELECT count(*) FROM trading_accounts").await, 0);
    assert_eq!(rig.stack.count("SELECT count(*) FROM relayer_txs").await, 0);
    assert_eq!(rig.stack.count("SELECT count(*) FROM signing_requests").await, 0);
}

#[tokio::test]
async fn without_a_relayer_key_setup_is_unavailable_naming_the_variable() {
    let rig = AccountRig::start(&[("relayer_private_key", "")]).await;
    let follower = rig.stack.follower(0).await;
    let reply = rig.setup(&follower).await;
    assert_eq!(reply.status, 503, "{}", String::from_utf8_lossy(&reply.body));
    assert!(String::from_utf8_lossy(&reply.body).contains("relayer_private_key"));
    assert_eq!(rig.stack.count("SELECT count(*) FROM trading_accounts").await, 0);
}
