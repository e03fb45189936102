//! Session keys (runbook "Session Key Lifecycle", "Key Lifecycle", "Session Key Compromise"):
//! `POST /safe-automation/session-keys` generates a random key in the component, stores it
//! AES-256-GCM sealed under `trading_key_encryption_key` with the row id as associated data, and
//! proposes `registerSessionKey` as an owner transaction (the key is PENDING until the chain shows
//! it registered, then ACTIVE); `GET` lists the keys (never their private halves); `DELETE
//! /safe-automation/session-keys/{id}` marks the key REVOKED with its audit row in one statement,
//! at once, and proposes `revokeSessionKey` on chain. The private key leaves the component only
//! as a signature.

use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use k256::ecdsa::SigningKey;
use serde::Deserialize;
use serde_json::{json, Value};

use super::context::{Row, SafeContext};
use super::owner_tx::{self, Change, OwnerTx, OwnerTxKind, OwnerTxStatus};
use crate::api::{parse_json_object, ApiError, ErrorCode, Request, Response};
use crate::automation_module::IAutomationModule::{registerSessionKeyCall, revokeSessionKeyCall};
use crate::money::{format_micro, UsdText};
use crate::ports::{Db, Http, Platform, SqlValue};
use crate::safe_tx::Operation;
use crate::sealed;
use crate::settings;

/// Runbook defaults, which are also the most a caller may ask for: a key can be tightened, never
/// loosened past them.
const DEFAULT_TTL_SECS: i64 = 7 * 24 * 3600;
const MIN_TTL_SECS: i64 = 300;
const MAX_TTL_SECS: i64 = 30 * 24 * 3600;
const MAX_PER_TRADE_UNITS: i64 = 100_000_000;
const MAX_PER_DAY_UNITS: i64 = 1_000_000_000;
const MAX_TX_PER_HOUR: i64 = 60;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RegisterBody {
    ttl_seconds: Option<i64>,
    max_notional_per_trade: Option<UsdText>,
    max_notional_per_day: Option<UsdText>,
    max_tx_per_hour: Option<i64>,
}

/// A key's limits, validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub ttl_secs: i64,
    pub per_trade: i64,
    pub per_day: i64,
    pub tx_per_hour: i64,
}

fn invalid(field: &str, why: String) -> ApiError {
    ApiError::new(ErrorCode::ValidationError, format!("`{field}` {why}"))
}

fn limits(body: &RegisterBody) -> Result<Limits, ApiError> {
    let ttl_secs = body.ttl_seconds.unwrap_or(DEFAULT_TTL_SECS);
    if !(MIN_TTL_SECS..=MAX_TTL_SECS).contains(&ttl_secs) {
        return Err(invalid("ttlSeconds", format!("must be between {MIN_TTL_SECS} and {MAX_TTL_SECS}")));
    }
    let usd = |value: &Option<UsdText>, field: &str, default: i64| -> Result<i64, ApiError> {
        let units = match value {
            Some(text) => text.to_units(field)?,
            None => default,
        };
        if units > default {
            return Err(invalid(field, format!("must be at most {}", format_micro(default as i128))));
        }
        Ok(units)
    };
    let per_trade = usd(&body.max_notional_per_trade, "maxNotionalPerTrade", MAX_PER_TRADE_UNITS)?;
    let per_day = usd(&body.max_notional_per_day, "maxNotionalPerDay", MAX_PER_DAY_UNITS)?;
    if per_trade > per_day {
        return Err(invalid("maxNotionalPerTrade", "must not exceed `maxNotionalPerDay`".into()));
    }
    let tx_per_hour = body.max_tx_per_hour.unwrap_or(MAX_TX_PER_HOUR);
    if !(1..=MAX_TX_PER_HOUR).contains(&tx_per_hour) {
        return Err(invalid("maxTxPerHour", format!("must be between 1 and {MAX_TX_PER_HOUR}")));
    }
    Ok(Limits { ttl_secs, per_trade, per_day, tx_per_hour })
}

pub async fn handle(platform: &impl Platform, request: &Request, user_id: &str) -> Result<Response, ApiError> {
    let rest = request.path.strip_prefix("/safe-automation/session-keys").unwrap_or_default();
    match rest.strip_prefix('/') {
        None if rest.is_empty() => {
            request.require_method(&["GET", "POST"])?;
            if request.method == "GET" {
                list(platform, user_id).await
            } else {
                register(platform, request, user_id).await
            }
        }
        Some(id) if !id.is_empty() && !id.contains('/') => {
            request.require_method(&["DELETE"])?;
            revoke(platform, user_id, id).await
        }
        _ => Err(ApiError::new(ErrorCode::NotFound, "no such route")),
    }
}

/// A fresh secp256k1 key from the platform's randomness.
fn generate(platform: &impl Platform) -> SigningKey {
    loop {
        if let Ok(key) = SigningKey::from_slice(&platform.random().bytes(32)) {
            return key;
        }
    }
}

