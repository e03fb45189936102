//! Every statement on `module_txs` the worker makes. Each is one round trip for the whole batch
//! (rows go in as one JSON array) and is guarded by the tick's lease and the status a row may
//! leave, so a row an operator changed by hand (runbook "Module Stuck Transactions") is never
//! moved again and a row another tick took over is left to it.

use alloy_primitives::{hex, Address, Bytes, U256};
use serde_json::{json, Value};

use super::ModuleTxStatus;
use crate::ports::{Db, DbError, Row, SqlValue};

fn text(value: impl ToString) -> SqlValue {
    SqlValue::Text(value.to_string())
}

fn conversion(what: &str) -> impl Fn() -> DbError + '_ {
    move || DbError::Conversion(format!("module_txs: {what} is malformed"))
}

fn parse_address(row: &Row<'_>, column: &str) -> Result<Address, DbError> {
    row.text(column)?.parse().map_err(|_| DbError::Conversion(format!("`{column}` is not an address")))
}

fn opt_u256(row: &Row<'_>, column: &str) -> Result<Option<U256>, DbError> {
    row.opt_text(column)?
        .map(|d| U256::from_str_radix(&d, 10).map_err(|_| DbError::Conversion(format!("`{column}` is not an integer"))))
        .transpose()
}

/// Marks ACTIVE keys past `expires_at` EXPIRED (runbook "Expired session keys needing cleanup").
pub fn expire_keys(db: &impl Db) -> Result<u64, DbError> {
    db.execute(
        "UPDATE session_keys SET status = 'EXPIRED', updated_at = now() WHERE status = 'ACTIVE' AND expires_at < now()",
        &[],
    )
}

/// The authorization fixed for a row before its key signs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fixed {
    pub nonce: U256,
    pub deadline: i64,
    pub epoch: U256,
    pub min_gas: U256,
}

impl Fixed {
    /// The authorization a row holds (columns `module_nonce`, `deadline`, `epoch`, `min_gas`),
    /// or `None` before one was fixed.
    fn from_row(row: &Row<'_>) -> Result<Option<Fixed>, DbError> {
        let Some(nonce) = opt_u256(row, "module_nonce")? else {
            return Ok(None);
        };
        Ok(Some(Fixed {
            nonce,
            deadline: row.opt_int("deadline")?.ok_or_else(conversion("deadline"))?,
            epoch: opt_u256(row, "epoch")?.ok_or_else(conversion("epoch"))?,
            min_gas: opt_u256(row, "min_gas")?.ok_or_else(conversion("min_gas"))?,
        }))
    }
}

/// The session key's state in Mirror when the row was claimed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyState {
    Active,
    /// Registered on chain not yet: the row waits.
    Pending,
    Revoked,
    Expired,
}

/// A PENDING row claimed by this tick, with its key and Safe.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub id: String,
    pub user_id: String,
    pub safe: Address,
    pub module: Address,
    pub to: Address,
    pub value: U256,
    pub data: Bytes,
    pub fixed: Option<Fixed>,
    pub signature: Option<Bytes>,
    pub key_id: String,
    pub key_address: Address,
    pub key_state: KeyState,
    pub key_expires: i64,
    pub key_version: i64,
    pub sealed_key: Vec<u8>,
}

