//! `GET /me`: the caller's profile and their server wallet, created on first call.

use serde_json::json;

use crate::api::{ApiError, ErrorCode, Request, Response};
use crate::auth::authenticate;
use crate::authority::get_or_create;
use crate::ports::{Db, Platform, SqlValue};

pub async fn handle(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    if request.method != "GET" {
        return Err(ApiError::new(ErrorCode::MethodNotAllowed, "use GET"));
    }
    let user = authenticate(platform, request)?;
    let wallet = get_or_create(platform, &user.id).await?;
    let bound = platform
        .db()
        .query(
            "SELECT 1 FROM binding_proofs WHERE user_id = $1 AND server_wallet_id = $2 LIMIT 1",
            &[SqlValue::Text(user.id.clone()), SqlValue::Text(wallet.id.clone())],
        )
        .map_err(|e| ApiError::new(ErrorCode::ServiceUnavailable, format!("database: {e}")))?;
    Ok(Response::json(
        200,
        &json!({
            "id": user.id,
            "email": user.email,
            "embeddedWalletAddress": user.embedded_wallet_address,
            "serverWallet": { "address": wallet.wallet.address, "status": "READY" },
            "bindingProofVerified": !bound.rows.is_empty(),
        }),
    ))
}
