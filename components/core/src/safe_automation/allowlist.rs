//! The withdrawal allowlist (runbook "Withdrawal Allowlist"): where withdrawals from the Safe may
//! go, kept by the module on chain (`setWithdrawalRecipient`, an owner transaction) and mirrored
//! in `withdrawal_allowlists` with its `label`. An address is listed once the chain shows it; a
//! removal takes it out of Mirror at once (nothing is sent there again) and off the chain when
//! its owner transaction executes.

use alloy_primitives::Address;
use alloy_sol_types::SolCall;
use serde::Deserialize;
use serde_json::{json, Value};

use super::context::{Row, SafeContext};
use super::owner_tx::{self, Change, OwnerTx, OwnerTxKind, OwnerTxStatus};
use crate::api::{parse_json_object, ApiError, ErrorCode, Request, Response};
use crate::automation_module::IAutomationModule::{isWithdrawalRecipientCall, setWithdrawalRecipientCall};
use crate::ports::{Db, Http, Platform, SqlValue};
use crate::safe_tx::Operation;
use crate::trading_account::chain::{eth_call, returned, unavailable};

const MAX_LABEL_CHARS: usize = 100;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddBody {
    address: String,
    label: Option<String>,
}

fn invalid(field: &str, why: &str) -> ApiError {
    ApiError::new(ErrorCode::ValidationError, format!("`{field}` {why}"))
}

fn parse_recipient<H: Http>(ctx: &SafeContext<'_, H>, text: &str, field: &str) -> Result<Address, ApiError> {
    let address: Address = text
        .parse()
        .ok()
        .filter(|a: &Address| !a.is_zero())
        .ok_or_else(|| invalid(field, "must be a non-zero 0x address"))?;
    if address == ctx.safe || address == ctx.config.module {
        return Err(invalid(field, "cannot be the Safe itself or the module"));
    }
    Ok(address)
}

pub async fn handle(platform: &impl Platform, request: &Request, user_id: &str) -> Result<Response, ApiError> {
    let rest = request.path.strip_prefix("/safe-automation/withdrawal-allowlist").unwrap_or_default();
    match rest.strip_prefix('/') {
        None if rest.is_empty() => {
            request.require_method(&["GET", "POST"])?;
            let body = if request.method == "POST" { Some(parse_json_object::<AddBody>(&request.body)?) } else { None };
            let ctx = SafeContext::load(platform, user_id, Row::Existing).await?;
            owner_tx::settle_open(platform, &ctx).await?;
            match body {
                None => Ok(Response::json(200, &json!({ "withdrawalAllowlist": listed(platform.db(), &ctx, None)? }))),
                Some(body) => add(platform, &ctx, body).await,
            }
        }
        Some(address) if !address.is_empty() && !address.contains('/') => {
            request.require_method(&["DELETE"])?;
            let ctx = SafeContext::load(platform, user_id, Row::Existing).await?;
            owner_tx::settle_open(platform, &ctx).await?;
            let recipient = parse_recipient(&ctx, address, "address")?;
            remove(platform, &ctx, recipient).await
        }
        _ => Err(ApiError::new(ErrorCode::NotFound, "no such route")),
    }
}

fn listed<H: Http>(db: &impl Db, ctx: &SafeContext<'_, H>, only: Option<Address>) -> Result<Vec<Value>, ApiError> {
    let rows = db.query(
        "SELECT address, label, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS created_at
         FROM withdrawal_allowlists WHERE safe_automation_id = $1 AND ($2::text IS NULL OR address = $2)
         ORDER BY created_at, address",
        &[
            SqlValue::Text(ctx.automation.id.clone()),
            only.map(|a| SqlValue::Text(format!("{a:#x}"))).unwrap_or(SqlValue::Null),
        ],
    )?;
    let found = rows
        .iter()
        .map(|row| {
            Ok(json!({
                "address": row.text("address")?,
                "label": row.opt_text("label")?,
                "createdAt": row.text("created_at")?,
            }))
        })
        .collect::<Result<Vec<_>, crate::ports::DbError>>()?;
    Ok(found)
}

