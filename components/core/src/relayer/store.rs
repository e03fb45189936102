//! `relayer_txs` as a state machine: every transition is one statement guarded by the tick's
//! lease and the states it may leave, and nothing outside this module writes the table (the
//! producers' [`super::enqueue`] and the operators' retry included, below).

use alloy_primitives::{hex, Address, Bytes, B256, U256};

use super::fees::Fees;
use super::keys::SignedTx;
use super::tx_status::{TxKind, TxStatus};
use crate::ports::{Db, DbError, Row, SqlValue};

/// A row as a tick holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct RelayerTx {
    pub id: String,
    pub kind: TxKind,
    pub status: TxStatus,
    pub relayer: Option<Address>,
    pub nonce: Option<u64>,
    pub to: Address,
    pub value: U256,
    pub data: Bytes,
    pub sent_hashes: Vec<B256>,
    pub cancel_hashes: Vec<B256>,
    pub raw_tx: Option<Vec<u8>>,
    /// A node may hold one of its hashes: its nonce is given up only through a no-op on it.
    pub maybe_sent: bool,
    pub gas_limit: Option<u64>,
    pub fees: Option<Fees>,
    pub attempts: i64,
    pub error_reason: Option<String>,
    pub last_sent_ms: Option<i64>,
}

impl RelayerTx {
    /// Given up after it may have gone out: what it sends now is a 0-value no-op on its nonce,
    /// and whichever of its transactions mines settles it.
    pub fn cancelling(&self, max_attempts: i64) -> bool {
        !self.cancel_hashes.is_empty() || (self.maybe_sent && self.attempts >= max_attempts)
    }
}

pub(super) const COLUMNS: &str = "id, kind, status, relayer_address, nonce, to_address, value::text AS value, data, \
    to_jsonb(sent_hashes) AS sent_hashes, to_jsonb(cancel_hashes) AS cancel_hashes, raw_tx, maybe_sent, gas_limit, \
    max_fee_per_gas::text AS max_fee, max_priority_fee_per_gas::text AS tip, attempts, error_reason, \
    (EXTRACT(EPOCH FROM last_sent_at) * 1000)::int8 AS last_sent_ms";

fn conversion(column: &str, what: &str) -> DbError {
    DbError::Conversion(format!("`{column}` is not {what}"))
}

fn address(column: &str, text: &str) -> Result<Address, DbError> {
    text.parse().map_err(|_| conversion(column, "an address"))
}

fn hashes(row: &Row<'_>, column: &str) -> Result<Vec<B256>, DbError> {
    let list = row.json(column)?;
    let items = list.as_array().ok_or_else(|| conversion(column, "a list"))?;
    items
        .iter()
        .map(|h| h.as_str().and_then(|s| s.parse().ok()).ok_or_else(|| conversion(column, "a list of hashes")))
        .collect()
}

fn wide(row: &Row<'_>, column: &str) -> Result<Option<u128>, DbError> {
    row.opt_text(column)?.map(|t| t.parse().map_err(|_| conversion(column, "a 128-bit integer"))).transpose()
}

impl RelayerTx {
    pub(super) fn from_row(row: &Row<'_>) -> Result<RelayerTx, DbError> {
        let fees = match (wide(row, "max_fee")?, wide(row, "tip")?) {
            (Some(max_fee_per_gas), Some(max_priority_fee_per_gas)) => {
                Some(Fees { max_fee_per_gas, max_priority_fee_per_gas })
            }
            (None, None) => None,
            _ => return Err(conversion("max_fee_per_gas", "stored with its priority fee")),
        };
        let unsigned = |column: &str| -> Result<Option<u64>, DbError> {
            row.opt_int(column)?.map(|v| u64::try_from(v).map_err(|_| conversion(column, "non-negative"))).transpose()
        };
        Ok(RelayerTx {
            id: row.text("id")?,
            kind: row.parsed("kind", TxKind::parse)?,
            status: row.parsed("status", TxStatus::parse)?,
            relayer: row.opt_text("relayer_address")?.map(|a| address("relayer_address", &a)).transpose()?,
            nonce: unsigned("nonce")?,
            to: address("to_address", &row.text("to_address")?)?,
            value: U256::from_str_radix(&row.text("value")?, 10).map_err(|_| conversion("value", "an integer"))?,
            data: Bytes::from(row.opt_bytes("data")?.ok_or_else(|| conversion("data", "bytes"))?),
            sent_hashes: hashes(row, "sent_hashes")?,
            cancel_hashes: hashes(row, "cancel_hashes")?,
            raw_tx: row.opt_bytes("raw_tx")?,
            maybe_sent: row.bool("maybe_sent")?,
            gas_limit: unsigned("gas_limit")?,
            fees,
            attempts: row.int("attempts")?,
            error_reason: row.opt_text("error_reason")?,
            last_sent_ms: row.opt_int("last_sent_ms")?,
        })
    }
}

