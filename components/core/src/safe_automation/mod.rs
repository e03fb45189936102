//! Safe automation (Phase 2B, runbook 000 §"Phase 2B: Safe Module Operations"): the
//! `AutomationModule` on the user's Safe, set up through owner transactions ([`owner_tx`]).
//! `POST /safe-automation/enable` installs it (runbook "Module Installation Flow");
//! `POST /safe-automation/owner-transactions/{id}` takes the owner's signature for any other
//! proposal; `/safe-automation/session-keys` registers, lists and revokes session keys;
//! `/safe-automation/withdrawal-allowlist` edits where withdrawals may go; `GET
//! /safe-automation` shows the state and records what has settled.

mod allowlist;
mod chain;
mod config;
mod context;
mod enable;
mod install;
pub mod owner_tx;
mod session_keys;
mod store;

use alloy_primitives::Address;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::{parse_json_object, ApiError, ErrorCode, Request, Response};
use crate::auth::authenticate;
use crate::ports::{Db, Http, Platform, SqlValue};
use crate::trading::ProxyType;
pub use config::AutomationConfig;
use context::{Row, SafeContext};
pub use install::install_calls;

pub async fn handle(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    request.query_params(&[])?;
    let path = request.path.as_str();
    if path == "/safe-automation" {
        request.require_method(&["GET"])?;
        let user = authenticate(platform, request)?;
        if store::find(platform.db(), &user.id)?.is_none() {
            return Ok(Response::json(200, &json!({ "status": "NOT_STARTED", "moduleInstalled": false })));
        }
        let ctx = SafeContext::load(platform, &user.id, Row::Existing).await?;
        owner_tx::settle_open(platform, &ctx).await?;
        return Ok(Response::json(200, &view(platform.db(), &ctx)?));
    }
    if path == "/safe-automation/enable" {
        request.require_method(&["POST"])?;
        let user = authenticate(platform, request)?;
        return enable::enable(platform, request, &user.id).await;
    }
    if path == "/safe-automation/session-keys" || path.starts_with("/safe-automation/session-keys/") {
        let user = authenticate(platform, request)?;
        return session_keys::handle(platform, request, &user.id).await;
    }
    if path == "/safe-automation/withdrawal-allowlist" || path.starts_with("/safe-automation/withdrawal-allowlist/") {
        let user = authenticate(platform, request)?;
        return allowlist::handle(platform, request, &user.id).await;
    }
    if let Some(id) = path.strip_prefix("/safe-automation/owner-transactions/") {
        request.require_method(&["POST"])?;
        let user = authenticate(platform, request)?;
        return sign_owner_tx(platform, request, &user.id, id).await;
    }
    Err(ApiError::new(ErrorCode::NotFound, "no such route"))
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

/// `ownerSignature`: 0x hex of one or more 65-byte signatures, as `execTransaction` takes them.
fn parse_signatures(text: &str) -> Result<alloy_primitives::Bytes, ApiError> {
    text.strip_prefix("0x")
        .and_then(|hex| alloy_primitives::hex::decode(hex).ok())
        .filter(|bytes| !bytes.is_empty() && bytes.len() % 65 == 0)
        .map(Into::into)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::ValidationError,
                "`ownerSignature` must be 0x hex of one or more 65-byte signatures",
            )
        })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SignBody {
    owner_signature: String,
}

/// `POST /safe-automation/owner-transactions/{id}` `{"ownerSignature"}`.
async fn sign_owner_tx(
    platform: &impl Platform,
    request: &Request,
    user_id: &str,
    id: &str,
) -> Result<Response, ApiError> {
    let body: SignBody = parse_json_object(&request.body)?;
    let signatures = parse_signatures(&body.owner_signature)?;
    let ctx = SafeContext::load(platform, user_id, Row::Existing).await?;
    let otx = owner_tx::store::by_id(platform.db(), &ctx.automation.id, id)?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such owner transaction on your Safe"))?;
    let otx = owner_tx::accept(platform, &ctx, &otx, signatures).await?;
    Ok(Response::json(202, &owner_tx::describe(&ctx, &otx)))
}

/// Where the Safe's automation stands, for the owner and for operators.
fn view<H: Http>(db: &impl Db, ctx: &SafeContext<'_, H>) -> Result<Value, ApiError> {
    let automation = store::find(db, ctx.user_id)?
        .ok_or_else(|| ApiError::new(ErrorCode::InternalError, "the safe_automations row vanished"))?;
    let open = owner_tx::store::open(db, &automation.id)?;
    let recent = owner_tx::store::recent(db, &automation.id, 10)?;
    let install = recent.iter().find(|o| o.kind == owner_tx::OwnerTxKind::InstallModule);
    let status = match (automation.module_installed, install.map(|o| o.status)) {
        (true, _) => "INSTALLED",
        (false, Some(owner_tx::OwnerTxStatus::Submitted)) => "INSTALLING",
        (false, Some(owner_tx::OwnerTxStatus::AwaitingSignature)) => "AWAITING_SIGNATURE",
        (false, _) => "NOT_STARTED",
    };
    Ok(json!({
        "id": automation.id,
        "status": status,
        "safeAddress": automation.safe_address,
        "moduleAddress": automation.module_address,
        "moduleInstalled": automation.module_installed,
        "installedAt": automation.installed_at,
        "ownerTransaction": open.as_ref().map(|o| owner_tx::describe(ctx, o)),
        "recentOwnerTransactions": recent.iter().map(|o| owner_tx::describe(ctx, o)).collect::<Vec<_>>(),
    }))
}