impl Claimed {
    fn from_row(row: &Row<'_>, now_secs: i64) -> Result<Claimed, DbError> {
        let key_expires = row.int("key_expires")?;
        let key_state = match row.text("key_status")?.as_str() {
            "ACTIVE" if key_expires <= now_secs => KeyState::Expired,
            "ACTIVE" => KeyState::Active,
            "PENDING" => KeyState::Pending,
            "REVOKED" => KeyState::Revoked,
            "EXPIRED" => KeyState::Expired,
            other => return Err(DbError::Conversion(format!("session_keys.status `{other}` is unknown"))),
        };
        let fixed = Fixed::from_row(row)?;
        Ok(Claimed {
            id: row.text("id")?,
            user_id: row.text("user_id")?,
            safe: parse_address(row, "safe_address")?,
            module: parse_address(row, "module_address")?,
            to: parse_address(row, "to_address")?,
            value: opt_u256(row, "value")?.ok_or_else(conversion("value"))?,
            data: row.opt_bytes("data")?.unwrap_or_default().into(),
            fixed,
            signature: row.opt_bytes("signature")?.map(Bytes::from),
            key_id: row.text("key_id")?,
            key_address: parse_address(row, "key_address")?,
            key_state,
            key_expires,
            key_version: row.int("key_version")?,
            sealed_key: row.opt_bytes("enc_private_key")?.ok_or_else(conversion("enc_private_key"))?,
        })
    }
}

/// Claims up to `limit` PENDING rows nobody holds, oldest first, under this tick's lease.
pub fn claim(db: &impl Db, tick: &str, lease_ms: i64, limit: i64, now_secs: i64) -> Result<Vec<Claimed>, DbError> {
    let rows = db.query(
        "WITH picked AS (
           SELECT id FROM module_txs
           WHERE status = 'PENDING' AND (lease_expires_at IS NULL OR lease_expires_at < now())
           ORDER BY created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
         UPDATE module_txs mt
         SET lease_owner = $1, lease_expires_at = now() + $2::int8 * interval '1 millisecond', updated_at = now()
         FROM picked, session_keys sk, safe_automations sa
         WHERE mt.id = picked.id AND sk.id = mt.session_key_id AND sa.id = mt.safe_automation_id
         RETURNING mt.id, sa.user_id, sa.safe_address, sa.module_address, mt.to_address, mt.value::text AS value,
           mt.data, mt.module_nonce::text AS module_nonce, extract(epoch FROM mt.deadline)::int8 AS deadline,
           mt.epoch::text AS epoch, mt.min_gas::text AS min_gas, mt.signature, sk.id AS key_id,
           sk.address AS key_address, sk.status AS key_status, extract(epoch FROM sk.expires_at)::int8 AS key_expires,
           sk.key_version::int8 AS key_version, sk.enc_private_key",
        &[text(tick), SqlValue::Int(lease_ms), SqlValue::Int(limit)],
    )?;
    rows.iter().map(|row| Claimed::from_row(&row, now_secs)).collect()
}

/// Gives each row without one a module nonce from its key's counter, with its deadline, epoch
/// and minimum gas, before anything is signed. Returns the rows fixed, by id.
pub fn fix(db: &impl Db, tick: &str, wanted: &[(String, i64, U256, u64)]) -> Result<Vec<(String, Fixed)>, DbError> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let batch: Vec<Value> = wanted
        .iter()
        .map(|(id, deadline, epoch, min_gas)| {
            json!({ "id": id, "deadline": deadline, "epoch": epoch.to_string(), "min_gas": min_gas.to_string() })
        })
        .collect();
    let rows = db.query(
        "WITH want AS (
           SELECT u.id, u.deadline, u.epoch, u.min_gas, mt.session_key_id,
                  row_number() OVER (PARTITION BY mt.session_key_id ORDER BY mt.created_at, mt.id) AS n
           FROM jsonb_to_recordset($2::jsonb) AS u(id text, deadline int8, epoch text, min_gas text)
           JOIN module_txs mt ON mt.id = u.id
           WHERE mt.lease_owner = $1 AND mt.status = 'PENDING' AND mt.module_nonce IS NULL),
         counts AS (SELECT session_key_id, count(*) AS c FROM want GROUP BY session_key_id),
         bumped AS (
           UPDATE session_keys sk SET next_module_nonce = sk.next_module_nonce + counts.c, updated_at = now()
           FROM counts WHERE sk.id = counts.session_key_id
           RETURNING sk.id, sk.next_module_nonce - counts.c AS base)
         UPDATE module_txs mt
         SET module_nonce = bumped.base + want.n - 1, deadline = to_timestamp(want.deadline),
             epoch = want.epoch::numeric, min_gas = want.min_gas::numeric, updated_at = now()
         FROM want JOIN bumped ON bumped.id = want.session_key_id
         WHERE mt.id = want.id AND mt.lease_owner = $1 AND mt.status = 'PENDING' AND mt.module_nonce IS NULL
         RETURNING mt.id, mt.module_nonce::text AS module_nonce, extract(epoch FROM mt.deadline)::int8 AS deadline,
           mt.epoch::text AS epoch, mt.min_gas::text AS min_gas",
        &[text(tick), SqlValue::Json(Value::Array(batch))],
    )?;
    rows.iter()
        .map(|row| Ok((row.text("id")?, Fixed::from_row(&row)?.ok_or_else(conversion("module_nonce"))?)))
        .collect()
}

