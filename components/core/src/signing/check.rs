//! `POST /admin/signing/check`: signs a harmless canary payload with a user's trading authority
//! through the full signing path, so an operator can prove signing works end to end (runbook
//! pre-migration checklist: "DYNAMIC_API_KEY is set and verified"). The canary transaction is
//! returned, never broadcast.

use serde::Deserialize;
use serde_json::{json, Value};

use super::signer_client::SignPayload;
use super::{sign, SigningJob};
use crate::api::{parse_json_object, ApiError, ErrorCode, Request, Response};
use crate::auth::require_admin;
use crate::evm::{parse_address, parse_signature, recover_personal_signer};
use crate::ports::Platform;
use crate::trading_authority;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CheckRequest {
    user_id: String,
    kind: Kind,
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Kind {
    Message,
    TypedData,
    Transaction,
}

pub async fn handle(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    require_admin(request, platform.config())?;
    request.require_method(&["POST"])?;
    request.query_params(&[])?;
    let check: CheckRequest = parse_json_object(&request.body)?;
    let authority = trading_authority::find(platform, &check.user_id)?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "user has no trading authority"))?;
    let started = platform.clock().now_ms();
    let payload = canary(check.kind, &check.user_id, authority.address(), started);
    let job =
        SigningJob { user_id: &check.user_id, authority: &authority, purpose: "SIGNING_CHECK", payload: &payload };
    let signed = sign(platform, job).await?;
    // Message signatures are recovered here; typed data and transactions are returned for the
    // caller to verify (the app holds no EIP-712 or RLP codec for arbitrary payloads).
    let verified = match &payload {
        SignPayload::Message(bytes) => {
            let signature = parse_signature("signature", &signed.signature)?;
            let address = parse_address("address", authority.address())?;
            Value::Bool(recover_personal_signer(bytes, &signature) == Some(address))
        }
        _ => Value::Null,
    };
    let payload_json = match &payload {
        SignPayload::Message(bytes) => Value::String(String::from_utf8_lossy(bytes).into_owned()),
        SignPayload::TypedData(v) | SignPayload::Transaction(v) => v.clone(),
    };
    Ok(Response::json(
        200,
        &json!({
            "address": authority.address(),
            "authority": authority.kind(),
            "payload": payload_json,
            "signed": signed,
            "verified": verified,
            "latencyMs": platform.clock().now_ms() - started,
        }),
    ))
}

fn canary(kind: Kind, user_id: &str, address: &str, at_ms: i64) -> SignPayload {
    match kind {
        Kind::Message => {
            SignPayload::Message(format!("Mirror signing check\nUser: {user_id}\nAt: {at_ms}").into_bytes())
        }
        Kind::TypedData => SignPayload::TypedData(json!({
            "types": {
                "EIP712Domain": [
                    { "name": "name", "type": "string" },
                    { "name": "version", "type": "string" },
                    { "name": "chainId", "type": "uint256" }
                ],
                "SigningCheck": [
                    { "name": "user", "type": "string" },
                    { "name": "at", "type": "uint256" }
                ]
            },
            "primaryType": "SigningCheck",
            "domain": { "name": "Mirror Signing Check", "version": "1", "chainId": 137 },
            "message": { "user": user_id, "at": at_ms.to_string() }
        })),
        Kind::Transaction => SignPayload::Transaction(json!({
            "chainId": 137, "nonce": 0, "to": address, "value": "0", "data": "0x",
            "gasLimit": 21000, "maxFeePerGas": "1", "maxPriorityFeePerGas": "1"
        })),
    }
}
