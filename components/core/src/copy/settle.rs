//! Every transition of a claimed copy attempt, each one statement that also moves its order,
//! and each only while this invocation still holds the attempt's lease (a tick that lost its
//! lease changes nothing):
//!
//! PENDING → SKIPPED (why) | DRY_RUN (+ would-be order) | SIGNED (+ order PENDING, persisted
//! before it is posted) | PENDING later (deferred) | FAILED;
//! SIGNED → SUBMITTED / FILLED (order likewise) | SIGNED later (post deferred) | FAILED |
//! PENDING (order dropped: the CLOB refused its exchange version, so it is signed again).

use crate::ports::{Db, DbError, SqlValue};
use crate::trading::PreparedOrder;

/// The attempt being moved and the lease that allows it.
pub struct Lease<'a> {
    pub attempt_id: &'a str,
    pub owner: &'a str,
}

impl Lease<'_> {
    fn params(&self) -> Vec<SqlValue> {
        vec![SqlValue::Text(self.attempt_id.into()), SqlValue::Text(self.owner.into())]
    }
}

const STATUS_SQL: &str = "SELECT status FROM copy_attempts WHERE id = $1 AND lease_owner = $2";

/// The attempt's status as stored now (a pass may have moved it since its claim); `None` if
/// the lease was lost.
pub fn status(db: &impl Db, lease: &Lease<'_>) -> Result<Option<String>, DbError> {
    let rows = db.query(STATUS_SQL, &lease.params())?;
    rows.first().map(|row| row.text("status")).transpose()
}

const SKIP_SQL: &str = "\
UPDATE copy_attempts SET status = 'SKIPPED', skip_reason = $3, lease_owner = NULL, lease_expires_at = NULL
WHERE id = $1 AND lease_owner = $2";

pub fn skip(db: &impl Db, lease: &Lease<'_>, reason: &str) -> Result<bool, DbError> {
    let mut params = lease.params();
    params.push(SqlValue::Text(reason.into()));
    Ok(db.execute(SKIP_SQL, &params)? == 1)
}

const PERSIST_SQL: &str = "\
WITH attempt AS (
  UPDATE copy_attempts SET status = $3, side = $6, price = $7::text::numeric, size = $8::text::numeric, amount = $13,
    lease_expires_at = CASE WHEN $3 = 'SIGNED' THEN lease_expires_at ELSE NULL END,
    lease_owner = CASE WHEN $3 = 'SIGNED' THEN lease_owner ELSE NULL END
  WHERE id = $1 AND lease_owner = $2 AND status = 'PENDING'
  RETURNING id, user_id
)
INSERT INTO orders (user_id, copy_attempt_id, order_hash, token_id, side, price, size, maker_amount,
  taker_amount, order_type, signed_order, status)
SELECT user_id, id, $4, $5, $6, $7::text::numeric, $8::text::numeric, $9, $10, $11, $12, $14 FROM attempt
RETURNING id";

/// Persists the order with the attempt: SIGNED with a PENDING order (before posting), or
/// DRY_RUN with a DRY_RUN order. Returns the order id, `None` if the lease was lost.
pub fn persist_order(
    db: &impl Db,
    lease: &Lease<'_>,
    order: &PreparedOrder,
    dry_run: bool,
) -> Result<Option<String>, DbError> {
    let (attempt_status, order_status) = if dry_run { ("DRY_RUN", "DRY_RUN") } else { ("SIGNED", "PENDING") };
    let mut params = lease.params();
    params.push(SqlValue::Text(attempt_status.into()));
    params.extend(order.column_values());
    params.extend([SqlValue::Int(order.notional as i64), SqlValue::Text(order_status.into())]);
    let rows = db.query(PERSIST_SQL, &params)?;
    rows.first().map(|row| row.text("id")).transpose()
}

const POSTED_SQL: &str = "\
WITH attempt AS (
  UPDATE copy_attempts SET status = $3, lease_owner = NULL, lease_expires_at = NULL, error_code = NULL, error_message = NULL
  WHERE id = $1 AND lease_owner = $2
  RETURNING id
)
UPDATE orders SET status = $4, clob_order_id = $5, submitted_at = now(), error_code = NULL, error_message = NULL
WHERE copy_attempt_id IN (SELECT id FROM attempt)";

/// The CLOB took the order: SUBMITTED (resting) or FILLED (matched at once).
pub fn posted(db: &impl Db, lease: &Lease<'_>, clob_order_id: &str, matched: bool) -> Result<u64, DbError> {
    let (attempt_status, order_status) = if matched { ("FILLED", "FILLED") } else { ("SUBMITTED", "SUBMITTED") };
    let mut params = lease.params();
    params.extend([
        SqlValue::Text(attempt_status.into()),
        SqlValue::Text(order_status.into()),
        SqlValue::Text(clob_order_id.into()),
    ]);
    db.execute(POSTED_SQL, &params)
}

const DEFER_SQL: &str = "\
UPDATE copy_attempts SET lease_owner = NULL, lease_expires_at = NULL,
  next_attempt_at = now() + $3::int8 * interval '1 millisecond',
  attempts = CASE WHEN $4 THEN attempts - 1 ELSE attempts END,
  error_code = $5, error_message = $6
WHERE id = $1 AND lease_owner = $2";

/// Puts the attempt back for a later claim, in the state it is in (PENDING or SIGNED). A
/// deferral that was nobody's failure (a rate limit, a paused signing path) does not count
/// against the attempt's retries.
pub fn defer(
    db: &impl Db,
    lease: &Lease<'_>,
    delay_ms: i64,
    uncounted: bool,
    code: &str,
    message: &str,
) -> Result<u64, DbError> {
    let mut params = lease.params();
    params.extend([
        SqlValue::Int(delay_ms.max(0)),
        SqlValue::Bool(uncounted),
        SqlValue::Text(code.into()),
        SqlValue::Text(message.chars().take(500).collect()),
    ]);
    db.execute(DEFER_SQL, &params)
}

const FAIL_SQL: &str = "\
WITH attempt AS (
  UPDATE copy_attempts SET status = 'FAILED', lease_owner = NULL, lease_expires_at = NULL, error_code = $3, error_message = $4
  WHERE id = $1 AND lease_owner = $2
  RETURNING id
)
UPDATE orders SET status = 'FAILED', error_code = $3, error_message = $4
WHERE copy_attempt_id IN (SELECT id FROM attempt) AND status = 'PENDING'";

pub fn fail(db: &impl Db, lease: &Lease<'_>, code: &str, message: &str) -> Result<u64, DbError> {
    let mut params = lease.params();
    params.extend([SqlValue::Text(code.into()), SqlValue::Text(message.chars().take(500).collect())]);
    db.execute(FAIL_SQL, &params)
}

const RESIGN_SQL: &str = "\
WITH attempt AS (
  UPDATE copy_attempts SET status = 'PENDING', lease_owner = NULL, lease_expires_at = NULL,
    error_code = 'ORDER_VERSION_MISMATCH', error_message = 'signed again for the current exchange version'
  WHERE id = $1 AND lease_owner = $2 AND status = 'SIGNED'
  RETURNING id
)
DELETE FROM orders WHERE copy_attempt_id IN (SELECT id FROM attempt) AND status = 'PENDING'";

/// The CLOB refused the order's exchange version, so it never existed there: drop it and let
/// the attempt be signed again for the current version.
pub fn resign(db: &impl Db, lease: &Lease<'_>) -> Result<u64, DbError> {
    db.execute(RESIGN_SQL, &lease.params())
}
