//! Every statement on `safe_owner_txs`.

use alloy_primitives::{Address, Bytes, U256};
use serde_json::Value;

use crate::ports::{Db, DbError, Row, SqlValue};
use crate::safe_tx::{Operation, SafeTransaction};
use crate::text_enum::text_enum;

text_enum! {
    /// `safe_owner_txs.kind`: what the owner transaction changes.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum OwnerTxKind {
        InstallModule = "INSTALL_MODULE",
        RegisterSessionKey = "REGISTER_SESSION_KEY",
        RevokeSessionKey = "REVOKE_SESSION_KEY",
        AllowlistAdd = "ALLOWLIST_ADD",
        AllowlistRemove = "ALLOWLIST_REMOVE",
    }
}

text_enum! {
    /// `safe_owner_txs.status`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum OwnerTxStatus {
        AwaitingSignature = "AWAITING_SIGNATURE",
        /// Signed and handed to the relayer.
        Submitted = "SUBMITTED",
        /// Executed, and the chain shows its effect.
        Confirmed = "CONFIRMED",
        Failed = "FAILED",
        /// Replaced by a newer proposal before anyone signed it.
        Superseded = "SUPERSEDED",
    }
}

/// One owner transaction, as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnerTx {
    pub id: String,
    pub automation_id: String,
    pub kind: OwnerTxKind,
    pub subject: Option<String>,
    pub details: Value,
    pub tx: SafeTransaction,
    pub hash: String,
    pub status: OwnerTxStatus,
    pub owner_signature: Option<String>,
    pub relayer_tx_id: Option<String>,
    pub error: Option<String>,
}

/// What a proposal inserts.
pub struct NewOwnerTx<'a> {
    pub automation_id: &'a str,
    pub kind: OwnerTxKind,
    pub subject: Option<&'a str>,
    pub details: Value,
    pub tx: &'a SafeTransaction,
    pub hash: String,
}

const COLUMNS: &str = "o.id, o.safe_automation_id, o.kind, o.subject, o.details, o.safe_nonce::text AS safe_nonce, \
    o.to_address, o.operation::int8 AS operation, o.data, o.safe_tx_hash, o.status, o.owner_signature, \
    o.relayer_tx_id, o.error, a.safe_address";

fn conversion(what: &str, value: &str) -> DbError {
    DbError::Conversion(format!("safe_owner_txs.{what} {value:?}"))
}

fn parse(row: &Row) -> Result<OwnerTx, DbError> {
    let kind = row.text("kind")?;
    let status = row.text("status")?;
    let address = |column: &str| -> Result<Address, DbError> {
        let text = row.text(column)?;
        text.parse().map_err(|_| conversion(column, &text))
    };
    let nonce = row.text("safe_nonce")?;
    let operation = match row.int("operation")? {
        0 => Operation::Call,
        1 => Operation::DelegateCall,
        other => return Err(conversion("operation", &other.to_string())),
    };
    Ok(OwnerTx {
        id: row.text("id")?,
        automation_id: row.text("safe_automation_id")?,
        kind: OwnerTxKind::parse(&kind).ok_or_else(|| conversion("kind", &kind))?,
        subject: row.opt_text("subject")?,
        details: row.json("details")?,
        tx: SafeTransaction {
            safe: address("safe_address")?,
            to: address("to_address")?,
            data: Bytes::from(row.opt_bytes("data")?.unwrap_or_default()),
            operation,
            nonce: nonce.parse::<U256>().map_err(|_| conversion("safe_nonce", &nonce))?,
        },
        hash: row.text("safe_tx_hash")?,
        status: OwnerTxStatus::parse(&status).ok_or_else(|| conversion("status", &status))?,
        owner_signature: row.opt_text("owner_signature")?,
        relayer_tx_id: row.opt_text("relayer_tx_id")?,
        error: row.opt_text("error")?,
    })
}

fn text(value: &str) -> SqlValue {
    SqlValue::Text(value.into())
}

fn all(db: &impl Db, condition: &str, params: &[SqlValue]) -> Result<Vec<OwnerTx>, DbError> {
    let rows = db.query(
        &format!(
            "SELECT {COLUMNS} FROM safe_owner_txs o JOIN safe_automations a ON a.id = o.safe_automation_id
             WHERE {condition} ORDER BY o.created_at DESC"
        ),
        params,
    )?;
    let parsed = rows.iter().map(|row| parse(&row)).collect();
    parsed
}

