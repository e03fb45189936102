//! EIP-712 typed data as ethers and viem send it: `types`, `primaryType`, `domain`, `message`,
//! with integers as JSON numbers or decimal / `0x` strings. alloy-dyn-abi computes the digest.

use alloy_dyn_abi::TypedData;
use alloy_primitives::B256;
use serde_json::Value;

use crate::error::ApiError;
use crate::wire::describe_serde_error;

/// Typed data whose digest could be computed, so it is well formed.
pub struct TypedDataPayload {
    pub typed_data: TypedData,
    pub digest: B256,
}

impl TypedDataPayload {
    /// Validates `value` (found at `field` in the request) and hashes it.
    pub fn parse(field: &str, value: Value) -> Result<TypedDataPayload, ApiError> {
        if !value.is_object() {
            return Err(ApiError::validation(field, "expected an object with types, primaryType, domain and message"));
        }
        let typed_data: TypedData = serde_path_to_error::deserialize(value).map_err(|err| {
            let path = err.path().to_string();
            let inner = err.into_inner();
            let at = if path == "." { field.to_string() } else { format!("{field}.{path}") };
            ApiError::validation(&at, describe_serde_error(&inner.to_string()))
        })?;
        let digest = typed_data.eip712_signing_hash().map_err(|err| ApiError::validation(field, err))?;
        Ok(TypedDataPayload { typed_data, digest })
    }
}
