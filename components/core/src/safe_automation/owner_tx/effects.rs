//! What an owner transaction changes, as the chain must show it before Mirror records it, and
//! what is undone when one is abandoned (superseded unsigned, or failed).

use alloy_primitives::Address;
use alloy_sol_types::SolCall;

use super::store::{OwnerTx, OwnerTxKind};
use crate::api::{ApiError, ErrorCode};
use crate::automation_module::IAutomationModule::{getSessionKeyCall, isWithdrawalRecipientCall};
use crate::ports::{Db, Http, SqlValue};
use crate::safe_automation::context::SafeContext;
use crate::safe_tx::isModuleEnabledCall;
use crate::trading_account::chain::{eth_call, returned, unavailable};

fn text(value: &str) -> SqlValue {
    SqlValue::Text(value.into())
}

fn subject(otx: &OwnerTx) -> Result<&str, ApiError> {
    otx.subject.as_deref().ok_or_else(|| {
        ApiError::new(ErrorCode::InternalError, "an owner transaction has no subject").with_detail(otx.id.clone())
    })
}

fn address(otx: &OwnerTx, field: &str) -> Result<Address, ApiError> {
    otx.details[field].as_str().and_then(|a| a.parse().ok()).ok_or_else(|| {
        ApiError::new(ErrorCode::InternalError, format!("an owner transaction's details have no usable {field}"))
            .with_detail(otx.id.clone())
    })
}

async fn read<H: Http, C: SolCall>(ctx: &SafeContext<'_, H>, to: Address, call: C) -> Result<C::Return, ApiError> {
    let (method, params) = eth_call(to, call.abi_encode());
    let bytes = returned(ctx.rpc.call(method, params).await).map_err(unavailable)?;
    C::abi_decode_returns(&bytes)
        .map_err(|_| ApiError::new(ErrorCode::ServiceUnavailable, "an on-chain read returned garbage; try again"))
}

/// The relayer confirmed `otx`: `Ok` once the chain shows its effect (recorded here), else the
/// reason it did not take.
pub async fn confirmed<H: Http>(
    db: &impl Db,
    ctx: &SafeContext<'_, H>,
    otx: &OwnerTx,
    tx_hash: Option<&str>,
) -> Result<Result<(), String>, ApiError> {
    let (safe, module) = (ctx.safe, ctx.config.module);
    let hash = tx_hash.map(text).unwrap_or(SqlValue::Null);
    match otx.kind {
        OwnerTxKind::InstallModule => {
            if !read(ctx, safe, isModuleEnabledCall { module }).await? {
                return Ok(Err("mined, but the Safe does not have the module enabled".into()));
            }
            db.execute(
                "UPDATE safe_automations SET module_installed = true, installed_at = coalesce(installed_at, now()),
                   owner_signature = $2
                 WHERE id = $1",
                &[text(&otx.automation_id), otx.owner_signature.as_deref().map(text).unwrap_or(SqlValue::Null)],
            )?;
        }
        OwnerTxKind::RegisterSessionKey | OwnerTxKind::RevokeSessionKey => {
            let key = address(otx, "address")?;
            let on_chain = read(ctx, module, getSessionKeyCall { safe, key }).await?;
            let registering = otx.kind == OwnerTxKind::RegisterSessionKey;
            if registering && (on_chain.validUntil.is_zero() || on_chain.revoked) {
                return Ok(Err("mined, but the module does not hold the key as registered".into()));
            }
            if !registering && !on_chain.revoked {
                return Ok(Err("mined, but the module does not hold the key as revoked".into()));
            }
            let sql = if registering {
                "UPDATE session_keys SET status = 'ACTIVE', registered_tx_hash = $2 WHERE id = $1 AND status = 'PENDING'"
            } else {
                "UPDATE session_keys SET revoked_tx_hash = $2 WHERE id = $1"
            };
            db.execute(sql, &[text(subject(otx)?), hash])?;
        }
        OwnerTxKind::AllowlistAdd | OwnerTxKind::AllowlistRemove => {
            let recipient = address(otx, "address")?;
            let listed = read(ctx, module, isWithdrawalRecipientCall { safe, recipient }).await?;
            let adding = otx.kind == OwnerTxKind::AllowlistAdd;
            if listed != adding {
                return Ok(Err("mined, but the module's withdrawal allowlist does not show the change".into()));
            }
            if adding {
                db.execute(
                    "INSERT INTO withdrawal_allowlists (safe_automation_id, address, label) VALUES ($1, $2, $3)
                     ON CONFLICT (safe_automation_id, address) DO UPDATE SET label = EXCLUDED.label",
                    &[
                        text(&otx.automation_id),
                        text(&format!("{recipient:#x}")),
                        otx.details["label"].as_str().map(text).unwrap_or(SqlValue::Null),
                    ],
                )?;
            }
        }
    }
    Ok(Ok(()))
}

/// `otx` will never execute: a session key it would have registered is deleted (it was never on
/// chain, and its private key goes with it).
pub fn abandoned(db: &impl Db, otx: &OwnerTx) -> Result<(), ApiError> {
    if otx.kind == OwnerTxKind::RegisterSessionKey {
        db.execute("DELETE FROM session_keys WHERE id = $1 AND status = 'PENDING'", &[text(subject(otx)?)])?;
    }
    Ok(())
}
