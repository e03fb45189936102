//! Safe automation helpers for the suites: Safes owned by a test key (1.3.0 from the factory,
//! 1.4.1) recorded as a follower's PROXY wallet, the routes, and waiting for owner transactions.

use alloy_dyn_abi::TypedData;
use alloy_primitives::{Address, B256};
use alloy_sol_types::{sol, SolCall};
use k256::ecdsa::SigningKey;
use mirror_core::orders::SafeFactory;
use serde_json::{json, Value};

use crate::accounts::{call, sign, AccountRig};
use crate::copy::Follower;
use crate::Reply;

sol! {
    function isModuleEnabled(address module) returns (bool);
}

#[derive(Clone, Copy, Debug)]
pub enum SafeVersion {
    /// Polymarket's: created by the factory from the owner's signed CreateProxy.
    V130,
    V141,
}

/// A Safe owned by `owner_key` alone, recorded as the follower's PROXY wallet.
pub async fn owned_safe(
    rig: &AccountRig,
    follower: &Follower,
    owner_key: &SigningKey,
    version: SafeVersion,
) -> Address {
    let owner = Address::from_private_key(owner_key);
    let safe = match version {
        SafeVersion::V130 => {
            let (address, init_code_hash) = rig.chain.polymarket_factory();
            let factory = SafeFactory { address, init_code_hash };
            let data = SafeFactory::create_proxy_call(&sign(owner_key, factory.create_proxy_hash(137)));
            let create = json!({ "from": rig.chain.deployer(), "to": address, "data": data, "gas": "0x1000000" });
            rig.chain.send(create).await;
            factory.safe_of(owner)
        }
        SafeVersion::V141 => rig.chain.deploy_safe(owner).await,
    };
    record_proxy(rig, follower, safe).await;
    safe
}

pub async fn record_proxy(rig: &AccountRig, follower: &Follower, safe: Address) {
    rig.stack
        .app
        .db
        .execute(
            "INSERT INTO wallets (user_id, type, proxy_type, address) VALUES ($1, 'PROXY', 'SAFE', $2)",
            &[&follower.user_id, &format!("{safe:#x}")],
        )
        .await
        .unwrap();
}

pub async fn enable(rig: &AccountRig, follower: &Follower, body: Value) -> Reply {
    rig.stack.user_request(follower, "POST", "/safe-automation/enable", &body).await
}

pub async fn state(rig: &AccountRig, follower: &Follower) -> Value {
    let reply = rig.stack.user_request(follower, "GET", "/safe-automation", &Value::Null).await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()
}

pub fn text(reply: &Reply) -> String {
    String::from_utf8_lossy(&reply.body).into_owned()
}

/// The proposal's hash, checked against its typed data.
pub fn proposed_hash(proposal: &Value) -> B256 {
    let hash: B256 = proposal["ownerTransaction"]["safeTx"]["hash"].as_str().expect("safeTx.hash").parse().unwrap();
    let typed: TypedData = serde_json::from_value(proposal["ownerTransaction"]["safeTx"]["typedData"].clone()).unwrap();
    assert_eq!(typed.eip712_signing_hash().unwrap(), hash, "the typed data hashes to the hash shown");
    hash
}

pub fn signature_hex(key: &SigningKey, hash: B256) -> String {
    format!("0x{}", alloy_primitives::hex::encode(sign(key, hash).as_bytes()))
}

/// Ticks the relayer until the installation settles; the state GET records it.
pub async fn until_installed(rig: &AccountRig, follower: &Follower) -> Value {
    for _ in 0..10 {
        rig.relayer_tick().await;
        let now = state(rig, follower).await;
        if now["status"] != "INSTALLING" {
            return now;
        }
    }
    panic!("the installation did not settle: {}", state(rig, follower).await);
}

pub async fn module_enabled(rig: &AccountRig, safe: Address) -> bool {
    let bytes = call(&rig.chain, safe, isModuleEnabledCall { module: rig.module }.abi_encode()).await.unwrap();
    isModuleEnabledCall::abi_decode_returns(&bytes).unwrap()
}

/// Ticks the relayer until the Safe's open owner transaction (if any) is no longer executing;
/// the state GET records how it settled.
pub async fn until_settled(rig: &AccountRig, follower: &Follower) -> Value {
    for _ in 0..10 {
        rig.relayer_tick().await;
        let now = state(rig, follower).await;
        if now["ownerTransaction"]["status"] != "SUBMITTED" {
            return now;
        }
    }
    panic!("the owner transaction did not settle: {}", state(rig, follower).await);
}

/// A random key, as a user's own wallet would hold.
pub fn random_key() -> SigningKey {
    SigningKey::random(&mut k256::elliptic_curve::rand_core::OsRng)
}

/// The module installed on a new follower's Safe 1.3.0 (from account setup), signed by their
/// trading authority: the follower, and the Safe.
pub async fn installed_with_authority(rig: &AccountRig) -> (Follower, Address) {
    let follower = rig.stack.follower(0).await;
    let safe = rig.until_ready(&follower).await["safeAddress"].as_str().unwrap().parse::<Address>().unwrap();
    let reply = enable(rig, &follower, json!({ "signWithAuthority": true })).await;
    assert_eq!(reply.status, 202, "{}", text(&reply));
    assert_eq!(until_installed(rig, &follower).await["status"], "INSTALLED");
    (follower, safe)
}