async fn add<P: Platform>(platform: &P, ctx: &SafeContext<'_, P::Http>, body: AddBody) -> Result<Response, ApiError> {
    let recipient = parse_recipient(ctx, &body.address, "address")?;
    let label = body.label.map(|l| l.trim().to_string()).filter(|l| !l.is_empty());
    if label.as_ref().is_some_and(|l| l.chars().count() > MAX_LABEL_CHARS) {
        return Err(invalid("label", "must be at most 100 characters"));
    }
    ctx.require_installed()?;
    let db = platform.db();
    let relabelled = db.execute(
        "UPDATE withdrawal_allowlists SET label = $3 WHERE safe_automation_id = $1 AND address = $2",
        &[
            SqlValue::Text(ctx.automation.id.clone()),
            SqlValue::Text(format!("{recipient:#x}")),
            label.clone().map(SqlValue::Text).unwrap_or(SqlValue::Null),
        ],
    )?;
    if relabelled == 1 {
        let entry = listed(db, ctx, Some(recipient))?.into_iter().next().unwrap_or(Value::Null);
        return Ok(Response::json(200, &json!({ "entry": entry, "ownerTransaction": Value::Null })));
    }
    let change = Change {
        kind: OwnerTxKind::AllowlistAdd,
        subject: Some(&format!("{recipient:#x}")),
        details: json!({ "address": format!("{recipient:#x}"), "label": label }),
        to: ctx.config.module,
        data: setWithdrawalRecipientCall { recipient, allowed: true }.abi_encode().into(),
        operation: Operation::Call,
    };
    let otx = owner_tx::sign_if_authority_owns(platform, ctx, owner_tx::propose(platform, ctx, change)?).await?;
    answer(ctx, recipient, label, &otx)
}

async fn remove<P: Platform>(
    platform: &P,
    ctx: &SafeContext<'_, P::Http>,
    recipient: Address,
) -> Result<Response, ApiError> {
    let db = platform.db();
    let removed = db.execute(
        "DELETE FROM withdrawal_allowlists WHERE safe_automation_id = $1 AND address = $2",
        &[SqlValue::Text(ctx.automation.id.clone()), SqlValue::Text(format!("{recipient:#x}"))],
    )?;
    let (method, params) =
        eth_call(ctx.config.module, isWithdrawalRecipientCall { safe: ctx.safe, recipient }.abi_encode());
    let bytes = returned(ctx.rpc.call(method, params).await).map_err(unavailable)?;
    let on_chain = isWithdrawalRecipientCall::abi_decode_returns(&bytes)
        .map_err(|_| ApiError::new(ErrorCode::ServiceUnavailable, "the module's allowlist is unreadable; try again"))?;
    if !on_chain {
        if removed == 0 {
            return Err(ApiError::new(ErrorCode::NotFound, "the address is not on the withdrawal allowlist"));
        }
        return Ok(Response::json(
            200,
            &json!({ "removed": format!("{recipient:#x}"), "ownerTransaction": Value::Null }),
        ));
    }
    let change = Change {
        kind: OwnerTxKind::AllowlistRemove,
        subject: Some(&format!("{recipient:#x}")),
        details: json!({ "address": format!("{recipient:#x}") }),
        to: ctx.config.module,
        data: setWithdrawalRecipientCall { recipient, allowed: false }.abi_encode().into(),
        operation: Operation::Call,
    };
    let otx = owner_tx::sign_if_authority_owns(platform, ctx, owner_tx::propose(platform, ctx, change)?).await?;
    let status = if otx.status == OwnerTxStatus::AwaitingSignature { 200 } else { 202 };
    Ok(Response::json(
        status,
        &json!({ "removed": format!("{recipient:#x}"), "ownerTransaction": owner_tx::describe(ctx, &otx) }),
    ))
}

fn answer<H: Http>(
    ctx: &SafeContext<'_, H>,
    recipient: Address,
    label: Option<String>,
    otx: &OwnerTx,
) -> Result<Response, ApiError> {
    let status = if otx.status == OwnerTxStatus::AwaitingSignature { 200 } else { 202 };
    let entry = json!({ "address": format!("{recipient:#x}"), "label": label, "onChain": false });
    Ok(Response::json(status, &json!({ "entry": entry, "ownerTransaction": owner_tx::describe(ctx, otx) })))
}