pub(super) fn text_address(address: Address) -> SqlValue {
    SqlValue::Text(format!("{address:#x}"))
}

fn text(value: impl ToString) -> SqlValue {
    SqlValue::Text(value.to_string())
}

/// Makes sure each key has a nonce counter, starting at the chain's pending nonce.
pub fn ensure_accounts(db: &impl Db, accounts: &[(Address, u64)]) -> Result<(), DbError> {
    let list: Vec<_> =
        accounts.iter().map(|(a, n)| serde_json::json!({ "address": format!("{a:#x}"), "nonce": n })).collect();
    db.execute(
        "INSERT INTO relayer_accounts (address, next_nonce) \
         SELECT a->>'address', (a->>'nonce')::int8 FROM jsonb_array_elements($1::jsonb) a \
         ON CONFLICT (address) DO NOTHING",
        &[SqlValue::Json(list.into())],
    )?;
    Ok(())
}

/// Nonces between the chain's (mined) nonce and the counter that no row holds — left by a row
/// given up before it went out, or used outside Mirror — each get a NONCE_FILL row, so later
/// transactions are never stuck behind them (at most 100 ahead of the chain, as OpenZeppelin
/// Relayer's nonce-health job). Returns how many were created.
pub fn fill_gaps(db: &impl Db, accounts: &[(Address, u64)]) -> Result<u64, DbError> {
    let list: Vec<_> =
        accounts.iter().map(|(a, n)| serde_json::json!({ "address": format!("{a:#x}"), "latest": n })).collect();
    db.execute(
        "INSERT INTO relayer_txs (kind, idempotency_key, to_address, relayer_address, nonce, status)
         SELECT 'NONCE_FILL', 'nonce-fill:' || k.address || ':' || n, k.address, k.address, n, 'PENDING'
         FROM (SELECT a->>'address' AS address, (a->>'latest')::int8 AS latest FROM jsonb_array_elements($1::jsonb) a) k
         JOIN relayer_accounts acct ON acct.address = k.address
         CROSS JOIN LATERAL generate_series(k.latest, LEAST(acct.next_nonce, k.latest + 100) - 1) n
         WHERE NOT EXISTS (SELECT 1 FROM relayer_txs t WHERE t.relayer_address = k.address AND t.nonce = n)
         ON CONFLICT DO NOTHING",
        &[SqlValue::Json(list.into())],
    )
}

/// Claims due rows of these keys (and unassigned ones, when `take_new`) for `lease_ms`:
/// rows with a nonce first, in nonce order, then the oldest new ones.
pub fn claim(
    db: &impl Db,
    tick: &str,
    keys: &[Address],
    take_new: bool,
    lease_ms: i64,
    limit: i64,
) -> Result<Vec<RelayerTx>, DbError> {
    let keys: Vec<String> = keys.iter().map(|a| format!("{a:#x}")).collect();
    let sql = format!(
        "UPDATE relayer_txs SET lease_owner = $1, lease_expires_at = now() + $2::int8 * interval '1 millisecond'
         WHERE id IN (
           SELECT id FROM relayer_txs
           WHERE status IN ('PENDING', 'SUBMITTED') AND next_attempt_at <= now()
             AND (lease_expires_at IS NULL OR lease_expires_at < now())
             AND (relayer_address IN (SELECT jsonb_array_elements_text($3::jsonb))
                  OR (relayer_address IS NULL AND $4))
           ORDER BY nonce IS NULL, nonce, created_at
           LIMIT $5
           FOR UPDATE SKIP LOCKED)
         RETURNING {COLUMNS}"
    );
    let params = [
        text(tick),
        SqlValue::Int(lease_ms),
        SqlValue::Json(keys.into()),
        SqlValue::Bool(take_new),
        SqlValue::Int(limit),
    ];
    let rows = db.query(&sql, &params)?;
    let mut claimed: Vec<RelayerTx> = rows.iter().map(|r| RelayerTx::from_row(&r)).collect::<Result<_, _>>()?;
    claimed.sort_by_key(|t| (t.nonce.is_none(), t.nonce));
    Ok(claimed)
}

