//! How a producer (claims, withdrawals, an operator) asks for a module transaction: the user,
//! the call their Safe makes, and an idempotency key. A repeat of the key returns the row
//! already made; the same key for a different call is refused. The row is PENDING until the
//! module-exec worker takes it. Native value is never sent (the module refuses it): calls only.

use alloy_primitives::{Address, Bytes};

use super::ModuleTxStatus;
use crate::api::{ApiError, ErrorCode};
use crate::ports::{Db, SqlValue};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleIntent {
    pub user_id: String,
    pub idempotency_key: String,
    pub to: Address,
    pub data: Bytes,
    /// The key to authorize with; `None`: the user's ACTIVE key that expires last.
    pub session_key_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enqueued {
    pub id: String,
    pub status: ModuleTxStatus,
    pub session_key_id: String,
    /// False when the key had been used before (the row returned is that one).
    pub created: bool,
}

const INSERT_SQL: &str = "\
WITH sa AS (SELECT id FROM safe_automations WHERE user_id = $1 AND module_installed),
sk AS (
  SELECT sk.id FROM session_keys sk JOIN sa ON sk.safe_automation_id = sa.id
  WHERE sk.status = 'ACTIVE' AND sk.expires_at > now() AND ($2::text IS NULL OR sk.id = $2)
  ORDER BY sk.expires_at DESC, sk.id LIMIT 1),
ins AS (
  INSERT INTO module_txs (safe_automation_id, session_key_id, idempotency_key, to_address, value, data)
  SELECT sa.id, sk.id, $3, $4, 0, $5 FROM sa, sk
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING id, status, session_key_id, safe_automation_id, to_address, data, true AS created)
SELECT * FROM ins
UNION ALL
SELECT id, status, session_key_id, safe_automation_id, to_address, data, false AS created FROM module_txs
WHERE idempotency_key = $3 AND NOT EXISTS (SELECT 1 FROM ins)";

/// Enqueues `intent` as a PENDING row, or returns the row its key already made. One statement;
/// a second one only to say why nothing was queued (409: no installed module, no usable key).
pub fn enqueue(db: &impl Db, intent: &ModuleIntent) -> Result<Enqueued, ApiError> {
    let target = format!("{:#x}", intent.to);
    let rows = db.query(
        INSERT_SQL,
        &[
            SqlValue::Text(intent.user_id.clone()),
            intent.session_key_id.clone().map_or(SqlValue::Null, SqlValue::Text),
            SqlValue::Text(intent.idempotency_key.clone()),
            SqlValue::Text(target.clone()),
            SqlValue::Bytes(intent.data.to_vec()),
        ],
    )?;
    let Some(row) = rows.first() else {
        return Err(why_not(db, intent)?);
    };
    let status = row.parsed("status", ModuleTxStatus::parse)?;
    let enqueued = Enqueued {
        id: row.text("id")?,
        status,
        session_key_id: row.text("session_key_id")?,
        created: row.bool("created")?,
    };
    if !enqueued.created {
        let owner = db.query(
            "SELECT 1 FROM safe_automations WHERE id = $1 AND user_id = $2",
            &[SqlValue::Text(row.text("safe_automation_id")?), SqlValue::Text(intent.user_id.clone())],
        )?;
        let same = owner.first().is_some()
            && row.text("to_address")? == target
            && row.opt_bytes("data")?.unwrap_or_default() == intent.data.as_ref()
            && intent.session_key_id.as_ref().is_none_or(|k| *k == enqueued.session_key_id);
        if !same {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "`idempotencyKey` was used for a different module transaction",
            ));
        }
    }
    Ok(enqueued)
}

fn why_not(db: &impl Db, intent: &ModuleIntent) -> Result<ApiError, ApiError> {
    let rows = db.query(
        "SELECT sa.module_installed,
                EXISTS (SELECT 1 FROM session_keys sk WHERE sk.safe_automation_id = sa.id AND sk.id = $2) AS key_known
         FROM safe_automations sa WHERE sa.user_id = $1",
        &[SqlValue::Text(intent.user_id.clone()), intent.session_key_id.clone().map_or(SqlValue::Null, SqlValue::Text)],
    )?;
    let conflict = |m: &str| ApiError::new(ErrorCode::Conflict, m.to_string());
    Ok(match rows.first() {
        None => conflict("the user has not enabled Safe automation"),
        Some(row) if !row.bool("module_installed")? => {
            conflict("the AutomationModule is not installed on the user's Safe")
        }
        Some(row) if intent.session_key_id.is_some() && !row.bool("key_known")? => {
            ApiError::new(ErrorCode::NotFound, "`sessionKeyId` is not one of the user's session keys")
        }
        Some(_) if intent.session_key_id.is_some() => conflict("the session key is not ACTIVE"),
        Some(_) => conflict("the user has no ACTIVE session key: register one with POST /safe-automation/session-keys"),
    })
}
