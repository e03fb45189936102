//! The operators' routes: `POST /admin/module-txs` queues a module transaction for a user (the
//! producer the runbook's procedures and the tests drive), `GET /admin/module-txs?status=
//! &userId=&limit=` lists them newest first.

use alloy_primitives::Bytes;
use serde::Deserialize;
use serde_json::{json, Value};

use super::enqueue::{enqueue, ModuleIntent};
use super::ModuleTxStatus;
use crate::api::{invalid, list_limit, parse_json_object, ApiError, ErrorCode, Request, Response, DEFAULT_LIST_LIMIT};
use crate::auth::require_admin;
use crate::evm::parse_address;
use crate::ports::{Db, Platform, Row, SqlValue};

const MAX_CALLDATA: usize = 24 * 1024;

pub async fn handle(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    if request.path.trim_end_matches('/') != "/admin/module-txs" {
        return Err(ApiError::new(ErrorCode::NotFound, "no such route"));
    }
    request.require_method(&["GET", "POST"])?;
    require_admin(request, platform.config())?;
    match request.method.as_str() {
        "POST" => create(platform, request),
        _ => list(platform, request),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CreateBody {
    user_id: String,
    to: String,
    data: String,
    idempotency_key: String,
    #[serde(default)]
    session_key_id: Option<String>,
}

fn identifier(field: &str, value: &str) -> Result<String, ApiError> {
    let value = value.trim();
    if value.is_empty() || value.len() > 200 || value.chars().any(char::is_control) {
        return Err(invalid(field, "must be 1 to 200 printable characters"));
    }
    Ok(value.to_string())
}

/// 201 when queued, 200 with the same row for a repeat of `idempotencyKey`.
fn create(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    request.query_params(&[])?;
    let body: CreateBody = parse_json_object(&request.body)?;
    let user_id = identifier("userId", &body.user_id)?;
    let to = parse_address("to", &body.to)?;
    if to.is_zero() {
        return Err(invalid("to", "must not be the zero address"));
    }
    let data = body
        .data
        .strip_prefix("0x")
        .filter(|h| h.len() % 2 == 0 && h.len() >= 8 && h.len() <= 2 * MAX_CALLDATA)
        .and_then(|h| alloy_primitives::hex::decode(h).ok())
        .map(Bytes::from)
        .ok_or_else(|| {
            invalid("data", "must be 0x-prefixed hex calldata: a selector and its arguments, at most 24 KiB")
        })?;
    let key = identifier("idempotencyKey", &body.idempotency_key)?;
    let session_key_id = body.session_key_id.as_deref().map(|k| identifier("sessionKeyId", k)).transpose()?;
    let intent = ModuleIntent { user_id, idempotency_key: format!("admin:{key}"), to, data, session_key_id };
    let enqueued = enqueue(platform.db(), &intent)?;
    let rows = platform.db().query(&format!("{LIST_SQL} WHERE mt.id = $1"), &[SqlValue::Text(enqueued.id)])?;
    let row = rows.first().ok_or_else(|| ApiError::new(ErrorCode::InternalError, "the queued row vanished"))?;
    Ok(Response::json(if enqueued.created { 201 } else { 200 }, &json!({ "moduleTx": listed(&row)? })))
}

const LIST_SQL: &str = "\
SELECT mt.id, sa.user_id, mt.session_key_id, mt.idempotency_key, mt.to_address, mt.value::text AS value, mt.data,
       mt.status, mt.module_nonce::text AS module_nonce,
       to_char(mt.deadline AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS deadline,
       mt.error_reason, mt.tx_hash, mt.gas_used, mt.relayer_tx_id,
       to_char(mt.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS created_at,
       to_char(mt.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS updated_at
FROM module_txs mt JOIN safe_automations sa ON sa.id = mt.safe_automation_id";

fn list(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    let (mut status, mut user, mut count) = (None, None, DEFAULT_LIST_LIMIT);
    for (name, value) in request.query_params(&["status", "userId", "limit"])? {
        match name.as_str() {
            "status" => {
                status = Some(
                    ModuleTxStatus::parse(&value)
                        .ok_or_else(|| invalid("status", "must be PENDING, SUBMITTED, CONFIRMED, FAILED or BLOCKED"))?,
                )
            }
            "userId" => user = Some(identifier("userId", &value)?),
            _ => count = list_limit(&value)?,
        }
    }
    let rows = platform.db().query(
        &format!(
            "{LIST_SQL} WHERE ($1::text IS NULL OR mt.status = $1) AND ($2::text IS NULL OR sa.user_id = $2)
             ORDER BY mt.created_at DESC, mt.id DESC LIMIT $3"
        ),
        &[
            status.map_or(SqlValue::Null, |s| SqlValue::Text(s.as_str().into())),
            user.map_or(SqlValue::Null, SqlValue::Text),
            SqlValue::Int(count),
        ],
    )?;
    let txs: Vec<Value> = rows.iter().map(|r| listed(&r)).collect::<Result<_, _>>()?;
    Ok(Response::json(200, &json!({ "moduleTxs": txs })))
}

fn listed(row: &Row<'_>) -> Result<Value, ApiError> {
    Ok(json!({
        "id": row.text("id")?,
        "userId": row.text("user_id")?,
        "sessionKeyId": row.text("session_key_id")?,
        "idempotencyKey": row.text("idempotency_key")?,
        "to": row.text("to_address")?,
        "value": row.text("value")?,
        "data": format!("0x{}", alloy_primitives::hex::encode(row.opt_bytes("data")?.unwrap_or_default())),
        "status": row.text("status")?,
        "moduleNonce": row.opt_text("module_nonce")?,
        "deadline": row.opt_text("deadline")?,
        "errorReason": row.opt_text("error_reason")?,
        "txHash": row.opt_text("tx_hash")?,
        "gasUsed": row.opt_int("gas_used")?,
        "relayerTxId": row.opt_text("relayer_tx_id")?,
        "createdAt": row.text("created_at")?,
        "updatedAt": row.text("updated_at")?,
    }))
}
