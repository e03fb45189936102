//! The relayer's keys: `relayer_private_key` sends new transactions; the keys in
//! `relayer_retiring_private_keys` only settle what they already sent (zero-downtime rotation).
//! A key never leaves this module: not in `Debug`, errors or logs.

use std::fmt;

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{hex, Address, Signature, B256};
use k256::ecdsa::SigningKey;

use crate::ports::{Config, ConfigError};
use crate::settings;

pub struct RelayerKey {
    key: SigningKey,
    address: Address,
}

impl fmt::Debug for RelayerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RelayerKey({})", self.address)
    }
}

/// A signed transaction: the bytes `eth_sendRawTransaction` takes and their hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedTx {
    pub raw: Vec<u8>,
    pub hash: B256,
}

impl RelayerKey {
    fn parse(variable: &str, text: &str) -> Result<RelayerKey, ConfigError> {
        let invalid = || ConfigError::Invalid {
            name: variable.into(),
            reason: "must be a 0x-prefixed 32-byte hex private key".into(),
        };
        let secret = text
            .trim()
            .strip_prefix("0x")
            .filter(|h| h.len() == 64)
            .and_then(|h| hex::decode(h).ok())
            .ok_or_else(invalid)?;
        let key = SigningKey::from_slice(&secret).map_err(|_| invalid())?;
        let address = Address::from_private_key(&key);
        Ok(RelayerKey { key, address })
    }

    pub fn address(&self) -> Address {
        self.address
    }

    /// Signs an EIP-1559 transaction.
    pub fn sign(&self, tx: TxEip1559) -> SignedTx {
        let (signature, recovery) = self
            .key
            .sign_prehash_recoverable(tx.signature_hash().as_slice())
            .expect("a valid secp256k1 key signs any 32-byte prehash");
        let signature = Signature::from_signature_and_parity(signature, recovery.is_y_odd());
        let envelope = TxEnvelope::from(tx.into_signed(signature));
        SignedTx { raw: envelope.encoded_2718(), hash: *envelope.tx_hash() }
    }
}

/// The current key and the retiring ones, each address once.
#[derive(Debug)]
pub struct RelayerKeys {
    pub current: RelayerKey,
    pub retiring: Vec<RelayerKey>,
}

impl RelayerKeys {
    /// `None` when `relayer_private_key` is empty: the relayer is not configured. A malformed
    /// key is an error naming its variable, never echoing it.
    pub fn from_config(config: &dyn Config) -> Result<Option<RelayerKeys>, ConfigError> {
        let current = config.get(settings::RELAYER_PRIVATE_KEY)?;
        if current.trim().is_empty() {
            return Ok(None);
        }
        let current = RelayerKey::parse(settings::RELAYER_PRIVATE_KEY, &current)?;
        let mut retiring: Vec<RelayerKey> = Vec::new();
        let listed = config.get(settings::RELAYER_RETIRING_PRIVATE_KEYS)?;
        for text in listed.split(',').filter(|t| !t.trim().is_empty()) {
            let key = RelayerKey::parse(settings::RELAYER_RETIRING_PRIVATE_KEYS, text)?;
            if key.address != current.address && retiring.iter().all(|k| k.address != key.address) {
                retiring.push(key);
            }
        }
        Ok(Some(RelayerKeys { current, retiring }))
    }

    /// The current key's address, or `None` when the relayer is not configured.
    pub fn current_address(config: &dyn Config) -> Result<Option<Address>, ConfigError> {
        let current = config.get(settings::RELAYER_PRIVATE_KEY)?;
        if current.trim().is_empty() {
            return Ok(None);
        }
        Ok(Some(RelayerKey::parse(settings::RELAYER_PRIVATE_KEY, &current)?.address))
    }

    /// Every key, the current one first.
    pub fn all(&self) -> impl Iterator<Item = &RelayerKey> {
        std::iter::once(&self.current).chain(self.retiring.iter())
    }

    pub fn find(&self, address: Address) -> Option<&RelayerKey> {
        self.all().find(|k| k.address == address)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use alloy_consensus::transaction::SignerRecoverable;
    use alloy_eips::eip2718::Decodable2718;
    use alloy_primitives::{Bytes, TxKind, U256};

    use super::*;

    struct Vars(HashMap<&'static str, String>);

    impl Config for Vars {
        fn get(&self, name: &str) -> Result<String, ConfigError> {
            self.0.get(name).cloned().ok_or_else(|| ConfigError::Missing(name.into()))
        }
    }

    // anvil's first two development keys.
    const KEY_0: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    const KEY_1: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

    fn vars(current: &str, retiring: &str) -> Vars {
        Vars(HashMap::from([
            (settings::RELAYER_PRIVATE_KEY, current.to_string()),
            (settings::RELAYER_RETIRING_PRIVATE_KEYS, retiring.to_string()),
        ]))
    }

    #[test]
    fn keys_come_from_their_variables_and_never_appear_in_errors_or_debug() {
        assert!(RelayerKeys::from_config(&vars("", "")).unwrap().is_none());
        let keys = RelayerKeys::from_config(&vars(KEY_0, &format!("{KEY_1}, {KEY_0},{KEY_1}"))).unwrap().unwrap();
        assert_eq!(keys.current.address(), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266".parse::<Address>().unwrap());
        assert_eq!(keys.retiring.len(), 1, "the current key and repeats are not retiring keys");
        assert!(!format!("{keys:?}").contains(&KEY_0[2..]));
        let bad = &KEY_0[..60];
        for (current, retiring, variable) in
            [(bad, "", settings::RELAYER_PRIVATE_KEY), (KEY_0, bad, settings::RELAYER_RETIRING_PRIVATE_KEYS)]
        {
            let error = RelayerKeys::from_config(&vars(current, retiring)).unwrap_err().to_string();
            assert!(error.contains(variable) && !error.contains(&bad[2..]), "{error}");
        }
        let zero = format!("0x{}", "0".repeat(64));
        assert!(RelayerKeys::from_config(&vars(&zero, "")).is_err(), "zero is not a key");
    }

    #[test]
    fn a_signed_transaction_recovers_to_the_key_and_hashes_as_sent() {
        let keys = RelayerKeys::from_config(&vars(KEY_0, "")).unwrap().unwrap();
        let tx = TxEip1559 {
            chain_id: 137,
            nonce: 7,
            gas_limit: 21_000,
            max_fee_per_gas: 30_000_000_000,
            max_priority_fee_per_gas: 2_000_000_000,
            to: TxKind::Call(keys.current.address()),
            value: U256::ZERO,
            access_list: Default::default(),
            input: Bytes::new(),
        };
        let signed = keys.current.sign(tx);
        let decoded = TxEnvelope::decode_2718(&mut signed.raw.as_slice()).unwrap();
        assert_eq!(decoded.recover_signer().unwrap(), keys.current.address());
        assert_eq!(*decoded.tx_hash(), signed.hash);
        assert_eq!(signed.hash, alloy_primitives::keccak256(&signed.raw));
    }
}