/// The Safe's open owner transaction (awaiting a signature or executing), if any.
pub fn open(db: &impl Db, automation_id: &str) -> Result<Option<OwnerTx>, DbError> {
    let condition = "o.safe_automation_id = $1 AND o.status IN ('AWAITING_SIGNATURE', 'SUBMITTED')";
    Ok(all(db, condition, &[text(automation_id)])?.into_iter().next())
}

pub fn by_id(db: &impl Db, automation_id: &str, id: &str) -> Result<Option<OwnerTx>, DbError> {
    Ok(all(db, "o.safe_automation_id = $1 AND o.id = $2", &[text(automation_id), text(id)])?.into_iter().next())
}

/// The last `limit` owner transactions of the Safe, newest first.
pub fn recent(db: &impl Db, automation_id: &str, limit: i64) -> Result<Vec<OwnerTx>, DbError> {
    let mut found = all(db, "o.safe_automation_id = $1", &[text(automation_id)])?;
    found.truncate(limit.max(0) as usize);
    Ok(found)
}

/// Inserts the proposal; `None` when another open one exists (the unique index decides races).
pub fn insert(db: &impl Db, new: &NewOwnerTx) -> Result<Option<String>, DbError> {
    let rows = db.query(
        "INSERT INTO safe_owner_txs (safe_automation_id, kind, subject, details, safe_nonce, to_address, operation,
           data, safe_tx_hash)
         VALUES ($1, $2, $3, $4, $5::text::numeric, $6, $7::int8::smallint, $8, $9)
         ON CONFLICT DO NOTHING RETURNING id",
        &[
            text(new.automation_id),
            text(new.kind.as_str()),
            new.subject.map(text).unwrap_or(SqlValue::Null),
            SqlValue::Json(new.details.clone()),
            text(&new.tx.nonce.to_string()),
            text(&format!("{:#x}", new.tx.to)),
            SqlValue::Int(new.tx.operation as i64),
            SqlValue::Bytes(new.tx.data.to_vec()),
            text(&new.hash),
        ],
    )?;
    let id = rows.first().map(|row| row.text("id")).transpose();
    id
}

/// AWAITING_SIGNATURE → SUPERSEDED; true if this call did it.
pub fn supersede(db: &impl Db, id: &str) -> Result<bool, DbError> {
    let changed = db.execute(
        "UPDATE safe_owner_txs SET status = 'SUPERSEDED' WHERE id = $1 AND status = 'AWAITING_SIGNATURE'",
        &[text(id)],
    )?;
    Ok(changed == 1)
}

/// AWAITING_SIGNATURE → SUBMITTED with the signature and the relayer transaction (a repeat of
/// the same submission changes nothing).
pub fn submitted(db: &impl Db, id: &str, signature: &str, relayer_tx_id: &str) -> Result<(), DbError> {
    db.execute(
        "UPDATE safe_owner_txs SET status = 'SUBMITTED', owner_signature = $2, relayer_tx_id = $3, error = NULL
         WHERE id = $1 AND status = 'AWAITING_SIGNATURE'",
        &[text(id), text(signature), text(relayer_tx_id)],
    )?;
    Ok(())
}

/// SUBMITTED → CONFIRMED or FAILED; true if this call did it (its effect is applied once).
pub fn settled(db: &impl Db, id: &str, status: OwnerTxStatus, error: Option<&str>) -> Result<bool, DbError> {
    let changed = db.execute(
        "UPDATE safe_owner_txs SET status = $2, error = $3 WHERE id = $1 AND status = 'SUBMITTED'",
        &[text(id), text(status.as_str()), error.map(text).unwrap_or(SqlValue::Null)],
    )?;
    Ok(changed == 1)
}

/// Takes the row's lease (an authority signature is made once however many calls race).
pub fn lease(db: &impl Db, id: &str, owner: &str, ms: i64) -> Result<bool, DbError> {
    let changed = db.execute(
        "UPDATE safe_owner_txs SET lease_owner = $2, lease_expires_at = now() + $3::int8 * interval '1 millisecond'
         WHERE id = $1 AND status = 'AWAITING_SIGNATURE' AND (lease_expires_at IS NULL OR lease_expires_at < now())",
        &[text(id), text(owner), SqlValue::Int(ms)],
    )?;
    Ok(changed == 1)
}

pub fn release(db: &impl Db, id: &str, owner: &str) -> Result<(), DbError> {
    db.execute(
        "UPDATE safe_owner_txs SET lease_owner = NULL, lease_expires_at = NULL WHERE id = $1 AND lease_owner = $2",
        &[text(id), text(owner)],
    )?;
    Ok(())
}
