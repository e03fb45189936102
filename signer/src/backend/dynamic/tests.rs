//! The Dynamic backend's mapping, against a fake SDK that signs with a local key the way Dynamic's
//! MPC ceremony would: which SDK call each request makes and with what, how shares are recovered
//! and cached, and how SDK failures become error codes.

use std::sync::Mutex;

use alloy_consensus::{SignableTransaction, TxEip1559};
use alloy_dyn_abi::TypedData;
use alloy_primitives::{eip191_hash_message, Address, Bytes, PrimitiveSignature, TxKind, B256, U256};
use async_trait::async_trait;
use dynamic_waas_sdk::{Error, Result, ServerKeyShare, WalletProperties};
use k256::ecdsa::SigningKey;
use serde_json::json;

use super::properties::tests::{backed_up_wallet, WALLET_ID};
use super::*;
use crate::backend::sign_verified;
use crate::eip712::TypedDataPayload;

const PASSWORD: &str = "backup password for tests";
const SHARE_SECRET: &str = "server-share-secret-material";

#[derive(Default)]
struct Script {
    calls: Vec<String>,
    fail_next: Option<Error>,
    garble_signature: bool,
}

struct FakeSdk {
    key: SigningKey,
    script: Mutex<Script>,
}

impl FakeSdk {
    fn new() -> FakeSdk {
        FakeSdk { key: SigningKey::from_slice(&[0x42; 32]).unwrap(), script: Mutex::default() }
    }

    fn address(&self) -> Address {
        Address::from_private_key(&self.key)
    }

    fn call(&self, call: String) -> Result<()> {
        let mut script = self.script.lock().unwrap();
        script.calls.push(call);
        script.fail_next.take().map_or(Ok(()), Err)
    }

    fn sign(&self, digest: B256) -> PrimitiveSignature {
        let (signature, recovery) = self.key.sign_prehash_recoverable(digest.as_slice()).unwrap();
        PrimitiveSignature::from_signature_and_parity(signature, recovery.is_y_odd())
    }

    fn sign_hex(&self, digest: B256) -> String {
        if self.script.lock().unwrap().garble_signature {
            return "0x1234".into();
        }
        format!("0x{}", hex::encode(self.sign(digest).as_bytes()))
    }

    fn calls(&self) -> Vec<String> {
        self.script.lock().unwrap().calls.clone()
    }
}

#[async_trait]
impl DynamicSdk for &FakeSdk {
    async fn create_wallet(&self, password: &str) -> Result<(WalletProperties, Vec<ServerKeyShare>)> {
        self.call(format!("create_wallet password_ok={}", password == PASSWORD))?;
        Ok((backed_up_wallet(self.address()), vec![ServerKeyShare::new("ks-server-1", SHARE_SECRET)]))
    }

    async fn recover_shares(
        &self,
        wallet: &WalletProperties,
        backup_ids: Vec<String>,
        password: &str,
    ) -> Result<Vec<ServerKeyShare>> {
        self.call(format!("recover_shares {} {backup_ids:?} password_ok={}", wallet.wallet_id, password == PASSWORD))?;
        Ok(vec![ServerKeyShare::new("ks-server-1", SHARE_SECRET)])
    }

    async fn sign_message(
        &self,
        wallet: &WalletProperties,
        shares: &[ServerKeyShare],
        message: &str,
    ) -> Result<String> {
        self.call(format!("sign_message {} shares={} {message:?}", wallet.wallet_id, shares.len()))?;
        Ok(self.sign_hex(eip191_hash_message(message)))
    }

    async fn sign_typed_data(
        &self,
        wallet: &WalletProperties,
        shares: &[ServerKeyShare],
        typed_data: &TypedData,
    ) -> Result<String> {
        self.call(format!("sign_typed_data {} shares={} {}", wallet.wallet_id, shares.len(), typed_data.primary_type))?;
        Ok(self.sign_hex(typed_data.eip712_signing_hash().unwrap()))
    }

    async fn sign_transaction(
        &self,
        wallet: &WalletProperties,
        shares: &[ServerKeyShare],
        tx: TxEip1559,
    ) -> Result<PrimitiveSignature> {
        self.call(format!(
            "sign_transaction {} shares={} nonce={} chain={}",
            wallet.wallet_id,
            shares.len(),
            tx.nonce,
            tx.chain_id
        ))?;
        Ok(self.sign(tx.signature_hash()))
    }
}

fn backend(sdk: &FakeSdk) -> DynamicBackend<&FakeSdk> {
    DynamicBackend::new(sdk, Secret::new(PASSWORD.into()), DynamicEnvironment::Sandbox)
}

fn wallet_ref(sdk: &FakeSdk) -> WalletRef {
    let properties = properties::to_json(&backed_up_wallet(sdk.address())).unwrap();
    WalletRef {
        wallet_id: WALLET_ID.into(),
        address: sdk.address(),
        properties: properties.as_object().unwrap().clone(),
    }
}

fn typed_data_payload() -> Payload {
    let typed = json!({
        "types": {
            "EIP712Domain": [{ "name": "name", "type": "string" }, { "name": "chainId", "type": "uint256" }],
            "Ping": [{ "name": "n", "type": "uint256" }]
        },
        "primaryType": "Ping",
        "domain": { "name": "Mirror", "chainId": 137 },
        "message": { "n": "7" }
    });
    Payload::TypedData(Box::new(TypedDataPayload::parse("typedData", typed).unwrap()))
}