/// Keeps each row's signed authorization: from now on the row is sent with exactly it.
pub fn store_signatures(db: &impl Db, tick: &str, signed: &[(String, Bytes)]) -> Result<u64, DbError> {
    if signed.is_empty() {
        return Ok(0);
    }
    let batch: Vec<Value> =
        signed.iter().map(|(id, signature)| json!({ "id": id, "signature": hex::encode(signature) })).collect();
    db.execute(
        "UPDATE module_txs mt SET signature = decode(u.signature, 'hex'), signed_at = now(), updated_at = now()
         FROM jsonb_to_recordset($2::jsonb) AS u(id text, signature text)
         WHERE mt.id = u.id AND mt.lease_owner = $1 AND mt.status = 'PENDING' AND mt.signature IS NULL
           AND mt.module_nonce IS NOT NULL",
        &[text(tick), SqlValue::Json(Value::Array(batch))],
    )
}

/// One row handed to the relayer: `executeFromSessionKey` calldata to the module.
#[derive(Clone, Debug)]
pub struct Submission {
    pub id: String,
    pub user_id: String,
    pub module: Address,
    pub calldata: Bytes,
}

/// In one statement per batch: a MODULE_EXEC relayer row for each row still PENDING under this
/// tick's lease whose key is still ACTIVE (the revocation statement and this one are ordered by
/// the key's row lock), and the row SUBMITTED with it. Returns the ids submitted.
pub fn submit(db: &impl Db, tick: &str, submissions: &[Submission]) -> Result<Vec<String>, DbError> {
    if submissions.is_empty() {
        return Ok(Vec::new());
    }
    let batch: Vec<Value> = submissions
        .iter()
        .map(|s| {
            json!({
                "id": s.id, "user_id": s.user_id, "to_address": format!("{:#x}", s.module),
                "data": hex::encode(&s.calldata), "idempotency_key": super::relayer_key(&s.id),
            })
        })
        .collect();
    let rows = db.query(
        "WITH u AS (
           SELECT * FROM jsonb_to_recordset($2::jsonb)
             AS u(id text, user_id text, to_address text, data text, idempotency_key text)),
         live AS (
           SELECT sk.id FROM session_keys sk
           WHERE sk.id IN (SELECT session_key_id FROM module_txs WHERE id IN (SELECT id FROM u))
             AND sk.status = 'ACTIVE' AND sk.expires_at > now()
           FOR SHARE),
         ok AS (
           SELECT mt.id FROM module_txs mt JOIN u ON u.id = mt.id JOIN live ON live.id = mt.session_key_id
           WHERE mt.lease_owner = $1 AND mt.status = 'PENDING' AND mt.signature IS NOT NULL
           FOR UPDATE OF mt),
         ins AS (
           INSERT INTO relayer_txs (kind, user_id, idempotency_key, to_address, value, data)
           SELECT 'MODULE_EXEC', u.user_id, u.idempotency_key, u.to_address, 0, decode(u.data, 'hex')
           FROM u JOIN ok ON ok.id = u.id
           ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key
           RETURNING id, idempotency_key)
         UPDATE module_txs mt
         SET status = 'SUBMITTED', relayer_tx_id = ins.id, lease_owner = NULL, lease_expires_at = NULL,
             updated_at = now()
         FROM u JOIN ins ON ins.idempotency_key = u.idempotency_key
         WHERE mt.id = u.id
         RETURNING mt.id",
        &[text(tick), SqlValue::Json(Value::Array(batch))],
    )?;
    rows.iter().map(|row| row.text("id")).collect()
}

