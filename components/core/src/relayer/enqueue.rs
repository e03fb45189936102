//! How a producer asks for a transaction: an intent with an idempotency key. A repeat of the key
//! returns the row already made; the same key for a different transaction is refused.

use alloy_primitives::{Address, Bytes, U256};

use super::keys::RelayerKeys;
use super::store::{self, RelayerTx};
use super::tx_status::TxKind;
use crate::api::{ApiError, ErrorCode};
use crate::ports::{Config, Db};
use crate::settings;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Intent {
    pub kind: TxKind,
    pub user_id: Option<String>,
    pub idempotency_key: String,
    pub to: Address,
    pub value: U256,
    pub data: Bytes,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Enqueued {
    pub tx: RelayerTx,
    /// False when the key had been used before (the row returned is that one).
    pub created: bool,
}

/// 503 naming the variable when the relayer has no key: nothing is queued to wait silently.
pub fn require_configured(config: &dyn Config) -> Result<(), ApiError> {
    match RelayerKeys::current_address(config)? {
        Some(_) => Ok(()),
        None => Err(ApiError::new(
            ErrorCode::ServiceUnavailable,
            format!("the relayer is not configured: set `{}`", settings::RELAYER_PRIVATE_KEY),
        )),
    }
}

/// Enqueues `intent` as a PENDING row, or returns the row its key already made. One statement.
pub fn enqueue(db: &impl Db, config: &dyn Config, intent: &Intent) -> Result<Enqueued, ApiError> {
    require_configured(config)?;
    let (tx, created) = store::insert_intent(db, intent).map_err(ApiError::from)?;
    if !created && (tx.kind != intent.kind || tx.to != intent.to || tx.value != intent.value || tx.data != intent.data)
    {
        return Err(ApiError::new(ErrorCode::Conflict, "`idempotencyKey` was used for a different transaction"));
    }
    Ok(Enqueued { tx, created })
}
