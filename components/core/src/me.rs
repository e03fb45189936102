//! `GET /me`: the caller's profile and trading authority (a server wallet, created on first
//! call, unless `USE_SERVER_WALLETS=false`). A revoked wallet is shown as FAILED, with no
//! authority, and not replaced: only an operator's rotation does that.

use serde_json::json;

use crate::api::{ApiError, Request, Response};
use crate::auth::authenticate;
use crate::ports::{Db, Platform, SqlValue};
use crate::trading_authority::{standing, Authority, Standing};

pub async fn handle(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    request.require_method(&["GET"])?;
    request.query_params(&[])?;
    let user = authenticate(platform, request)?;
    let (authority, server_wallet, bound) = match standing(platform, &user.id).await? {
        Standing::Active(Authority::ServerWallet(wallet)) => {
            let proofs = platform.db().query(
                "SELECT 1 FROM binding_proofs WHERE user_id = $1 AND server_wallet_id = $2 LIMIT 1",
                &[SqlValue::Text(user.id.clone()), SqlValue::Text(wallet.id.clone())],
            )?;
            let shown = json!({ "address": wallet.wallet.address, "status": "READY" });
            let authority = json!({ "kind": "SERVER_WALLET", "address": wallet.wallet.address });
            (authority, shown, !proofs.rows.is_empty())
        }
        Standing::Active(legacy @ Authority::LegacyKey { .. }) => {
            (json!({ "kind": legacy.kind(), "address": legacy.address() }), serde_json::Value::Null, false)
        }
        Standing::Revoked(wallet) => {
            (serde_json::Value::Null, json!({ "address": wallet.wallet.address, "status": "FAILED" }), false)
        }
    };
    Ok(Response::json(
        200,
        &json!({
            "id": user.id,
            "email": user.email,
            "embeddedWalletAddress": user.embedded_wallet_address,
            "tradingAuthority": authority,
            "serverWallet": server_wallet,
            "bindingProofVerified": bound,
            "tradingAccount": crate::trading_account::summary(platform, &user.id)?,
        }),
    ))
}