/// The next nonce of `relayer` — never below the chain's pending nonce `floor` — given to a
/// claimed row that has none, in one statement; `None` if the row is no longer ours.
pub fn assign_nonce(db: &impl Db, tick: &str, id: &str, relayer: Address, floor: u64) -> Result<Option<u64>, DbError> {
    let rows = db.query(
        "WITH acct AS (
           UPDATE relayer_accounts SET next_nonce = GREATEST(next_nonce, $3) + 1
           WHERE address = $2 AND EXISTS (
             SELECT 1 FROM relayer_txs WHERE id = $1 AND lease_owner = $4 AND status = 'PENDING' AND nonce IS NULL)
           RETURNING next_nonce - 1 AS nonce
         )
         UPDATE relayer_txs t SET nonce = acct.nonce, relayer_address = $2
         FROM acct WHERE t.id = $1 AND t.lease_owner = $4 AND t.nonce IS NULL
         RETURNING t.nonce",
        &[text(id), text_address(relayer), SqlValue::Int(floor as i64), text(tick)],
    )?;
    rows.first().map(|r| r.int("nonce").map(|n| n as u64)).transpose()
}

/// Stores a signed transaction before it is sent: its bytes (re-sent as they are after a
/// crash), its hash among the row's hashes, its gas and fees.
pub fn record_signed(
    db: &impl Db,
    tick: &str,
    id: &str,
    signed: &SignedTx,
    gas_limit: u64,
    fees: Fees,
    cancel: bool,
) -> Result<bool, DbError> {
    let hash = signed.hash.to_string();
    let n = db.execute(
        "UPDATE relayer_txs SET raw_tx = $3,
           sent_hashes = CASE WHEN $4 = ANY(sent_hashes) THEN sent_hashes ELSE array_append(sent_hashes, $4) END,
           cancel_hashes = CASE WHEN NOT $7 OR $4 = ANY(cancel_hashes) THEN cancel_hashes ELSE array_append(cancel_hashes, $4) END,
           gas_limit = $5, max_fee_per_gas = $6::text::numeric, max_priority_fee_per_gas = $8::text::numeric
         WHERE id = $1 AND lease_owner = $2 AND status IN ('PENDING', 'SUBMITTED') AND nonce IS NOT NULL",
        &[
            text(id),
            text(tick),
            SqlValue::Bytes(signed.raw.clone()),
            text(hash),
            SqlValue::Int(gas_limit as i64),
            text(fees.max_fee_per_gas),
            SqlValue::Bool(cancel),
            text(fees.max_priority_fee_per_gas),
        ],
    )?;
    Ok(n == 1)
}

/// The node took the transaction (or already had it): SUBMITTED, released, receipts next tick.
pub fn mark_sent(db: &impl Db, tick: &str, id: &str) -> Result<bool, DbError> {
    let n = db.execute(
        "UPDATE relayer_txs SET status = 'SUBMITTED', last_sent_at = now(), next_attempt_at = now(),
           maybe_sent = true, error_reason = NULL, lease_owner = NULL, lease_expires_at = NULL
         WHERE id = $1 AND lease_owner = $2 AND status IN ('PENDING', 'SUBMITTED') AND cardinality(sent_hashes) > 0",
        &[text(id), text(tick)],
    )?;
    Ok(n == 1)
}

