//! Safe automation (Phase 2B, runbook 000 §"Phase 2B: Safe Module Operations"): installing the
//! `AutomationModule` on the user's Safe. `POST /safe-automation/enable` without a signature
//! creates the `safe_automations` row and returns the installation SafeTx to sign; with
//! `ownerSignature` (or `signWithAuthority` when the Safe's owner is the user's trading
//! authority) it checks the signature with the Safe itself and has the relayer execute it.
//! `module_installed` turns true only when the receipt confirmed it and the Safe says the module
//! is enabled; `GET /safe-automation` shows the state and records a settled installation.

mod chain;
mod config;
mod enable;
mod install;
mod store;

use alloy_primitives::Address;
use serde_json::{json, Value};

use crate::api::{ApiError, ErrorCode, Request, Response};
use crate::auth::authenticate;
use crate::ports::{Db, Platform, SqlValue};
use crate::relayer::rpc::Rpc;
use crate::relayer::TxStatus;
use crate::trading::ProxyType;
use crate::trading_account::store::{relayer_tx, TxView};
use chain::SafeView;
pub use config::AutomationConfig;
pub use install::install_calls;
use store::AutomationRow;

pub async fn handle(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    match request.path.as_str() {
        "/safe-automation" => {
            request.require_method(&["GET"])?;
            request.query_params(&[])?;
            let user = authenticate(platform, request)?;
            let Some(row) = store::find(platform.db(), &user.id)? else {
                return Ok(Response::json(200, &json!({ "status": "NOT_STARTED", "moduleInstalled": false })));
            };
            let row = if row.install_tx_id.is_some() && !row.module_installed {
                let config = AutomationConfig::from_config(platform.config())?;
                let rpc = Rpc::new(platform.http(), &config.setup.rpc_url, config.setup.rpc_timeout);
                let view = chain::read_safe(&rpc, parse_address(&row.safe_address)?, config.module).await?;
                settle(platform.db(), row, &view)?
            } else {
                row
            };
            Ok(Response::json(200, &view(platform.db(), &row)?))
        }
        "/safe-automation/enable" => {
            request.require_method(&["POST"])?;
            request.query_params(&[])?;
            let user = authenticate(platform, request)?;
            enable::enable(platform, request, &user.id).await
        }
        _ => Err(ApiError::new(ErrorCode::NotFound, "no such route")),
    }
}

fn parse_address(text: &str) -> Result<Address, ApiError> {
    text.parse().map_err(|_| {
        ApiError::new(ErrorCode::InternalError, "a stored address is not one").with_detail(format!("{text:?}"))
    })
}

/// The user's Safe: their PROXY wallet, when it is a Safe.
fn user_safe(db: &impl Db, user_id: &str) -> Result<Address, ApiError> {
    let rows = db.query(
        "SELECT address, proxy_type FROM wallets WHERE user_id = $1 AND type = 'PROXY'",
        &[SqlValue::Text(user_id.into())],
    )?;
    let no_safe = || {
        ApiError::new(
            ErrorCode::Conflict,
            "the account has no Safe to automate: set it up first with POST /me/trading-account",
        )
    };
    let row = rows.first().ok_or_else(no_safe)?;
    let proxy_type = row.opt_text("proxy_type")?.unwrap_or_default();
    match ProxyType::parse(&proxy_type) {
        Some(ProxyType::Safe) => parse_address(&row.text("address")?),
        Some(ProxyType::DepositWallet) => Err(ApiError::new(
            ErrorCode::Conflict,
            "the account trades from a Polymarket deposit wallet, which is not a Safe: there is no module to install",
        )),
        None => Err(ApiError::new(ErrorCode::InternalError, "the PROXY wallet's proxy_type is not one")
            .with_detail(format!("{proxy_type:?}"))),
    }
}

/// Records what the installation's relayer transaction came to, once it has settled.
fn settle(db: &impl Db, row: AutomationRow, safe: &SafeView) -> Result<AutomationRow, ApiError> {
    let Some(tx_id) = row.install_tx_id.clone() else { return Ok(row) };
    if row.module_installed {
        return Ok(row);
    }
    let tx = installation_tx(db, &tx_id)?;
    match TxStatus::parse(&tx.status) {
        Some(TxStatus::Pending | TxStatus::Submitted) => return Ok(row),
        Some(TxStatus::Confirmed) if safe.module_enabled => store::installed(db, &row.id, &tx_id)?,
        Some(TxStatus::Confirmed) => store::install_failed(
            db,
            &row.id,
            &tx_id,
            "the installation transaction was mined but the Safe does not have the module enabled",
        )?,
        Some(TxStatus::Failed) => {
            let why = tx.error_reason.unwrap_or_else(|| "the installation transaction FAILED".into());
            store::install_failed(db, &row.id, &tx_id, &why)?
        }
        None => {
            return Err(ApiError::new(ErrorCode::InternalError, "a relayer transaction has an unknown status")
                .with_detail(tx.status))
        }
    }
    reload(db, &row.id)
}

fn reload(db: &impl Db, id: &str) -> Result<AutomationRow, ApiError> {
    store::by_id(db, id)?.ok_or_else(|| ApiError::new(ErrorCode::InternalError, "the safe_automations row vanished"))
}

fn installation_tx(db: &impl Db, id: &str) -> Result<TxView, ApiError> {
    relayer_tx(db, id)?
        .ok_or_else(|| ApiError::new(ErrorCode::InternalError, "the installation's relayer transaction is missing"))
}

/// Where the installation stands, for the owner and for operators.
fn view(db: &impl Db, row: &AutomationRow) -> Result<Value, ApiError> {
    let tx = match &row.install_tx_id {
        Some(id) => {
            let tx = installation_tx(db, id)?;
            json!({ "id": tx.id, "status": tx.status, "txHash": tx.tx_hash })
        }
        None => Value::Null,
    };
    let status = match (row.module_installed, &row.install_tx_id, &row.proposal) {
        (true, _, _) => "INSTALLED",
        (false, Some(_), _) => "INSTALLING",
        (false, None, Some(_)) => "AWAITING_SIGNATURE",
        (false, None, None) => "NOT_STARTED",
    };
    Ok(json!({
        "id": row.id,
        "status": status,
        "safeAddress": row.safe_address,
        "moduleAddress": row.module_address,
        "moduleInstalled": row.module_installed,
        "installedAt": row.installed_at,
        "installTransaction": tx,
        "pendingSafeTxHash": row.proposal.as_ref().filter(|_| !row.module_installed).map(|p| p.hash.clone()),
        "error": row.install_error,
    }))
}
