//! Every statement on `trading_accounts`. A request works on the row only while it holds the
//! row's lease (taken in the statement that creates or claims it), so racing requests sign and
//! enqueue each step once.

use crate::ports::{Db, DbError, Row, SqlValue};
use crate::text_enum::text_enum;

text_enum! {
    /// `trading_accounts.status`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum SetupStatus {
        /// The Safe is being created (or checked, when it may already exist).
        Deploying = "DEPLOYING",
        /// The Safe exists; its approvals are being set.
        Approving = "APPROVING",
        Ready = "READY",
        /// A step failed on chain; the next request starts again from what the chain shows.
        Failed = "FAILED",
    }
}

/// The row, as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetupRow {
    pub owner_address: String,
    pub safe_address: String,
    pub status: SetupStatus,
    pub adopted: bool,
    pub attempt: i64,
    pub deploy_tx_id: Option<String>,
    pub approvals_tx_id: Option<String>,
    pub error_message: Option<String>,
}

const COLUMNS: &str = "owner_address, safe_address, status, adopted, attempt::int8 AS attempt, deploy_tx_id, \
                       approvals_tx_id, error_message";

fn parse(row: &Row) -> Result<SetupRow, DbError> {
    let status = row.text("status")?;
    Ok(SetupRow {
        owner_address: row.text("owner_address")?,
        safe_address: row.text("safe_address")?,
        status: SetupStatus::parse(&status)
            .ok_or_else(|| DbError::Conversion(format!("trading_accounts.status {status:?}")))?,
        adopted: row.bool("adopted")?,
        attempt: row.int("attempt")?,
        deploy_tx_id: row.opt_text("deploy_tx_id")?,
        approvals_tx_id: row.opt_text("approvals_tx_id")?,
        error_message: row.opt_text("error_message")?,
    })
}

fn first(db: &impl Db, sql: &str, params: &[SqlValue]) -> Result<Option<SetupRow>, DbError> {
    let rows = db.query(sql, params)?;
    let found = rows.iter().next().map(|row| parse(&row)).transpose();
    found
}

/// The user's row, without claiming it.
pub fn find(db: &impl Db, user_id: &str) -> Result<Option<SetupRow>, DbError> {
    first(db, &format!("SELECT {COLUMNS} FROM trading_accounts WHERE user_id = $1"), &[SqlValue::Text(user_id.into())])
}

/// Creates the row, or claims it when no one holds its lease: `None` while another request
/// works on it.
pub fn claim(
    db: &impl Db,
    user_id: &str,
    owner: &str,
    safe: &str,
    lease_owner: &str,
    lease_ms: i64,
) -> Result<Option<SetupRow>, DbError> {
    let sql = format!(
        "INSERT INTO trading_accounts AS t (user_id, owner_address, safe_address, lease_owner, lease_expires_at)
         VALUES ($1, $2, $3, $4, now() + $5::int8 * interval '1 millisecond')
         ON CONFLICT (user_id) DO UPDATE SET lease_owner = EXCLUDED.lease_owner,
           lease_expires_at = EXCLUDED.lease_expires_at, updated_at = now()
         WHERE t.lease_expires_at IS NULL OR t.lease_expires_at < now()
         RETURNING {COLUMNS}"
    );
    let params = [
        SqlValue::Text(user_id.into()),
        SqlValue::Text(owner.into()),
        SqlValue::Text(safe.into()),
        SqlValue::Text(lease_owner.into()),
        SqlValue::Int(lease_ms),
    ];
    first(db, &sql, &params)
}

/// Writes the row's new state and gives the lease back, only if this request still holds it.
pub fn save(db: &impl Db, user_id: &str, lease_owner: &str, row: &SetupRow) -> Result<bool, DbError> {
    let opt = |v: &Option<String>| v.clone().map(SqlValue::Text).unwrap_or(SqlValue::Null);
    let changed = db.execute(
        "UPDATE trading_accounts SET status = $3, adopted = $4, attempt = $5::int8, deploy_tx_id = $6,
           approvals_tx_id = $7, error_message = $8, lease_owner = NULL, lease_expires_at = NULL,
           ready_at = CASE WHEN $3 = 'READY' THEN coalesce(ready_at, now()) END, updated_at = now()
         WHERE user_id = $1 AND lease_owner = $2",
        &[
            SqlValue::Text(user_id.into()),
            SqlValue::Text(lease_owner.into()),
            SqlValue::Text(row.status.as_str().into()),
            SqlValue::Bool(row.adopted),
            SqlValue::Int(row.attempt),
            opt(&row.deploy_tx_id),
            opt(&row.approvals_tx_id),
            opt(&row.error_message),
        ],
    )?;
    Ok(changed == 1)
}

/// Records the Safe as the user's PROXY wallet (a Safe), unless they already have one.
pub fn record_proxy(db: &impl Db, user_id: &str, safe: &str) -> Result<(), DbError> {
    db.execute(
        "INSERT INTO wallets (user_id, type, proxy_type, address) VALUES ($1, 'PROXY', 'SAFE', $2)
         ON CONFLICT (user_id, type) DO NOTHING",
        &[SqlValue::Text(user_id.into()), SqlValue::Text(safe.into())],
    )?;
    Ok(())
}

/// The user's PROXY wallet address, if any.
pub fn proxy_address(db: &impl Db, user_id: &str) -> Result<Option<String>, DbError> {
    let rows = db.query(
        "SELECT address FROM wallets WHERE user_id = $1 AND type = 'PROXY'",
        &[SqlValue::Text(user_id.into())],
    )?;
    let found = rows.iter().next().map(|row| row.text("address")).transpose();
    found
}

/// A relayer transaction's status, hash and error, by id or idempotency key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxView {
    pub id: String,
    pub status: String,
    pub tx_hash: Option<String>,
    pub error_reason: Option<String>,
}

pub fn relayer_tx(db: &impl Db, id: &str) -> Result<Option<TxView>, DbError> {
    tx_where(db, "id", id)
}

pub fn relayer_tx_by_key(db: &impl Db, idempotency_key: &str) -> Result<Option<TxView>, DbError> {
    tx_where(db, "idempotency_key", idempotency_key)
}

fn tx_where(db: &impl Db, column: &'static str, value: &str) -> Result<Option<TxView>, DbError> {
    let rows = db.query(
        &format!("SELECT id, status, tx_hash, error_reason FROM relayer_txs WHERE {column} = $1"),
        &[SqlValue::Text(value.into())],
    )?;
    let found = rows
        .iter()
        .next()
        .map(|row| {
            Ok(TxView {
                id: row.text("id")?,
                status: row.text("status")?,
                tx_hash: row.opt_text("tx_hash")?,
                error_reason: row.opt_text("error_reason")?,
            })
        })
        .transpose();
    found
}
