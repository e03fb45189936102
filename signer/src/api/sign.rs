//! `POST /v1/sign/{message,typed-data,transaction}`: parse, sign with the wallet's backend,
//! verify the signature recovers to the wallet, render.

use alloy_primitives::PrimitiveSignature;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use super::body::JsonBody;
use super::AppState;
use crate::backend::{sign_verified, WalletRef};
use crate::eip712::TypedDataPayload;
use crate::error::ApiError;
use crate::payload::Payload;
use crate::transaction::attach_signature;
use crate::wire::{SignMessageRequest, SignTransactionRequest, SignTypedDataRequest};

pub async fn message(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<SignMessageRequest>,
) -> Result<Json<Value>, ApiError> {
    let (wallet, message) = request.into_parts();
    let signature = sign(&state, &wallet, &Payload::Message(message), "message").await?;
    Ok(Json(json!({ "signature": hex_signature(&signature) })))
}

pub async fn typed_data(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<SignTypedDataRequest>,
) -> Result<Json<Value>, ApiError> {
    let (wallet, typed_data) = request.into_parts();
    let typed = TypedDataPayload::parse("typedData", typed_data)?;
    let digest = typed.digest;
    let kind = format!("typed data {}", typed.typed_data.primary_type);
    let signature = sign(&state, &wallet, &Payload::TypedData(Box::new(typed)), &kind).await?;
    Ok(Json(json!({ "signature": hex_signature(&signature), "digest": digest })))
}

pub async fn transaction(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<SignTransactionRequest>,
) -> Result<Json<Value>, ApiError> {
    let (wallet, transaction) = request.into_parts();
    let tx = transaction.into_unsigned()?;
    let signature = sign(&state, &wallet, &Payload::Transaction(tx.clone()), "transaction").await?;
    let signed = attach_signature(tx, signature);
    Ok(Json(json!({
        "signature": hex_signature(&signature),
        "rawTransaction": format!("0x{}", hex::encode(&signed.raw)),
        "hash": signed.hash,
    })))
}

async fn sign(
    state: &AppState,
    wallet: &WalletRef,
    payload: &Payload,
    kind: &str,
) -> Result<PrimitiveSignature, ApiError> {
    match sign_verified(state.backend.as_ref(), wallet, payload).await {
        Ok(signature) => {
            tracing::info!(wallet_id = wallet.wallet_id, kind, "signed");
            Ok(signature)
        }
        Err(err) => {
            tracing::warn!(wallet_id = wallet.wallet_id, kind, error = ?err, "signing refused");
            Err(err.into())
        }
    }
}

/// `0x` + r (32 bytes) + s (32 bytes) + v, with v = 27 + y-parity.
fn hex_signature(signature: &PrimitiveSignature) -> String {
    format!("0x{}", hex::encode(signature.as_bytes()))
}