async fn register(platform: &impl Platform, request: &Request, user_id: &str) -> Result<Response, ApiError> {
    let body: RegisterBody = if request.body.iter().all(u8::is_ascii_whitespace) {
        RegisterBody::default()
    } else {
        parse_json_object(&request.body)?
    };
    let limits = limits(&body)?;
    let encryption_key = settings::text(platform.config(), settings::TRADING_KEY_ENCRYPTION_KEY)?;
    let ctx = SafeContext::load(platform, user_id, Row::Existing).await?;
    ctx.require_installed()?;
    owner_tx::settle_open(platform, &ctx).await?;
    let key = generate(platform);
    let address = Address::from_private_key(&key);
    let id = platform.random().id();
    let nonce: [u8; 12] = platform.random().bytes(12).try_into().expect("12 random bytes");
    let sealed = sealed::seal(&encryption_key, &id, key.to_bytes().as_slice(), nonce)?;
    drop(key);
    let valid_until = platform.clock().now_ms() / 1000 + limits.ttl_secs;
    let db = platform.db();
    db.execute(
        "INSERT INTO session_keys (id, safe_automation_id, address, enc_private_key, key_version, status,
           max_notional_per_trade, max_notional_per_day, max_tx_per_hour, expires_at)
         VALUES ($1, $2, $3, $4, $5::int8::int4, 'PENDING', $6, $7, $8::int8::int4, to_timestamp($9::int8))",
        &[
            SqlValue::Text(id.clone()),
            SqlValue::Text(ctx.automation.id.clone()),
            SqlValue::Text(format!("{address:#x}")),
            SqlValue::Bytes(sealed),
            SqlValue::Int(crate::module_exec::SEALED_KEY_VERSION),
            SqlValue::Int(limits.per_trade),
            SqlValue::Int(limits.per_day),
            SqlValue::Int(limits.tx_per_hour),
            SqlValue::Int(valid_until),
        ],
    )?;
    let call = registerSessionKeyCall {
        sessionKey: address,
        validUntil: U256::from(valid_until),
        maxNotionalPerTrade: U256::from(limits.per_trade),
        maxNotionalPerDay: U256::from(limits.per_day),
        maxTxPerHour: U256::from(limits.tx_per_hour),
    };
    let change = Change {
        kind: OwnerTxKind::RegisterSessionKey,
        subject: Some(&id),
        details: json!({ "address": format!("{address:#x}") }),
        to: ctx.config.module,
        data: call.abi_encode().into(),
        operation: Operation::Call,
    };
    let otx = match owner_tx::propose(platform, &ctx, change) {
        Ok(otx) => otx,
        Err(e) => {
            // Never proposed: the key must not outlive the request.
            db.execute("DELETE FROM session_keys WHERE id = $1 AND status = 'PENDING'", &[SqlValue::Text(id)])?;
            return Err(e);
        }
    };
    let otx = owner_tx::sign_if_authority_owns(platform, &ctx, otx).await?;
    answer(platform.db(), &ctx, &id, &otx)
}

fn answer<H: Http>(db: &impl Db, ctx: &SafeContext<'_, H>, id: &str, otx: &OwnerTx) -> Result<Response, ApiError> {
    let key = keys(db, &ctx.automation.id, Some(id))?.into_iter().next().unwrap_or(Value::Null);
    let status = if otx.status == OwnerTxStatus::AwaitingSignature { 200 } else { 202 };
    Ok(Response::json(status, &json!({ "sessionKey": key, "ownerTransaction": owner_tx::describe(ctx, otx) })))
}

async fn list(platform: &impl Platform, user_id: &str) -> Result<Response, ApiError> {
    let ctx = SafeContext::load(platform, user_id, Row::Existing).await?;
    owner_tx::settle_open(platform, &ctx).await?;
    Ok(Response::json(200, &json!({ "sessionKeys": keys(platform.db(), &ctx.automation.id, None)? })))
}

