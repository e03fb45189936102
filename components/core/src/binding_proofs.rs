//! Binding proofs: the user's embedded wallet signs (EIP-191) a message naming their server
//! wallet, proving the same person controls both. Each nonce is accepted once.

use alloy_primitives::Address;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::{invalid, parse_json_object, ApiError, ErrorCode, Request, Response};
use crate::auth::{authenticate, User};
use crate::evm::{parse_address, parse_signature, recover_personal_signer};
use crate::ports::{Db, DbError, Platform, SqlValue};
use crate::time::Timestamp;
use crate::trading_authority::{find_ready, ServerWallet};

/// How far `issuedAt` may be from now.
const MAX_CLOCK_SKEW_MS: i64 = 10 * 60 * 1000;

/// `POST /binding-proofs` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BindingSubmission {
    pub server_wallet_address: String,
    pub nonce: String,
    /// Milliseconds since the Unix epoch.
    pub issued_at: i64,
    pub signature: String,
}

/// The exact text the embedded wallet signs.
pub fn binding_message(server_wallet: &Address, nonce: &str, issued_at_ms: i64) -> String {
    format!(
        "Mirror binding proof\nI authorize Mirror server wallet {} to trade on my behalf.\nNonce: {nonce}\nIssued at: {issued_at_ms}",
        server_wallet.to_checksum(None)
    )
}

/// Verifies and records a binding proof; SIGNATURE_ERROR for a wrong signer or a reused nonce.
pub fn submit(
    db: &impl Db,
    user: &User,
    wallet: &ServerWallet,
    body: BindingSubmission,
    now_ms: i64,
) -> Result<Value, ApiError> {
    let named = parse_address("serverWalletAddress", &body.server_wallet_address)?;
    let current = parse_address("serverWalletAddress", &wallet.wallet.address)?;
    if named != current {
        return Err(invalid("serverWalletAddress", "is not your current server wallet"));
    }
    let nonce_ok = (16..=128).contains(&body.nonce.len())
        && body.nonce.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !nonce_ok {
        return Err(invalid("nonce", "must be 16 to 128 characters of A-Z, a-z, 0-9, '-' or '_'"));
    }
    if (body.issued_at - now_ms).abs() > MAX_CLOCK_SKEW_MS {
        return Err(invalid("issuedAt", "must be within 10 minutes of now"));
    }
    let signature = parse_signature("signature", &body.signature)?;
    let embedded = user
        .embedded_wallet_address
        .as_deref()
        .ok_or_else(|| ApiError::new(ErrorCode::SignatureError, "your token names no embedded wallet"))?;
    let embedded = parse_address("embeddedWallet", embedded)?;
    let message = binding_message(&named, &body.nonce, body.issued_at);
    if recover_personal_signer(message.as_bytes(), &signature) != Some(embedded) {
        return Err(ApiError::new(ErrorCode::SignatureError, "binding proof is not signed by your embedded wallet"));
    }
    let text = |s: String| SqlValue::Text(s);
    let rows = db
        .query(
            INSERT_SQL,
            &[
                text(user.id.clone()),
                text(wallet.id.clone()),
                text(embedded.to_checksum(None)),
                text(message),
                text(body.nonce.clone()),
                text(body.signature.to_ascii_lowercase()),
            ],
        )
        .map_err(|e| {
            if e.is_unique_violation() {
                ApiError::new(ErrorCode::SignatureError, "nonce already used: binding proofs cannot be replayed")
            } else {
                ApiError::from(e)
            }
        })?;
    let id = rows.first().and_then(|r| r.get("id").ok().cloned());
    Ok(json!({
        "id": match id { Some(SqlValue::Text(id)) => Value::String(id), _ => Value::Null },
        "serverWalletAddress": named.to_checksum(None),
        "embeddedAddress": embedded.to_checksum(None),
        "nonce": body.nonce,
        "verified": true,
    }))
}

/// The user's binding proofs, newest first.
pub fn list(db: &impl Db, user_id: &str) -> Result<Value, ApiError> {
    let rows = db.query(
        "SELECT bp.id, sw.address AS server_wallet_address, bp.embedded_address, bp.nonce,
                    (extract(epoch FROM bp.verified_at) * 1000)::int8 AS verified_at_ms
             FROM binding_proofs bp JOIN server_wallets sw ON sw.id = bp.server_wallet_id
             WHERE bp.user_id = $1 ORDER BY bp.verified_at DESC LIMIT 100",
        &[SqlValue::Text(user_id.to_string())],
    )?;
    let proofs = rows
        .iter()
        .map(|r| {
            Ok(json!({
                "id": r.text("id")?,
                "serverWalletAddress": r.text("server_wallet_address")?,
                "embeddedAddress": r.text("embedded_address")?,
                "nonce": r.text("nonce")?,
                "verifiedAt": Timestamp::from_millis(r.int("verified_at_ms")?).to_string(),
            }))
        })
        .collect::<Result<Vec<Value>, DbError>>()?;
    Ok(json!({ "bindingProofs": proofs }))
}

const INSERT_SQL: &str = "\
WITH proof AS (
  INSERT INTO binding_proofs (user_id, server_wallet_id, embedded_address, message, nonce, signature)
  VALUES ($1, $2, $3, $4, $5, $6)
  RETURNING id, user_id, server_wallet_id
), audit AS (
  INSERT INTO audit_logs (user_id, action, details)
  SELECT user_id, 'BINDING_PROOF_VERIFIED', jsonb_build_object('bindingProofId', id, 'serverWalletId', server_wallet_id)
  FROM proof
)
SELECT id FROM proof";

/// `GET /binding-proofs` (list) and `POST /binding-proofs` (submit).
pub async fn handle(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    request.query_params(&[])?;
    let user = authenticate(platform, request)?;
    match request.method.as_str() {
        "GET" => Ok(Response::json(200, &list(platform.db(), &user.id)?)),
        "POST" => {
            let body: BindingSubmission = parse_json_object(&request.body)?;
            let wallet = find_ready(platform.db(), &user.id)?.ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Conflict,
                    "no server wallet yet: call GET /me first (or this account signs with a legacy key)",
                )
            })?;
            let now = platform.clock().now_ms();
            Ok(Response::json(201, &submit(platform.db(), &user, &wallet, body, now)?))
        }
        _ => Err(ApiError::method_not_allowed(&["GET", "POST"])),
    }
}
