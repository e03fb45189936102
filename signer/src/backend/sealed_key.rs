//! The local backend's wallet properties: the wallet's private key sealed with AES-256-GCM under
//! `SIGNER_LOCAL_KEY`, a random 96-bit nonce, and the wallet id as associated data, so a sealed key
//! copied under another wallet id does not open.

use aes_gcm::aead::rand_core::RngCore;
use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use k256::ecdsa::SigningKey;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::backend::BackendError;
use crate::config::LocalConfig;

const BACKEND_TAG: &str = "local";

/// The JSON the app stores in `server_wallets.wallet_properties` for a local wallet.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SealedKey {
    backend: String,
    key_version: u32,
    nonce: String,
    ciphertext: String,
}

/// Seals and opens wallet keys under the signer's own key.
pub struct KeySealer {
    cipher: Aes256Gcm,
    key_version: u32,
}

impl KeySealer {
    pub fn new(config: &LocalConfig) -> KeySealer {
        let key = Key::<Aes256Gcm>::from_slice(config.key.expose());
        KeySealer { cipher: Aes256Gcm::new(key), key_version: config.key_version }
    }

    pub fn seal(&self, wallet_id: &str, key: &SigningKey) -> Result<Value, BackendError> {
        let mut nonce = [0u8; 12];
        OsRng.fill_bytes(&mut nonce);
        let secret = Zeroizing::new(<[u8; 32]>::from(key.to_bytes()));
        let ciphertext = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: secret.as_slice(), aad: wallet_id.as_bytes() })
            .map_err(|_| BackendError::Failed("could not seal the wallet key".into()))?;
        let sealed = SealedKey {
            backend: BACKEND_TAG.into(),
            key_version: self.key_version,
            nonce: format!("0x{}", hex::encode(nonce)),
            ciphertext: format!("0x{}", hex::encode(ciphertext)),
        };
        serde_json::to_value(sealed).map_err(|_| BackendError::Failed("could not encode wallet properties".into()))
    }

    pub fn open(&self, wallet_id: &str, properties: &Map<String, Value>) -> Result<SigningKey, BackendError> {
        let sealed = parse(properties)?;
        if sealed.key_version != self.key_version {
            return Err(BackendError::WalletMismatch(format!(
                "walletProperties were sealed under local key version {}; this signer holds version {}",
                sealed.key_version, self.key_version
            )));
        }
        let nonce: [u8; 12] = decode_hex(&sealed.nonce)
            .and_then(|n| n.try_into().ok())
            .ok_or_else(|| BackendError::InvalidProperties("nonce must be 12 bytes of 0x-prefixed hex".into()))?;
        let ciphertext = decode_hex(&sealed.ciphertext)
            .ok_or_else(|| BackendError::InvalidProperties("ciphertext must be 0x-prefixed hex".into()))?;
        let secret = Zeroizing::new(
            self.cipher
                .decrypt(Nonce::from_slice(&nonce), Payload { msg: &ciphertext, aad: wallet_id.as_bytes() })
                .map_err(|_| {
                    BackendError::WalletMismatch(
                        "walletProperties do not open for this walletId (sealed for another wallet, or under another SIGNER_LOCAL_KEY)"
                            .into(),
                    )
                })?,
        );
        SigningKey::from_slice(&secret)
            .map_err(|_| BackendError::InvalidProperties("the sealed key is not a valid secp256k1 key".into()))
    }
}

fn parse(properties: &Map<String, Value>) -> Result<SealedKey, BackendError> {
    match properties.get("backend").and_then(Value::as_str) {
        Some(BACKEND_TAG) => {}
        Some(other) => {
            return Err(BackendError::InvalidProperties(format!(
                "belong to the `{other}` backend; this signer runs the `local` backend"
            )))
        }
        None => return Err(BackendError::InvalidProperties("missing `backend`".into())),
    }
    serde_json::from_value(Value::Object(properties.clone()))
        .map_err(|err| BackendError::InvalidProperties(crate::wire::describe_serde_error(&err.to_string())))
}

fn decode_hex(raw: &str) -> Option<Vec<u8>> {
    hex::decode(raw.strip_prefix("0x")?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn sealer(key_byte: u8, key_version: u32) -> KeySealer {
        KeySealer::new(&LocalConfig { key: Secret::new([key_byte; 32]), key_version })
    }

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().expect("object").clone()
    }

    #[test]
    fn a_sealed_key_opens_for_its_own_wallet_only() {
        let key = SigningKey::random(&mut OsRng);
        let props = object(sealer(7, 1).seal("wallet-a", &key).unwrap());
        assert_eq!(sealer(7, 1).open("wallet-a", &props).unwrap(), key);
        assert!(matches!(sealer(7, 1).open("wallet-b", &props), Err(BackendError::WalletMismatch(_))));
    }

    #[test]
    fn properties_carry_no_key_in_clear() {
        let key = SigningKey::random(&mut OsRng);
        let props = sealer(7, 1).seal("wallet-a", &key).unwrap().to_string();
        assert!(!props.contains(&hex::encode(key.to_bytes())));
        assert!(props.contains("\"keyVersion\":1"));
    }

    #[test]
    fn another_signer_key_or_key_version_does_not_open_it() {
        let key = SigningKey::random(&mut OsRng);
        let props = object(sealer(7, 1).seal("wallet-a", &key).unwrap());
        assert!(matches!(sealer(8, 1).open("wallet-a", &props), Err(BackendError::WalletMismatch(_))));
        let err = sealer(7, 2).open("wallet-a", &props).err().unwrap();
        assert!(matches!(err, BackendError::WalletMismatch(m) if m.contains("version 1")));
    }

    #[test]
    fn tampered_or_foreign_properties_are_refused() {
        let key = SigningKey::random(&mut OsRng);
        let mut props = object(sealer(7, 1).seal("wallet-a", &key).unwrap());
        props.insert("ciphertext".into(), Value::String("0x00".into()));
        assert!(matches!(sealer(7, 1).open("wallet-a", &props), Err(BackendError::WalletMismatch(_))));
        props.insert("nonce".into(), Value::String("0x0102".into()));
        assert!(matches!(sealer(7, 1).open("wallet-a", &props), Err(BackendError::InvalidProperties(_))));
        let dynamic = object(serde_json::json!({ "backend": "dynamic", "wallet": {} }));
        let err = sealer(7, 1).open("wallet-a", &dynamic).err().unwrap();
        assert!(matches!(err, BackendError::InvalidProperties(m) if m.contains("`dynamic`")));
        let extra = object(
            serde_json::json!({ "backend": "local", "keyVersion": 1, "nonce": "0x", "ciphertext": "0x", "key": "0x1" }),
        );
        assert!(matches!(sealer(7, 1).open("wallet-a", &extra), Err(BackendError::InvalidProperties(_))));
    }
}