/// The Safe's keys (or one), newest first, as the caller may see them.
fn keys(db: &impl Db, automation_id: &str, id: Option<&str>) -> Result<Vec<Value>, ApiError> {
    let rows = db.query(
        "SELECT id, address, status, key_version::int8 AS key_version, max_notional_per_trade,
           max_notional_per_day, max_tx_per_hour::int8 AS max_tx_per_hour, registered_tx_hash, revoked_tx_hash,
           to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS expires_at,
           to_char(revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS revoked_at,
           to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS created_at
         FROM session_keys WHERE safe_automation_id = $1 AND ($2::text IS NULL OR id = $2)
         ORDER BY created_at DESC, id",
        &[SqlValue::Text(automation_id.into()), id.map(|i| SqlValue::Text(i.into())).unwrap_or(SqlValue::Null)],
    )?;
    let found = rows
        .iter()
        .map(|row| {
            Ok(json!({
                "id": row.text("id")?,
                "address": row.text("address")?,
                "status": row.text("status")?,
                "keyVersion": row.int("key_version")?,
                "maxNotionalPerTrade": format_micro(row.int("max_notional_per_trade")? as i128),
                "maxNotionalPerDay": format_micro(row.int("max_notional_per_day")? as i128),
                "maxTxPerHour": row.int("max_tx_per_hour")?,
                "expiresAt": row.text("expires_at")?,
                "revokedAt": row.opt_text("revoked_at")?,
                "registeredTxHash": row.opt_text("registered_tx_hash")?,
                "revokedTxHash": row.opt_text("revoked_tx_hash")?,
                "createdAt": row.text("created_at")?,
            }))
        })
        .collect::<Result<Vec<_>, crate::ports::DbError>>()?;
    Ok(found)
}

async fn revoke(platform: &impl Platform, user_id: &str, id: &str) -> Result<Response, ApiError> {
    let ctx = SafeContext::load(platform, user_id, Row::Existing).await?;
    owner_tx::settle_open(platform, &ctx).await?;
    let db = platform.db();
    // Revoked in Mirror at once, with its audit row, in one statement: module-exec never uses it again.
    let rows = db.query(
        "WITH key AS (
           SELECT id, address, status, registered_tx_hash, revoked_tx_hash FROM session_keys
           WHERE id = $1 AND safe_automation_id = $2
         ), revoked AS (
           UPDATE session_keys s SET status = 'REVOKED', revoked_at = now() FROM key
           WHERE s.id = key.id AND s.status <> 'REVOKED' RETURNING s.id
         ), audit AS (
           INSERT INTO audit_logs (user_id, action, actor, details)
           SELECT $3, 'SESSION_KEY_REVOKED', 'user', jsonb_build_object('sessionKeyId', key.id, 'address', key.address)
           FROM key JOIN revoked ON revoked.id = key.id RETURNING id
         )
         SELECT key.address, key.registered_tx_hash, key.revoked_tx_hash FROM key",
        &[SqlValue::Text(id.into()), SqlValue::Text(ctx.automation.id.clone()), SqlValue::Text(user_id.into())],
    )?;
    let row = rows.first().ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such session key on your Safe"))?;
    let address: Address = super::parse_address(&row.text("address")?)?;
    let registered = row.opt_text("registered_tx_hash")?.is_some();
    let revoked_on_chain = row.opt_text("revoked_tx_hash")?.is_some();
    let open = owner_tx::store::open(db, &ctx.automation.id)?;
    if let Some(open) = open.filter(|o| o.subject.as_deref() == Some(id) && o.kind == OwnerTxKind::RegisterSessionKey) {
        if open.status == OwnerTxStatus::Submitted {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "the key is revoked in Mirror; its registration is still executing: DELETE again once it settles to revoke it on chain",
            ));
        }
        // Its registration was never signed: it never will be.
        owner_tx::store::supersede(db, &open.id)?;
    }
    if !registered || revoked_on_chain {
        // Never on chain, or already revoked there: nothing to send.
        let key = keys(db, &ctx.automation.id, Some(id))?.into_iter().next().unwrap_or(Value::Null);
        return Ok(Response::json(200, &json!({ "sessionKey": key, "ownerTransaction": Value::Null })));
    }
    let change = Change {
        kind: OwnerTxKind::RevokeSessionKey,
        subject: Some(id),
        details: json!({ "address": format!("{address:#x}") }),
        to: ctx.config.module,
        data: revokeSessionKeyCall { sessionKey: address }.abi_encode().into(),
        operation: Operation::Call,
    };
    let otx = owner_tx::propose(platform, &ctx, change)?;
    let otx = owner_tx::sign_if_authority_owns(platform, &ctx, otx).await?;
    answer(db, &ctx, id, &otx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: &str) -> RegisterBody {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn defaults_are_the_runbooks_and_callers_may_only_tighten_them() {
        assert_eq!(
            limits(&RegisterBody::default()).unwrap(),
            Limits { ttl_secs: 604_800, per_trade: 100_000_000, per_day: 1_000_000_000, tx_per_hour: 60 }
        );
        let tight =
            body(r#"{"ttlSeconds": 300, "maxNotionalPerTrade": "2.5", "maxNotionalPerDay": 10, "maxTxPerHour": 1}"#);
        assert_eq!(
            limits(&tight).unwrap(),
            Limits { ttl_secs: 300, per_trade: 2_500_000, per_day: 10_000_000, tx_per_hour: 1 }
        );
        for (json, field) in [
            (r#"{"ttlSeconds": 299}"#, "ttlSeconds"),
            (r#"{"ttlSeconds": 2592001}"#, "ttlSeconds"),
            (r#"{"maxNotionalPerTrade": "100.000001"}"#, "maxNotionalPerTrade"),
            (r#"{"maxNotionalPerDay": "1000.01"}"#, "maxNotionalPerDay"),
            (r#"{"maxNotionalPerTrade": "50", "maxNotionalPerDay": "20"}"#, "maxNotionalPerTrade"),
            (r#"{"maxNotionalPerTrade": "0"}"#, "maxNotionalPerTrade"),
            (r#"{"maxTxPerHour": 0}"#, "maxTxPerHour"),
            (r#"{"maxTxPerHour": 61}"#, "maxTxPerHour"),
        ] {
            let error = limits(&body(json)).unwrap_err();
            assert!(error.message.contains(field), "{json}: {}", error.message);
        }
    }
}