fn transaction() -> TxEip1559 {
    TxEip1559 {
        chain_id: 137,
        nonce: 5,
        gas_limit: 100_000,
        max_fee_per_gas: 50_000_000_000,
        max_priority_fee_per_gas: 30_000_000_000,
        to: TxKind::Call(Address::repeat_byte(0x11)),
        value: U256::from(1),
        access_list: Default::default(),
        input: Bytes::new(),
    }
}

#[tokio::test]
async fn create_wallet_backs_up_to_dynamic_and_returns_properties_without_shares() {
    let sdk = FakeSdk::new();
    let created = backend(&sdk).create_wallet("user-1").await.unwrap();
    assert_eq!(sdk.calls(), ["create_wallet password_ok=true"]);
    assert_eq!(created.wallet_id, WALLET_ID);
    assert_eq!(created.address, sdk.address());
    assert_eq!(created.properties["backend"], "dynamic");
    let text = created.properties.to_string();
    assert!(!text.contains(SHARE_SECRET) && !text.contains(PASSWORD));
}

#[tokio::test]
async fn each_payload_goes_to_its_sdk_call_and_the_signature_verifies() {
    let sdk = FakeSdk::new();
    let backend = backend(&sdk);
    let wallet = wallet_ref(&sdk);
    for payload in [
        Payload::Message(Bytes::from_static(b"hello mirror")),
        typed_data_payload(),
        Payload::Transaction(transaction()),
    ] {
        let signature = sign_verified(&backend, &wallet, &payload).await.unwrap();
        assert_eq!(signature.recover_address_from_prehash(&payload.digest()).unwrap(), sdk.address());
    }
    assert_eq!(
        sdk.calls(),
        [
            format!("recover_shares {WALLET_ID} [\"ks-server-1\"] password_ok=true"),
            format!("sign_message {WALLET_ID} shares=1 \"hello mirror\""),
            format!("sign_typed_data {WALLET_ID} shares=1 Ping"),
            format!("sign_transaction {WALLET_ID} shares=1 nonce=5 chain=137"),
        ]
    );
}

#[tokio::test]
async fn shares_from_creation_are_reused_without_a_recovery() {
    let sdk = FakeSdk::new();
    let backend = backend(&sdk);
    let created = backend.create_wallet("user-1").await.unwrap();
    let wallet = WalletRef {
        wallet_id: created.wallet_id,
        address: created.address,
        properties: created.properties.as_object().unwrap().clone(),
    };
    backend.sign(&wallet, &Payload::Message(Bytes::from_static(b"a"))).await.unwrap();
    assert!(!sdk.calls().iter().any(|call| call.starts_with("recover_shares")));
}

#[tokio::test]
async fn binary_messages_are_refused_naming_the_field() {
    let sdk = FakeSdk::new();
    let err = backend(&sdk).sign(&wallet_ref(&sdk), &Payload::Message(Bytes::from_static(&[0xff, 0xfe]))).await;
    assert!(matches!(err, Err(BackendError::InvalidPayload { field: "message", .. })));
    assert!(!sdk.calls().iter().any(|call| call.starts_with("sign_")));
}

#[tokio::test]
async fn a_mismatched_wallet_is_refused_before_dynamic_is_called() {
    let sdk = FakeSdk::new();
    let mut wallet = wallet_ref(&sdk);
    wallet.address = Address::repeat_byte(0x99);
    let err = backend(&sdk).sign(&wallet, &Payload::Message(Bytes::from_static(b"a"))).await;
    assert!(matches!(err, Err(BackendError::WalletMismatch(_))));
    assert!(sdk.calls().is_empty());
}

#[tokio::test]
async fn sdk_failures_map_to_codes_and_show_in_health() {
    let sdk = FakeSdk::new();
    let backend = backend(&sdk);
    let wallet = wallet_ref(&sdk);
    let message = Payload::Message(Bytes::from_static(b"a"));
    assert_eq!(backend.health()["dynamicApi"], "unknown");

    sdk.script.lock().unwrap().fail_next = Some(Error::Network("connection refused".into()));
    assert!(matches!(backend.sign(&wallet, &message).await, Err(BackendError::Unavailable(_))));
    assert_eq!(backend.health()["dynamicApi"], "unreachable");

    sdk.script.lock().unwrap().fail_next = Some(Error::Http { status: 429, body: r#"{"retryAfter":30}"#.into() });
    assert_eq!(backend.sign(&wallet, &message).await, Err(BackendError::RateLimited { retry_after_secs: 30 }));
    assert_eq!(backend.health()["dynamicApi"], "answered");

    sdk.script.lock().unwrap().garble_signature = true;
    assert!(matches!(backend.sign(&wallet, &message).await, Err(BackendError::Failed(_))));
}

#[tokio::test]
async fn health_names_the_environment_and_no_secret() {
    let sdk = FakeSdk::new();
    let health = serde_json::Value::Object(backend(&sdk).health());
    assert_eq!(health, json!({ "backend": "dynamic", "environment": "sandbox", "dynamicApi": "unknown" }));
}
