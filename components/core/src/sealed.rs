//! Secrets Mirror must keep and read back (CLOB API secrets and passphrases): AES-256-GCM under
//! `TRADING_KEY_ENCRYPTION_KEY`, a random nonce per value, and the row's identity as associated
//! data so a sealed value moved to another row does not open.
//!
//! Stored form: `0x01 ‖ nonce (12) ‖ ciphertext‖tag`; the first byte is the key version.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use alloy_primitives::hex;

use crate::api::{ApiError, ErrorCode};

const VERSION: u8 = 1;

/// The cipher for `trading_key_encryption_key` (also Phase 1's trading keys).
pub(crate) fn cipher(encryption_key_hex: &str) -> Result<Aes256Gcm, ApiError> {
    let key = hex::decode(encryption_key_hex.trim()).ok().filter(|k| k.len() == 32).ok_or_else(|| {
        ApiError::new(ErrorCode::ConfigurationError, "variable `trading_key_encryption_key` must be 64 hex characters")
    })?;
    Aes256Gcm::new_from_slice(&key).map_err(|_| ApiError::new(ErrorCode::ConfigurationError, "bad encryption key"))
}

/// Seals `plaintext` bound to `identity`.
pub fn seal(encryption_key_hex: &str, identity: &str, plaintext: &[u8], nonce: [u8; 12]) -> Result<Vec<u8>, ApiError> {
    let sealed = cipher(encryption_key_hex)?
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: plaintext, aad: identity.as_bytes() })
        .map_err(|_| ApiError::new(ErrorCode::InternalError, "could not seal a secret"))?;
    let mut out = Vec::with_capacity(1 + 12 + sealed.len());
    out.push(VERSION);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Opens a value sealed for `identity`.
pub fn open(encryption_key_hex: &str, identity: &str, stored: &[u8]) -> Result<Vec<u8>, ApiError> {
    let broken = || ApiError::new(ErrorCode::InternalError, "a stored secret is unreadable");
    if stored.len() < 1 + 12 + 16 || stored[0] != VERSION {
        return Err(broken());
    }
    cipher(encryption_key_hex)?
        .decrypt(Nonce::from_slice(&stored[1..13]), Payload { msg: &stored[13..], aad: identity.as_bytes() })
        .map_err(|_| broken())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn sealed_values_open_only_with_their_identity_and_key() {
        let sealed = seal(KEY, "0xabc", b"secret", [7; 12]).unwrap();
        assert_eq!(open(KEY, "0xabc", &sealed).unwrap(), b"secret");
        assert!(open(KEY, "0xabd", &sealed).is_err());
        let other = "1f".repeat(32);
        assert!(open(&other, "0xabc", &sealed).is_err());
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(open(KEY, "0xabc", &tampered).is_err());
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
    }
}
