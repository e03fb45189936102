//! The operators' routes (runbooks 000/001 "Retry Failed Relayer Transaction", "Failed
//! Withdrawals"; 004 DLQ): `POST /admin/retry-relayer`, `GET /admin/relayer/transactions`,
//! `GET /admin/dead-letters`, and `POST /admin/relayer/transactions` — an operator's own
//! transaction sent by the relayer, instead of its key in a terminal (runbook 004 "Manual
//! Transaction Submission").

use alloy_primitives::{Bytes, U256};
use serde::Deserialize;
use serde_json::{json, Value};

use super::enqueue::{enqueue, Intent};
use super::store::{self, hex_bytes, RelayerTx, Retried};
use super::tx_status::{TxKind, TxStatus};
use crate::api::{invalid, list_limit, parse_json_object, ApiError, ErrorCode, Request, Response, DEFAULT_LIST_LIMIT};
use crate::auth::require_admin;
use crate::evm::parse_address;
use crate::ports::{Db, Platform, Row, SqlValue};

pub async fn handle(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    let path = request.path.trim_end_matches('/');
    let allowed: &[&str] = match path {
        "/admin/retry-relayer" => &["POST"],
        "/admin/relayer/transactions" => &["GET", "POST"],
        "/admin/dead-letters" => &["GET"],
        _ => return Err(ApiError::new(ErrorCode::NotFound, "no such route")),
    };
    request.require_method(allowed)?;
    require_admin(request, platform.config())?;
    match (path, request.method.as_str()) {
        ("/admin/retry-relayer", _) => retry(platform, request),
        ("/admin/relayer/transactions", "POST") => submit(platform, request),
        ("/admin/relayer/transactions", _) => list_transactions(platform, request),
        _ => list_dead_letters(platform, request),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RetryBody {
    tx_id: String,
}

/// A FAILED (dead-lettered) row back to PENDING: a new attempt under the same idempotency key,
/// with a new nonce. 404 for an unknown id, 409 for a row that is not FAILED.
fn retry(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    request.query_params(&[])?;
    let body: RetryBody = parse_json_object(&request.body)?;
    let id = body.tx_id.trim();
    if id.is_empty() || id.len() > 128 {
        return Err(invalid("txId", "must be a transaction id (1 to 128 characters)"));
    }
    match store::retry(platform.db(), id, "admin")? {
        Retried::Unknown => Err(ApiError::new(ErrorCode::NotFound, "no relayer transaction has this `txId`")),
        Retried::Yes => Ok(Response::json(200, &json!({ "txId": id, "status": TxStatus::Pending.as_str() }))),
        Retried::NotFailed(status) => Err(ApiError::new(
            ErrorCode::Conflict,
            format!("the transaction is {status}, not FAILED: only a failed transaction is retried"),
        )),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SubmitBody {
    to: String,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    data: Option<String>,
    idempotency_key: String,
}

/// An operator's transaction through the relayer: 201 when queued, 200 with the same row for a
/// repeat of `idempotencyKey`.
fn submit(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    request.query_params(&[])?;
    let body: SubmitBody = parse_json_object(&request.body)?;
    let to = parse_address("to", &body.to)?;
    let value = match body.value.as_deref() {
        None => U256::ZERO,
        Some(text) if !text.is_empty() && text.len() <= 78 && text.bytes().all(|b| b.is_ascii_digit()) => {
            U256::from_str_radix(text, 10).map_err(|_| invalid("value", "must be an amount of wei in decimal"))?
        }
        Some(_) => return Err(invalid("value", "must be an amount of wei in decimal")),
    };
    let data = match body.data.as_deref() {
        None => Bytes::new(),
        Some(hex) => {
            let valid = hex.strip_prefix("0x").filter(|h| h.len() % 2 == 0 && h.len() <= 2 * 24 * 1024);
            valid
                .and_then(|h| alloy_primitives::hex::decode(h).ok())
                .map(Bytes::from)
                .ok_or_else(|| invalid("data", "must be 0x-prefixed hex of at most 24 KiB"))?
        }
    };
    let key = body.idempotency_key.trim();
    if key.is_empty() || key.len() > 200 || key.chars().any(char::is_control) {
        return Err(invalid("idempotencyKey", "must be 1 to 200 printable characters"));
    }
    let intent =
        Intent { kind: TxKind::Manual, user_id: None, idempotency_key: format!("manual:{key}"), to, value, data };
    let enqueued = enqueue(platform.db(), platform.config(), &intent)?;
    Ok(Response::json(if enqueued.created { 201 } else { 200 }, &tx_json(&enqueued.tx)))
}

fn tx_json(tx: &RelayerTx) -> Value {
    json!({
        "id": tx.id,
        "kind": tx.kind.as_str(),
        "status": tx.status.as_str(),
        "relayerAddress": tx.relayer.map(|a| format!("{a:#x}")),
        "nonce": tx.nonce,
        "to": format!("{:#x}", tx.to),
        "value": tx.value.to_string(),
        "data": hex_bytes(&tx.data),
        "sentHashes": tx.sent_hashes,
        "attempts": tx.attempts,
    })
}

const LIST_SQL: &str = "\
SELECT id, kind, status, user_id, relayer_address, nonce, to_address, value::text AS value, tx_hash,
       to_jsonb(sent_hashes) AS sent_hashes, gas_used, effective_gas_price::text AS effective_gas_price,
       block_number, attempts, error_reason, revert_data,
       to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS created_at,
       to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS updated_at
FROM relayer_txs
WHERE ($1::text IS NULL OR status = $1)
ORDER BY created_at DESC, id DESC
LIMIT $2";

/// `GET /admin/relayer/transactions?status=&limit=`: newest first.
fn list_transactions(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    let mut status = None;
    let mut count = DEFAULT_LIST_LIMIT;
    for (name, value) in request.query_params(&["status", "limit"])? {
        match name.as_str() {
            "status" => {
                let parsed = TxStatus::parse(&value)
                    .ok_or_else(|| invalid("status", "must be PENDING, SUBMITTED, CONFIRMED or FAILED"))?;
                status = Some(parsed);
            }
            _ => count = list_limit(&value)?,
        }
    }
    let rows = platform.db().query(
        LIST_SQL,
        &[status.map_or(SqlValue::Null, |s| SqlValue::Text(s.as_str().into())), SqlValue::Int(count)],
    )?;
    let transactions: Vec<Value> = rows.iter().map(|r| listed(&r)).collect::<Result<_, _>>()?;
    Ok(Response::json(200, &json!({ "transactions": transactions })))
}

fn listed(row: &Row<'_>) -> Result<Value, ApiError> {
    Ok(json!({
        "id": row.text("id")?,
        "kind": row.text("kind")?,
        "status": row.text("status")?,
        "userId": row.opt_text("user_id")?,
        "relayerAddress": row.opt_text("relayer_address")?,
        "nonce": row.opt_int("nonce")?,
        "to": row.text("to_address")?,
        "value": row.text("value")?,
        "txHash": row.opt_text("tx_hash")?,
        "sentHashes": row.json("sent_hashes")?,
        "gasUsed": row.opt_int("gas_used")?,
        "effectiveGasPrice": row.opt_text("effective_gas_price")?,
        "blockNumber": row.opt_int("block_number")?,
        "attempts": row.int("attempts")?,
        "errorReason": row.opt_text("error_reason")?,
        "revertData": row.opt_bytes("revert_data")?.map(|d| hex_bytes(&d)),
        "createdAt": row.text("created_at")?,
        "updatedAt": row.text("updated_at")?,
    }))
}

const DEAD_LETTERS_SQL: &str = "\
SELECT id, kind, reference_id, payload, error, attempts,
       to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS created_at
FROM dead_letters
WHERE resolved_at IS NULL
ORDER BY created_at DESC, id DESC
LIMIT $1";

/// `GET /admin/dead-letters?limit=`: the open ones (not yet retried), newest first.
fn list_dead_letters(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    let mut count = DEFAULT_LIST_LIMIT;
    for (_, value) in request.query_params(&["limit"])? {
        count = list_limit(&value)?;
    }
    let rows = platform.db().query(DEAD_LETTERS_SQL, &[SqlValue::Int(count)])?;
    let letters: Vec<Value> = rows
        .iter()
        .map(|r| -> Result<Value, ApiError> {
            Ok(json!({
                "id": r.text("id")?,
                "kind": r.text("kind")?,
                "referenceId": r.text("reference_id")?,
                "payload": r.json("payload")?,
                "error": r.text("error")?,
                "attempts": r.int("attempts")?,
                "createdAt": r.text("created_at")?,
            }))
        })
        .collect::<Result<_, _>>()?;
    Ok(Response::json(200, &json!({ "deadLetters": letters })))
}
