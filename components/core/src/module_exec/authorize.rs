//! The one place a session key's private half exists in memory: opened from its sealed form to
//! sign one `SessionKeyExecution`, and dropped. Nothing here returns or formats the key.

use alloy_primitives::{Address, Bytes, Signature, U256};
use k256::ecdsa::SigningKey;

use super::store::{Claimed, Fixed};
use crate::api::{ApiError, ErrorCode};
use crate::automation_module::{execution_digest, SessionKeyExecution};
use crate::sealed;

/// The `key_version` whose keys `trading_key_encryption_key` opens.
pub const SEALED_KEY_VERSION: i64 = 1;

/// The execution a row's authorization covers.
pub fn execution(row: &Claimed, fixed: &Fixed) -> SessionKeyExecution {
    SessionKeyExecution {
        safe: row.safe,
        to: row.to,
        value: row.value,
        data: row.data.clone(),
        nonce: fixed.nonce,
        deadline: U256::from(fixed.deadline),
        minGas: fixed.min_gas,
        epoch: fixed.epoch,
    }
}

/// Signs `execution` with the row's session key: 65 bytes `r ‖ s ‖ v` (v 27/28, low s).
pub fn sign(
    encryption_key: &str,
    chain_id: u64,
    row: &Claimed,
    execution: &SessionKeyExecution,
) -> Result<Bytes, ApiError> {
    if row.key_version != SEALED_KEY_VERSION {
        return Err(ApiError::new(
            ErrorCode::ConfigurationError,
            format!(
                "session key {} is sealed under key version {}, not {SEALED_KEY_VERSION}",
                row.key_id, row.key_version
            ),
        ));
    }
    let secret = sealed::open(encryption_key, &row.key_id, &row.sealed_key)?;
    let key = SigningKey::from_slice(&secret)
        .map_err(|_| ApiError::new(ErrorCode::InternalError, format!("session key {} is unreadable", row.key_id)))?;
    drop(secret);
    if Address::from_private_key(&key) != row.key_address {
        return Err(ApiError::new(
            ErrorCode::InternalError,
            format!("session key {} does not open to its address", row.key_id),
        ));
    }
    let digest = execution_digest(chain_id, row.module, execution);
    let (signature, recovery) = key
        .sign_prehash_recoverable(digest.as_slice())
        .map_err(|_| ApiError::new(ErrorCode::InternalError, "session key signing failed"))?;
    Ok(Bytes::copy_from_slice(&Signature::from_signature_and_parity(signature, recovery.is_y_odd()).as_bytes()))
}