/// A row's end: BLOCKED or FAILED with its reason, or CONFIRMED with its hash and gas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub id: String,
    pub status: ModuleTxStatus,
    pub reason: Option<String>,
    pub tx_hash: Option<String>,
    pub gas_used: Option<i64>,
}

/// Ends rows that are still `from` (PENDING rows only under this tick's lease).
pub fn finish(db: &impl Db, tick: &str, from: ModuleTxStatus, outcomes: &[Outcome]) -> Result<u64, DbError> {
    if outcomes.is_empty() {
        return Ok(0);
    }
    let batch: Vec<Value> = outcomes
        .iter()
        .map(|o| {
            json!({
                "id": o.id, "status": o.status.as_str(), "reason": o.reason,
                "tx_hash": o.tx_hash, "gas_used": o.gas_used,
            })
        })
        .collect();
    db.execute(
        "UPDATE module_txs mt
         SET status = u.status, error_reason = u.reason, tx_hash = COALESCE(u.tx_hash, mt.tx_hash),
             gas_used = COALESCE(u.gas_used, mt.gas_used), lease_owner = NULL, lease_expires_at = NULL,
             updated_at = now()
         FROM jsonb_to_recordset($3::jsonb) AS u(id text, status text, reason text, tx_hash text, gas_used int8)
         WHERE mt.id = u.id AND mt.status = $2 AND (mt.status <> 'PENDING' OR mt.lease_owner = $1)",
        &[text(tick), text(from.as_str()), SqlValue::Json(Value::Array(batch))],
    )
}

/// Lets go of rows this tick leaves PENDING (to be tried by the next tick).
pub fn release(db: &impl Db, tick: &str, ids: &[String]) -> Result<u64, DbError> {
    if ids.is_empty() {
        return Ok(0);
    }
    db.execute(
        "UPDATE module_txs SET lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
         WHERE id IN (SELECT jsonb_array_elements_text($2::jsonb)) AND lease_owner = $1 AND status = 'PENDING'",
        &[text(tick), SqlValue::Json(json!(ids))],
    )
}

/// A SUBMITTED row whose relayer transaction has ended.
#[derive(Clone, Debug)]
pub struct Settled {
    pub id: String,
    pub confirmed: bool,
    pub tx_hash: Option<String>,
    pub gas_used: Option<i64>,
    pub revert_data: Option<Vec<u8>>,
    pub relayer_error: Option<String>,
}

/// SUBMITTED rows whose relayer row is CONFIRMED or FAILED.
pub fn ended(db: &impl Db, limit: i64) -> Result<Vec<Settled>, DbError> {
    let rows = db.query(
        "SELECT mt.id, r.status = 'CONFIRMED' AS confirmed, r.tx_hash, r.gas_used, r.revert_data,
                r.error_reason AS relayer_error
         FROM module_txs mt JOIN relayer_txs r ON r.id = mt.relayer_tx_id
         WHERE mt.status = 'SUBMITTED' AND r.status IN ('CONFIRMED', 'FAILED')
         ORDER BY mt.created_at LIMIT $1",
        &[SqlValue::Int(limit)],
    )?;
    rows.iter()
        .map(|row| {
            Ok(Settled {
                id: row.text("id")?,
                confirmed: row.bool("confirmed")?,
                tx_hash: row.opt_text("tx_hash")?,
                gas_used: row.opt_int("gas_used")?,
                revert_data: row.opt_bytes("revert_data")?,
                relayer_error: row.opt_text("relayer_error")?,
            })
        })
        .collect()
}