/// What a receipt says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    pub hash: B256,
    pub succeeded: bool,
    pub gas_used: u64,
    pub effective_gas_price: u128,
    pub block_number: u64,
}

/// Settles a row from the receipt of one of its hashes: CONFIRMED, or FAILED (a dead letter)
/// with `error` when it reverted or when the hash that mined is one of its cancelling no-ops.
pub fn settle(
    db: &impl Db,
    tick: &str,
    id: &str,
    receipt: &Receipt,
    error: Option<&str>,
    revert_data: Option<&[u8]>,
) -> Result<bool, DbError> {
    let status = if error.is_none() { TxStatus::Confirmed } else { TxStatus::Failed };
    let sql = format!(
        "WITH f AS (
           UPDATE relayer_txs SET status = $3, tx_hash = $4, gas_used = $5, effective_gas_price = $6::text::numeric,
             block_number = $7, confirmed_at = now(), raw_tx = NULL, error_reason = COALESCE($8, error_reason),
             revert_data = $9, lease_owner = NULL, lease_expires_at = NULL
           WHERE id = $1 AND lease_owner = $2 AND status IN ('PENDING', 'SUBMITTED') AND $4 = ANY(sent_hashes)
           RETURNING *
         ), {DEAD_LETTER}
         SELECT count(*)::int8 AS n FROM f"
    );
    let rows = db.query(
        &sql,
        &[
            text(id),
            text(tick),
            text(status.as_str()),
            text(receipt.hash),
            SqlValue::Int(receipt.gas_used as i64),
            text(receipt.effective_gas_price),
            SqlValue::Int(receipt.block_number as i64),
            error.map_or(SqlValue::Null, text),
            revert_data.map_or(SqlValue::Null, |d| SqlValue::Bytes(d.to_vec())),
        ],
    )?;
    count(&rows)
}

/// Files a FAILED row `f` (a CTE) as a dead letter; a retried one that failed again reopens.
const DEAD_LETTER: &str = "dead AS (
   INSERT INTO dead_letters (kind, reference_id, payload, error, attempts)
   SELECT 'RELAYER_TX', f.id, jsonb_build_object('kind', f.kind, 'userId', f.user_id, 'to', f.to_address,
            'value', f.value::text, 'relayerAddress', f.relayer_address, 'nonce', f.nonce, 'txHash', f.tx_hash,
            'sentHashes', to_jsonb(f.sent_hashes)),
          COALESCE(f.error_reason, 'failed'), f.attempts
   FROM f WHERE f.status = 'FAILED' AND f.kind <> 'NONCE_FILL'
   ON CONFLICT (kind, reference_id) DO UPDATE
     SET payload = EXCLUDED.payload, error = EXCLUDED.error, attempts = EXCLUDED.attempts,
         resolved_at = NULL, created_at = now()
   RETURNING id
 )";

fn count(rows: &crate::ports::Rows) -> Result<bool, DbError> {
    Ok(rows.first().map(|r| r.int("n")).transpose()?.unwrap_or(0) > 0)
}

/// Why a row waits, and what the wait costs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deferral {
    pub reason: String,
    pub after_ms: i64,
    /// An attempt is spent (the node or the call refused it), not a wait for the RPC or funds.
    pub spend_attempt: bool,
    /// The stored transaction is dropped, to be signed again (fresh fees and gas) next time.
    pub discard_signed: bool,
    /// The send's answer was lost: a node may hold the transaction.
    pub maybe_sent: bool,
    pub revert_data: Option<Vec<u8>>,
}

impl Deferral {
    /// A wait that costs the row nothing and keeps what it has signed.
    pub fn wait(reason: impl Into<String>, after_ms: i64) -> Deferral {
        Deferral {
            reason: reason.into(),
            after_ms,
            spend_attempt: false,
            discard_signed: false,
            maybe_sent: false,
            revert_data: None,
        }
    }
}

