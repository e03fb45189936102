//! `GET /me`: the caller's profile and trading authority (a server wallet, created on first
//! call, unless `USE_SERVER_WALLETS=false`).

use serde_json::json;

use crate::api::{ApiError, ErrorCode, Request, Response};
use crate::auth::authenticate;
use crate::authority::{get_or_create_authority, Authority};
use crate::ports::{Db, Platform, SqlValue};

pub async fn handle(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    if request.method != "GET" {
        return Err(ApiError::new(ErrorCode::MethodNotAllowed, "use GET"));
    }
    let user = authenticate(platform, request)?;
    let authority = get_or_create_authority(platform, &user.id).await?;
    let (server_wallet, bound) = match &authority {
        Authority::ServerWallet(wallet) => {
            let proofs = platform
                .db()
                .query(
                    "SELECT 1 FROM binding_proofs WHERE user_id = $1 AND server_wallet_id = $2 LIMIT 1",
                    &[SqlValue::Text(user.id.clone()), SqlValue::Text(wallet.id.clone())],
                )
                ?;
            (json!({ "address": wallet.wallet.address, "status": "READY" }), !proofs.rows.is_empty())
        }
        Authority::LegacyKey { .. } => (serde_json::Value::Null, false),
    };
    Ok(Response::json(
        200,
        &json!({
            "id": user.id,
            "email": user.email,
            "embeddedWalletAddress": user.embedded_wallet_address,
            "tradingAuthority": { "kind": authority.kind(), "address": authority.address() },
            "serverWallet": server_wallet,
            "bindingProofVerified": bound,
        }),
    ))
}
