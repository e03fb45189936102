//! The Dynamic backend: 2-of-2 MPC wallets through Dynamic's SDK. The server's key share is backed
//! up to Dynamic, encrypted under `DYNAMIC_WALLET_PASSWORD`; the app keeps only Dynamic's wallet
//! properties. Each signature recovers the share from that backup (then from memory) and runs the
//! MPC ceremony with Dynamic's relay.

mod errors;
mod properties;
mod sdk;
mod share_cache;

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use alloy_primitives::PrimitiveSignature;
use async_trait::async_trait;
use dynamic_waas_sdk::{ServerKeyShare, WalletProperties};
use serde_json::{Map, Value};

use self::sdk::{DynamicSdk, SdkClient};
use self::share_cache::{ShareCache, Shares};
use super::{Backend, BackendError, NewWallet, WalletRef};
use crate::config::{DynamicConfig, DynamicEnvironment};
use crate::payload::Payload;
use crate::secret::Secret;

/// Wallets whose recovered shares stay in memory (a share is a few kilobytes).
const SHARE_CACHE_WALLETS: usize = 10_000;

const API_UNKNOWN: u8 = 0;
const API_ANSWERED: u8 = 1;
const API_UNREACHABLE: u8 = 2;

pub struct DynamicBackend<S = SdkClient> {
    sdk: S,
    password: Secret<String>,
    environment: DynamicEnvironment,
    shares: ShareCache,
    /// What the last SDK call said about Dynamic's reachability, for `GET /health`.
    last_api_contact: AtomicU8,
}

impl DynamicBackend {
    pub fn from_config(config: &DynamicConfig) -> DynamicBackend {
        DynamicBackend::new(SdkClient::new(config), config.wallet_password.clone(), config.environment)
    }
}

impl<S: DynamicSdk> DynamicBackend<S> {
    fn new(sdk: S, password: Secret<String>, environment: DynamicEnvironment) -> DynamicBackend<S> {
        DynamicBackend {
            sdk,
            password,
            environment,
            shares: ShareCache::new(SHARE_CACHE_WALLETS),
            last_api_contact: AtomicU8::new(API_UNKNOWN),
        }
    }

    /// Records whether Dynamic answered and maps the SDK's error.
    fn observe<T>(&self, result: dynamic_waas_sdk::Result<T>) -> Result<T, BackendError> {
        let answered = result.as_ref().map_or_else(errors::dynamic_answered, |_| true);
        self.last_api_contact.store(if answered { API_ANSWERED } else { API_UNREACHABLE }, Ordering::Relaxed);
        result.map_err(|err| {
            tracing::warn!(error = %err, "Dynamic SDK call failed");
            errors::to_backend_error(&err)
        })
    }

    async fn shares_for(&self, wallet: &WalletProperties) -> Result<Shares, BackendError> {
        let backup_ids = properties::dynamic_backup_ids(wallet)?;
        let key = cache_key(&wallet.wallet_id, &backup_ids);
        if let Some(shares) = self.shares.get(&key) {
            return Ok(shares);
        }
        let recovered = self.sdk.recover_shares(wallet, backup_ids, self.password.expose()).await;
        let shares = Arc::new(self.observe(recovered)?);
        self.shares.insert(key, shares.clone());
        Ok(shares)
    }

    async fn sign_with(
        &self,
        wallet: &WalletProperties,
        shares: &[ServerKeyShare],
        payload: &Payload,
    ) -> Result<PrimitiveSignature, BackendError> {
        match payload {
            Payload::Message(bytes) => {
                let text = std::str::from_utf8(bytes).map_err(|_| BackendError::InvalidPayload {
                    field: "message",
                    message: "the dynamic backend signs UTF-8 text only (Dynamic's SDK takes a string)".into(),
                })?;
                let signed = self.sdk.sign_message(wallet, shares, text).await;
                parse_signature(&self.observe(signed)?)
            }
            Payload::TypedData(typed) => {
                let signed = self.sdk.sign_typed_data(wallet, shares, &typed.typed_data).await;
                parse_signature(&self.observe(signed)?)
            }
            Payload::Transaction(tx) => {
                let signed = self.sdk.sign_transaction(wallet, shares, tx.clone()).await;
                self.observe(signed)
            }
        }
    }
}

#[async_trait]
impl<S: DynamicSdk> Backend for DynamicBackend<S> {
    fn health(&self) -> Map<String, Value> {
        let api = match self.last_api_contact.load(Ordering::Relaxed) {
            API_ANSWERED => "answered",
            API_UNREACHABLE => "unreachable",
            _ => "unknown",
        };
        Map::from_iter([
            ("backend".to_string(), Value::from("dynamic")),
            ("environment".to_string(), Value::from(self.environment.as_str())),
            ("dynamicApi".to_string(), Value::from(api)),
        ])
    }

    async fn create_wallet(&self, _user_id: &str) -> Result<NewWallet, BackendError> {
        let created = self.sdk.create_wallet(self.password.expose()).await;
        let (wallet, shares) = self.observe(created)?;
        let address = properties::wallet_address(&wallet)
            .map_err(|_| BackendError::Failed("Dynamic returned a wallet without a valid address".into()))?;
        let backup_ids = properties::dynamic_backup_ids(&wallet)
            .map_err(|_| BackendError::Failed("Dynamic returned a wallet without its key-share backup".into()))?;
        self.shares.insert(cache_key(&wallet.wallet_id, &backup_ids), Arc::new(shares));
        Ok(NewWallet { wallet_id: wallet.wallet_id.clone(), address, properties: properties::to_json(&wallet)? })
    }

    async fn sign(&self, wallet: &WalletRef, payload: &Payload) -> Result<PrimitiveSignature, BackendError> {
        let properties = properties::open(&wallet.properties, &wallet.wallet_id, wallet.address)?;
        let shares = self.shares_for(&properties).await?;
        self.sign_with(&properties, &shares, payload).await
    }
}

fn cache_key(wallet_id: &str, backup_ids: &[String]) -> String {
    format!("{wallet_id}|{}", backup_ids.join(","))
}

/// The SDK's `0x` + r + s + v (27/28) hex.
fn parse_signature(hex_signature: &str) -> Result<PrimitiveSignature, BackendError> {
    hex_signature
        .strip_prefix("0x")
        .and_then(|digits| hex::decode(digits).ok())
        .and_then(|bytes| PrimitiveSignature::from_raw(&bytes).ok())
        .ok_or_else(|| BackendError::Failed("Dynamic returned a malformed signature".into()))
}

#[cfg(test)]
mod tests;
