//! The one seam between the HTTP contract and whatever holds the keys. Both backends sign the
//! same three payloads for a wallet the app identifies by id, address and opaque properties.

#[cfg(feature = "dynamic")]
mod dynamic;
mod local;
mod sealed_key;

use std::sync::Arc;

use alloy_primitives::{Address, PrimitiveSignature};
use async_trait::async_trait;
use serde_json::{Map, Value};

use crate::config::BackendConfig;
use crate::payload::Payload;

/// The wallet a sign request names; `properties` is what `create_wallet` returned, kept by the app.
pub struct WalletRef {
    pub wallet_id: String,
    pub address: Address,
    pub properties: Map<String, Value>,
}

/// A freshly created wallet. `properties` holds no key material in clear.
pub struct NewWallet {
    pub wallet_id: String,
    pub address: Address,
    pub properties: Value,
}

/// Why a backend could not do what was asked; each maps to one stable error code. The local
/// backend has no upstream, so only the Dynamic backend constructs some of these.
#[derive(Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "dynamic"), allow(dead_code))]
pub enum BackendError {
    /// `walletProperties` is malformed or of another backend.
    InvalidProperties(String),
    /// A payload the backend can't sign although the contract accepts it (`field` names it).
    InvalidPayload { field: &'static str, message: String },
    /// The properties belong to another wallet id or address.
    WalletMismatch(String),
    /// The backend's upstream asked us to slow down.
    RateLimited { retry_after_secs: u64 },
    /// The backend's upstream is unreachable or answered 5xx; worth retrying.
    Unavailable(String),
    /// Anything else the backend failed at.
    Failed(String),
}

/// A key-holding backend.
#[async_trait]
pub trait Backend: Send + Sync {
    /// The public fields of `GET /health`: at least `backend`, nothing secret.
    fn health(&self) -> Map<String, Value>;

    async fn create_wallet(&self, user_id: &str) -> Result<NewWallet, BackendError>;

    /// Signs `payload` with the wallet's key; the signature's `v` is the y-parity.
    async fn sign(&self, wallet: &WalletRef, payload: &Payload) -> Result<PrimitiveSignature, BackendError>;
}

/// Builds the configured backend. Nothing is contacted yet: the Dynamic backend signs in to
/// Dynamic on its first call, so a signer starts (and answers `/health`) while Dynamic is down.
pub fn build(config: &BackendConfig) -> Arc<dyn Backend> {
    match config {
        BackendConfig::Local(local) => Arc::new(local::LocalBackend::new(local)),
        #[cfg(feature = "dynamic")]
        BackendConfig::Dynamic(dynamic) => Arc::new(dynamic::DynamicBackend::from_config(dynamic)),
    }
}

/// Signs and checks that the signature recovers to the wallet's address before anyone sees it,
/// so a backend fault can never hand the app a signature that a verifier would reject.
pub async fn sign_verified(
    backend: &dyn Backend,
    wallet: &WalletRef,
    payload: &Payload,
) -> Result<PrimitiveSignature, BackendError> {
    let signature = backend.sign(wallet, payload).await?;
    match signature.recover_address_from_prehash(&payload.digest()) {
        Ok(signer) if signer == wallet.address => Ok(signature),
        _ => Err(BackendError::Failed("the backend's signature does not recover to the wallet address".into())),
    }
}