/// Puts a row back, in its state, until `after_ms` from now.
pub fn defer(db: &impl Db, tick: &str, id: &str, deferral: &Deferral) -> Result<bool, DbError> {
    let n = db.execute(
        "UPDATE relayer_txs SET next_attempt_at = now() + $3::int8 * interval '1 millisecond', error_reason = $4,
           attempts = attempts + CASE WHEN $5 THEN 1 ELSE 0 END,
           raw_tx = CASE WHEN $6 THEN NULL ELSE raw_tx END, revert_data = COALESCE($7, revert_data),
           maybe_sent = maybe_sent OR $8, lease_owner = NULL, lease_expires_at = NULL
         WHERE id = $1 AND lease_owner = $2 AND status IN ('PENDING', 'SUBMITTED')",
        &[
            text(id),
            text(tick),
            SqlValue::Int(deferral.after_ms),
            text(&deferral.reason),
            SqlValue::Bool(deferral.spend_attempt),
            SqlValue::Bool(deferral.discard_signed),
            deferral.revert_data.clone().map_or(SqlValue::Null, SqlValue::Bytes),
            SqlValue::Bool(deferral.maybe_sent),
        ],
    )?;
    Ok(n == 1)
}

/// Gives up a row no node can hold: FAILED with `reason`, its attempt counted, a
/// dead letter; a nonce it held is released (the next tick fills it, as a gap).
pub fn fail_unsent(
    db: &impl Db,
    tick: &str,
    id: &str,
    reason: &str,
    revert_data: Option<&[u8]>,
) -> Result<bool, DbError> {
    let sql = format!(
        "WITH f AS (
           UPDATE relayer_txs SET status = 'FAILED', attempts = attempts + 1, error_reason = $3,
             revert_data = COALESCE($4, revert_data), nonce = NULL, raw_tx = NULL,
             lease_owner = NULL, lease_expires_at = NULL
           WHERE id = $1 AND lease_owner = $2 AND status = 'PENDING' AND NOT maybe_sent AND kind <> 'NONCE_FILL'
           RETURNING *
         ), {DEAD_LETTER}
         SELECT count(*)::int8 AS n FROM f"
    );
    let rows = db.query(
        &sql,
        &[text(id), text(tick), text(reason), revert_data.map_or(SqlValue::Null, |d| SqlValue::Bytes(d.to_vec()))],
    )?;
    count(&rows)
}

/// The row's nonce was used on chain by a transaction none of its hashes name: it goes out
/// again under a new nonce (a NONCE_FILL has nothing left to do and ends FAILED, no dead letter).
pub fn requeue_nonce_used(db: &impl Db, tick: &str, id: &str, nonce: u64) -> Result<bool, DbError> {
    let reason = format!("NONCE_USED: nonce {nonce} was used by another transaction; sent again under a new nonce");
    let n = db.execute(
        "UPDATE relayer_txs SET
           status = CASE WHEN kind = 'NONCE_FILL' THEN 'FAILED' ELSE 'PENDING' END,
           nonce = CASE WHEN kind = 'NONCE_FILL' THEN nonce END,
           relayer_address = CASE WHEN kind = 'NONCE_FILL' THEN relayer_address END,
           raw_tx = NULL, sent_hashes = '{}', cancel_hashes = '{}', maybe_sent = false, gas_limit = NULL,
           max_fee_per_gas = NULL, max_priority_fee_per_gas = NULL, last_sent_at = NULL, error_reason = $3,
           next_attempt_at = now(), lease_owner = NULL, lease_expires_at = NULL
         WHERE id = $1 AND lease_owner = $2 AND status IN ('PENDING', 'SUBMITTED') AND nonce = $4",
        &[text(id), text(tick), text(reason), SqlValue::Int(nonce as i64)],
    )?;
    Ok(n == 1)
}

/// Lets go of a row this tick had nothing to do for (a submitted one still waiting).
pub fn release(db: &impl Db, tick: &str, id: &str) -> Result<bool, DbError> {
    let n = db.execute(
        "UPDATE relayer_txs SET lease_owner = NULL, lease_expires_at = NULL WHERE id = $1 AND lease_owner = $2",
        &[text(id), text(tick)],
    )?;
    Ok(n == 1)
}

