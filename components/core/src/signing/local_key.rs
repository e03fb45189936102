//! Phase 1 trading keys (`wallets.enc_priv_key`), kept AES-256-GCM encrypted under
//! `TRADING_KEY_ENCRYPTION_KEY` and used only while `USE_SERVER_WALLETS=false`. A key is
//! decrypted for one signature and dropped.
//!
//! Stored form: `v1:<12-byte nonce hex>:<ciphertext‖tag hex>`, no associated data (Phase 1's).

use aes_gcm::aead::Aead;
use aes_gcm::Nonce;
use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_dyn_abi::TypedData;
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{eip191_hash_message, hex, Address, Bytes, Signature, TxKind, B256, U256};
use k256::ecdsa::SigningKey;
use serde_json::Value;

use super::signer_client::{SignPayload, Signed};
use crate::api::{invalid, ApiError, ErrorCode};
use crate::sealed::cipher;

/// A decrypted trading key, alive for one signature.
pub struct LocalKey(SigningKey);

impl LocalKey {
    pub fn decrypt(stored: &str, encryption_key_hex: &str) -> Result<LocalKey, ApiError> {
        let cipher = cipher(encryption_key_hex)?;
        let broken = || ApiError::new(ErrorCode::InternalError, "stored trading key is unreadable");
        let mut parts = stored.split(':');
        let (Some("v1"), Some(nonce), Some(sealed), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(broken());
        };
        let nonce = hex::decode(nonce).ok().filter(|n| n.len() == 12).ok_or_else(broken)?;
        let sealed = hex::decode(sealed).map_err(|_| broken())?;
        let secret = cipher.decrypt(Nonce::from_slice(&nonce), sealed.as_slice()).map_err(|_| broken())?;
        SigningKey::from_slice(&secret).map(LocalKey).map_err(|_| broken())
    }

    /// Encrypts a new key's 32 secret bytes with a fresh 12-byte nonce.
    pub fn encrypt(secret: &[u8; 32], encryption_key_hex: &str, nonce: [u8; 12]) -> Result<String, ApiError> {
        let sealed = cipher(encryption_key_hex)?
            .encrypt(Nonce::from_slice(&nonce), secret.as_slice())
            .map_err(|_| ApiError::new(ErrorCode::InternalError, "could not encrypt the trading key"))?;
        Ok(format!("v1:{}:{}", hex::encode(nonce), hex::encode(sealed)))
    }

    pub fn from_secret(secret: &[u8; 32]) -> Result<LocalKey, ApiError> {
        SigningKey::from_slice(secret)
            .map(LocalKey)
            .map_err(|_| ApiError::new(ErrorCode::InternalError, "random bytes are not a valid key"))
    }

    pub fn address(&self) -> Address {
        Address::from_private_key(&self.0)
    }

    pub fn sign(&self, payload: &SignPayload) -> Result<Signed, ApiError> {
        match payload {
            SignPayload::Message(bytes) => Ok(signed(self.sign_hash(eip191_hash_message(bytes))?, None, None, None)),
            SignPayload::TypedData(json) => {
                let data: TypedData =
                    serde_json::from_value(json.clone()).map_err(|_| invalid("typedData", "not EIP-712 typed data"))?;
                let digest = data.eip712_signing_hash().map_err(|_| invalid("typedData", "cannot be hashed"))?;
                Ok(signed(self.sign_hash(digest)?, None, None, Some(digest)))
            }
            SignPayload::Transaction(json) => {
                let tx = transaction(json)?;
                let signature = self.sign_hash(tx.signature_hash())?;
                let envelope = TxEnvelope::from(tx.into_signed(signature));
                let raw = envelope.encoded_2718();
                Ok(signed(signature, Some(raw), Some(*envelope.tx_hash()), None))
            }
        }
    }

    fn sign_hash(&self, hash: B256) -> Result<Signature, ApiError> {
        let (signature, recovery) = self
            .0
            .sign_prehash_recoverable(hash.as_slice())
            .map_err(|_| ApiError::new(ErrorCode::InternalError, "local signing failed"))?;
        Ok(Signature::from_signature_and_parity(signature, recovery.is_y_odd()))
    }
}

fn signed(signature: Signature, raw: Option<Vec<u8>>, hash: Option<B256>, digest: Option<B256>) -> Signed {
    Signed {
        signature: format!("0x{}", hex::encode(signature.as_bytes())),
        raw_transaction: raw.map(|r| format!("0x{}", hex::encode(r))),
        hash: hash.map(|h| h.to_string()),
        digest: digest.map(|d| d.to_string()),
    }
}

