//! A Safe owner's signature made by the user's trading authority through the signing pipeline
//! (limits, breaker and audit apply), accepted only when it is one: 65 bytes over the digest
//! Mirror computed, recovering to the owner. Account setup and Safe automation sign with it.

use alloy_primitives::{Address, Signature, B256};
use serde_json::Value;

use crate::api::{ApiError, ErrorCode};
use crate::ports::Platform;
use crate::signing::signer_client::SignPayload;
use crate::signing::{sign, SigningJob};
use crate::trading_authority::Authority;

/// Who signs: the user, their authority and the address it must recover to.
pub struct OwnerSigner<'a> {
    pub user_id: &'a str,
    pub authority: &'a Authority,
    pub owner: Address,
}

/// The authority's signature over `digest` (`typed_data` is what the signer is shown).
pub async fn authority_signature(
    platform: &impl Platform,
    signer: &OwnerSigner<'_>,
    purpose: &str,
    typed_data: Value,
    digest: B256,
) -> Result<Signature, ApiError> {
    let payload = SignPayload::TypedData(typed_data);
    let job = SigningJob { user_id: signer.user_id, authority: signer.authority, purpose, payload: &payload };
    let signed = sign(platform, job).await?;
    let refused =
        |why: &str| ApiError::new(ErrorCode::SignatureError, format!("the signer's answer is refused: {why}"));
    if signed.digest.as_deref().is_some_and(|named| named.parse::<B256>().ok() != Some(digest)) {
        return Err(refused("it signed another digest"));
    }
    let signature: Signature = signed.signature.parse().map_err(|_| refused("not a 65-byte ECDSA signature"))?;
    match signature.recover_address_from_prehash(&digest) {
        Ok(recovered) if recovered == signer.owner => Ok(signature),
        _ => Err(refused("it does not recover to the trading authority")),
    }
}
