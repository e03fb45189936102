//! The local backend: a k256 key per wallet, generated here and handed back sealed in the wallet's
//! properties. Real signatures anyone can verify; for development and tests.

use aes_gcm::aead::rand_core::RngCore;
use aes_gcm::aead::OsRng;
use alloy_primitives::{Address, PrimitiveSignature};
use async_trait::async_trait;
use k256::ecdsa::SigningKey;
use serde_json::{Map, Value};

use super::sealed_key::KeySealer;
use super::{Backend, BackendError, NewWallet, WalletRef};
use crate::config::LocalConfig;
use crate::payload::Payload;

pub struct LocalBackend {
    sealer: KeySealer,
}

impl LocalBackend {
    pub fn new(config: &LocalConfig) -> LocalBackend {
        LocalBackend { sealer: KeySealer::new(config) }
    }
}

#[async_trait]
impl Backend for LocalBackend {
    fn health(&self) -> Map<String, Value> {
        Map::from_iter([("backend".to_string(), Value::from("local"))])
    }

    async fn create_wallet(&self, _user_id: &str) -> Result<NewWallet, BackendError> {
        let key = SigningKey::random(&mut OsRng);
        let wallet_id = random_uuid();
        let properties = self.sealer.seal(&wallet_id, &key)?;
        Ok(NewWallet { address: Address::from_private_key(&key), wallet_id, properties })
    }

    async fn sign(&self, wallet: &WalletRef, payload: &Payload) -> Result<PrimitiveSignature, BackendError> {
        let key = self.sealer.open(&wallet.wallet_id, &wallet.properties)?;
        if Address::from_private_key(&key) != wallet.address {
            return Err(BackendError::WalletMismatch("address is not the address of this wallet".into()));
        }
        let (signature, recovery_id) = key
            .sign_prehash_recoverable(payload.digest().as_slice())
            .map_err(|_| BackendError::Failed("signing failed".into()))?;
        Ok(PrimitiveSignature::from_signature_and_parity(signature, recovery_id.is_y_odd()))
    }
}

/// A random (version 4) UUID, the shape Dynamic's wallet ids have too.
fn random_uuid() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode(bytes);
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}
