//! `POST /v1/wallets`: a new wallet for a user; the app keeps the returned properties.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use super::body::JsonBody;
use super::AppState;
use crate::error::ApiError;
use crate::wire::CreateWalletRequest;

pub async fn create(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<CreateWalletRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user_id = request.user_id.0;
    let wallet = state.backend.create_wallet(&user_id).await.inspect_err(|err| {
        tracing::warn!(user_id, error = ?err, "wallet creation failed");
    })?;
    tracing::info!(user_id, wallet_id = wallet.wallet_id, address = %wallet.address, "wallet created");
    let body = json!({
        "walletId": wallet.wallet_id,
        "address": wallet.address.to_checksum(None),
        "walletProperties": wallet.properties,
    });
    Ok((StatusCode::CREATED, Json(body)))
}