/// EIP-1559 fields; numbers as JSON numbers, decimal strings or `0x` hex.
fn transaction(json: &Value) -> Result<TxEip1559, ApiError> {
    let number = |field: &str| -> Result<U256, ApiError> {
        let value = &json[field];
        let parsed = match value {
            Value::Number(n) => n.as_u64().map(U256::from),
            Value::String(s) if s.starts_with("0x") => U256::from_str_radix(&s[2..], 16).ok(),
            Value::String(s) => U256::from_str_radix(s, 10).ok(),
            _ => None,
        };
        parsed.ok_or_else(|| invalid(field, "must be a non-negative integer"))
    };
    let small = |field: &str| -> Result<u64, ApiError> {
        u64::try_from(number(field)?).map_err(|_| invalid(field, "out of range"))
    };
    let wide = |field: &str| -> Result<u128, ApiError> {
        u128::try_from(number(field)?).map_err(|_| invalid(field, "out of range"))
    };
    let to: Address =
        json["to"].as_str().and_then(|s| s.parse().ok()).ok_or_else(|| invalid("to", "must be an address"))?;
    let data = match json.get("data").and_then(Value::as_str) {
        None => Bytes::new(),
        Some(h) => h.parse().map_err(|_| invalid("data", "must be 0x hex"))?,
    };
    Ok(TxEip1559 {
        chain_id: small("chainId")?,
        nonce: small("nonce")?,
        gas_limit: small("gasLimit")?,
        max_fee_per_gas: wide("maxFeePerGas")?,
        max_priority_fee_per_gas: wide("maxPriorityFeePerGas")?,
        to: TxKind::Call(to),
        value: number("value")?,
        access_list: Default::default(),
        input: data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_consensus::transaction::SignerRecoverable;
    use alloy_eips::eip2718::Decodable2718;
    use serde_json::json;

    const ENCRYPTION_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    fn key() -> LocalKey {
        LocalKey::from_secret(&[7u8; 32]).unwrap()
    }

    #[test]
    fn encrypted_key_round_trips_and_rejects_tampering() {
        let stored = LocalKey::encrypt(&[7u8; 32], ENCRYPTION_KEY, [1u8; 12]).unwrap();
        assert!(stored.starts_with("v1:010101010101010101010101:"));
        assert_eq!(LocalKey::decrypt(&stored, ENCRYPTION_KEY).unwrap().address(), key().address());
        let mut tampered = stored.clone().into_bytes();
        let last = tampered.len() - 1;
        tampered[last] = if tampered[last] == b'0' { b'1' } else { b'0' };
        assert!(LocalKey::decrypt(std::str::from_utf8(&tampered).unwrap(), ENCRYPTION_KEY).is_err());
        let other = "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";
        assert!(LocalKey::decrypt(&stored, other).is_err());
        let err = LocalKey::decrypt(&stored, "short").err().unwrap();
        assert!(err.message.contains("trading_key_encryption_key") && !err.message.contains("short"));
    }

    #[test]
    fn every_kind_of_signature_recovers_to_the_key() {
        let key = key();
        let message = key.sign(&SignPayload::Message(b"hello".to_vec())).unwrap();
        let sig: Signature = Signature::try_from(hex::decode(&message.signature).unwrap().as_slice()).unwrap();
        assert_eq!(sig.recover_address_from_msg(b"hello").unwrap(), key.address());

        let typed = json!({
            "types": { "EIP712Domain": [{ "name": "name", "type": "string" }], "Check": [{ "name": "at", "type": "uint256" }] },
            "primaryType": "Check", "domain": { "name": "x" }, "message": { "at": "5" }
        });
        let signed = key.sign(&SignPayload::TypedData(typed)).unwrap();
        let digest: B256 = signed.digest.unwrap().parse().unwrap();
        let sig = Signature::try_from(hex::decode(&signed.signature).unwrap().as_slice()).unwrap();
        assert_eq!(sig.recover_address_from_prehash(&digest).unwrap(), key.address());

        let tx = json!({ "chainId": 137, "nonce": 3, "to": "0x00000000000000000000000000000000000000aa", "value": "0x10",
                         "data": "0x", "gasLimit": 21000, "maxFeePerGas": "30000000000", "maxPriorityFeePerGas": 1 });
        let signed = key.sign(&SignPayload::Transaction(tx)).unwrap();
        let raw = hex::decode(signed.raw_transaction.unwrap()).unwrap();
        let envelope = TxEnvelope::decode_2718(&mut raw.as_slice()).unwrap();
        assert_eq!(envelope.recover_signer().unwrap(), key.address());
        assert_eq!(signed.hash.unwrap(), envelope.tx_hash().to_string());
    }

    #[test]
    fn bad_transaction_fields_are_named() {
        let tx = json!({ "chainId": 137, "nonce": -1, "to": "0x00000000000000000000000000000000000000aa", "value": "0",
                         "gasLimit": 21000, "maxFeePerGas": "1", "maxPriorityFeePerGas": "1" });
        let err = key().sign(&SignPayload::Transaction(tx)).err().unwrap();
        assert!(err.message.contains("nonce"));
    }
}
