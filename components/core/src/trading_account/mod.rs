//! Account setup (README "Trading accounts"): `POST /me/trading-account` makes the caller's
//! Polymarket proxy Safe ready to trade — created through Polymarket's Safe factory and approved
//! to the exchanges and adapters, every on-chain step a relayer transaction signed by the
//! caller's trading authority — and `GET` shows where it stands. POST is idempotent: each call
//! advances the setup as far as the chain allows (call again while `status` is not READY).

mod advance;
pub(crate) mod chain;
mod setup_config;
pub(crate) mod store;

use alloy_primitives::Address;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::{parse_json_object, ApiError, ErrorCode, Request, Response};
use crate::auth::authenticate;
use crate::ports::Platform;
use crate::relayer::require_configured;
use crate::relayer::rpc::Rpc;
use crate::trading_authority::get_or_create_authority;
use advance::{run_steps, Subject};
pub use setup_config::{safe_factory, SetupConfig};
pub use store::{SetupRow, SetupStatus};

/// How long a request may hold the setup (a signature and a few reads).
const LEASE_MS: i64 = 60_000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetupBody {}

pub async fn handle(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    request.require_method(&["GET", "POST"])?;
    request.query_params(&[])?;
    let user = authenticate(platform, request)?;
    if request.method == "GET" {
        let row = store::find(platform.db(), &user.id)?;
        return Ok(Response::json(200, &view(platform, row.as_ref(), false)?));
    }
    if !request.body.iter().all(u8::is_ascii_whitespace) {
        parse_json_object::<SetupBody>(&request.body)?;
    }
    let config = SetupConfig::from_config(platform.config())?;
    require_configured(platform.config())?;
    let authority = get_or_create_authority(platform, &user.id).await?;
    let owner: Address = authority
        .address()
        .parse()
        .map_err(|_| ApiError::new(ErrorCode::InternalError, "the trading authority's address is not usable"))?;
    let safe = config.factory.safe_of(owner);
    if let Some(existing) = store::proxy_address(platform.db(), &user.id)? {
        if existing.parse::<Address>().ok() != Some(safe) {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "this account already trades from another wallet (its PROXY wallet): there is nothing to set up",
            ));
        }
    }
    let lease = platform.random().id();
    let (owner_text, safe_text) = (format!("{owner:#x}"), format!("{safe:#x}"));
    let Some(mut row) = store::claim(platform.db(), &user.id, &owner_text, &safe_text, &lease, LEASE_MS)? else {
        let row = store::find(platform.db(), &user.id)?;
        return Ok(Response::json(202, &view(platform, row.as_ref(), true)?));
    };
    let result = if row.owner_address != owner_text {
        Err(ApiError::new(
            ErrorCode::Conflict,
            "the account was set up for an earlier trading authority; its Safe moves with an ownership transfer",
        ))
    } else {
        let rpc = Rpc::new(platform.http(), &config.rpc_url, config.rpc_timeout);
        let subject = Subject { user_id: &user.id, authority: &authority, owner, safe };
        run_steps(platform, &config, &rpc, &subject, &mut row).await
    };
    // Whatever happened, the progress is kept and the lease given back.
    store::save(platform.db(), &user.id, &lease, &row)?;
    result?;
    let status = if row.status == SetupStatus::Ready { 200 } else { 202 };
    Ok(Response::json(status, &view(platform, Some(&row), false)?))
}

fn view(platform: &impl Platform, row: Option<&SetupRow>, busy: bool) -> Result<Value, ApiError> {
    let Some(row) = row else {
        return Ok(json!({ "status": "NOT_STARTED", "safeAddress": null }));
    };
    let tx = |id: &Option<String>| -> Result<Value, ApiError> {
        Ok(match id {
            Some(id) => match store::relayer_tx(platform.db(), id)? {
                Some(tx) => json!({ "id": tx.id, "status": tx.status, "txHash": tx.tx_hash }),
                None => Value::Null,
            },
            None => Value::Null,
        })
    };
    Ok(json!({
        "status": row.status.as_str(),
        "safeAddress": row.safe_address,
        "owner": row.owner_address,
        "adopted": row.adopted,
        "deployTransaction": tx(&row.deploy_tx_id)?,
        "approvalsTransaction": tx(&row.approvals_tx_id)?,
        "error": row.error_message,
        "inProgressElsewhere": busy,
    }))
}

/// `GET /me`'s `tradingAccount`: the setup's status and Safe, or null before any.
pub fn summary(platform: &impl Platform, user_id: &str) -> Result<Value, ApiError> {
    Ok(match store::find(platform.db(), user_id)? {
        Some(row) => json!({ "status": row.status.as_str(), "safeAddress": row.safe_address }),
        None => Value::Null,
    })
}