/// `0x…` hex of bytes, for JSON.
pub fn hex_bytes(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// What an operator's retry found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Retried {
    Unknown,
    /// Back to PENDING.
    Yes,
    /// Not FAILED: this status, unchanged.
    NotFailed(String),
}

const RETRY_SQL: &str = "\
WITH found AS (
  SELECT id, status FROM relayer_txs WHERE id = $1
), r AS (
  UPDATE relayer_txs t SET status = 'PENDING', attempts = 0, nonce = NULL, relayer_address = NULL, raw_tx = NULL,
    sent_hashes = '{}', cancel_hashes = '{}', maybe_sent = false, tx_hash = NULL, gas_used = NULL,
    effective_gas_price = NULL, block_number = NULL, gas_limit = NULL, max_fee_per_gas = NULL,
    max_priority_fee_per_gas = NULL, last_sent_at = NULL, confirmed_at = NULL, next_attempt_at = now(),
    lease_owner = NULL, lease_expires_at = NULL
  FROM (SELECT id, to_jsonb(sent_hashes) AS hashes, tx_hash, error_reason, attempts FROM relayer_txs WHERE id = $1) old
  WHERE t.id = old.id AND t.status = 'FAILED'
  RETURNING t.id, t.user_id, old.hashes, old.tx_hash, old.error_reason, old.attempts
), dead AS (
  UPDATE dead_letters SET retried_at = now(), resolved_at = now()
  WHERE kind = 'RELAYER_TX' AND reference_id IN (SELECT id FROM r) AND resolved_at IS NULL
), audit AS (
  INSERT INTO audit_logs (user_id, action, actor, details)
  SELECT r.user_id, 'RELAYER_TX_RETRIED', $2, jsonb_build_object('txId', r.id, 'previousError', r.error_reason,
    'previousAttempts', r.attempts, 'previousTxHash', r.tx_hash, 'previousHashes', r.hashes)
  FROM r
)
SELECT (SELECT status FROM found) AS found_status, (SELECT id FROM r) AS retried";

/// A FAILED row back to PENDING — a new attempt under the same idempotency key, with a new
/// nonce — its dead letter resolved and `RELAYER_TX_RETRIED` audited, in one statement.
pub fn retry(db: &impl Db, id: &str, actor: &str) -> Result<Retried, DbError> {
    let rows = db.query(RETRY_SQL, &[text(id), text(actor)])?;
    let row = rows.first().ok_or_else(|| DbError::Conversion("retry returned no row".into()))?;
    Ok(match (row.opt_text("found_status")?, row.opt_text("retried")?) {
        (None, _) => Retried::Unknown,
        (Some(_), Some(_)) => Retried::Yes,
        (Some(status), None) => Retried::NotFailed(status),
    })
}

/// Inserts a producer's intent as a PENDING row, or returns the row its idempotency key already
/// made (`false`). One statement.
pub fn insert_intent(db: &impl Db, intent: &super::Intent) -> Result<(RelayerTx, bool), DbError> {
    let sql = format!(
        "WITH ins AS (
           INSERT INTO relayer_txs (kind, user_id, idempotency_key, to_address, value, data)
           VALUES ($1, $2, $3, $4, $5::text::numeric, $6)
           ON CONFLICT (idempotency_key) DO NOTHING
           RETURNING {COLUMNS}, true AS created
         )
         SELECT * FROM ins
         UNION ALL
         SELECT {COLUMNS}, false AS created FROM relayer_txs
         WHERE idempotency_key = $3 AND NOT EXISTS (SELECT 1 FROM ins)"
    );
    let rows = db.query(
        &sql,
        &[
            text(intent.kind.as_str()),
            intent.user_id.clone().map_or(SqlValue::Null, SqlValue::Text),
            text(&intent.idempotency_key),
            text_address(intent.to),
            text(intent.value),
            SqlValue::Bytes(intent.data.to_vec()),
        ],
    )?;
    let row = rows.first().ok_or_else(|| DbError::Conversion("enqueueing returned no row".into()))?;
    Ok((RelayerTx::from_row(&row)?, row.bool("created")?))
}
