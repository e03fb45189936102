//! EIP-712 typed data as ethers and viem send it: `types`, `primaryType`, `domain`, `message`,
//! with integers as JSON numbers or decimal / `0x` strings. alloy-dyn-abi computes the digest.

use alloy_dyn_abi::{Eip712Domain, Resolver, TypedData};
use alloy_primitives::B256;
use serde::Deserialize;
use serde_json::Value;

use crate::error::ApiError;
use crate::wire::describe_serde_error;

/// The four members of EIP-712 typed data, all required. Parsed here rather than through
/// `TypedData`'s own `Deserialize`, which hides which member was wrong.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct TypedDataJson {
    types: Resolver,
    primary_type: String,
    domain: Eip712Domain,
    message: Value,
}

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
        let typed_data: TypedDataJson = serde_path_to_error::deserialize(value).map_err(|err| {
            let path = err.path().to_string();
            let inner = err.into_inner();
            let at = if path == "." { field.to_string() } else { format!("{field}.{path}") };
            ApiError::validation(&at, describe_serde_error(&inner.to_string()))
        })?;
        let typed_data = TypedData {
            domain: typed_data.domain,
            resolver: typed_data.types,
            primary_type: typed_data.primary_type,
            message: typed_data.message,
        };
        let digest = typed_data.eip712_signing_hash().map_err(|err| ApiError::validation(field, err))?;
        Ok(TypedDataPayload { typed_data, digest })
    }
}
