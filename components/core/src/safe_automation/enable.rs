//! `POST /safe-automation/enable` (runbook "Module Installation Flow", steps 1–5): without a
//! signature it creates the row and proposes the installation; with `ownerSignature` it executes
//! the proposal; with `signWithAuthority` the user's trading authority signs it (when it owns the
//! Safe alone).

use alloy_primitives::{Bytes, B256};
use serde::Deserialize;

use super::context::{Row, SafeContext};
use super::install::install_calls;
use super::owner_tx::{self, Change, OwnerTx, OwnerTxKind, OwnerTxStatus};
use super::{parse_signatures, view};
use crate::api::{parse_json_object, ApiError, ErrorCode, Request, Response};
use crate::ports::Platform;
use crate::safe_tx::{multi_send, Operation};
use crate::trading_account::chain::missing_approvals;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct EnableBody {
    owner_signature: Option<String>,
    safe_tx_hash: Option<String>,
    sign_with_authority: Option<bool>,
}

/// Who signs the installation.
enum Signer {
    /// Nobody yet: return the SafeTx to sign.
    Nobody,
    Owners {
        signatures: Bytes,
        hash: Option<B256>,
    },
    Authority,
}

fn invalid(field: &str, why: &str) -> ApiError {
    ApiError::new(ErrorCode::ValidationError, format!("`{field}` {why}"))
}

fn parse_body(request: &Request) -> Result<Signer, ApiError> {
    let body: EnableBody = if request.body.iter().all(u8::is_ascii_whitespace) {
        EnableBody::default()
    } else {
        parse_json_object(&request.body)?
    };
    let hash = match &body.safe_tx_hash {
        Some(text) => Some(text.parse::<B256>().map_err(|_| invalid("safeTxHash", "must be a 0x 32-byte hash"))?),
        None => None,
    };
    match (body.owner_signature, body.sign_with_authority.unwrap_or(false)) {
        (Some(_), true) => Err(invalid("signWithAuthority", "cannot be given with `ownerSignature`")),
        (Some(text), false) => Ok(Signer::Owners { signatures: parse_signatures(&text)?, hash }),
        (None, _) if hash.is_some() => Err(invalid("safeTxHash", "is only taken with `ownerSignature`")),
        (None, true) => Ok(Signer::Authority),
        (None, false) => Ok(Signer::Nobody),
    }
}

fn refused(why: &str) -> ApiError {
    ApiError::new(ErrorCode::SignatureError, format!("ownerSignature is not used: {why}"))
}

pub async fn enable(platform: &impl Platform, request: &Request, user_id: &str) -> Result<Response, ApiError> {
    let signer = parse_body(request)?;
    let ctx = SafeContext::load(platform, user_id, Row::Create).await?;
    owner_tx::settle_open(platform, &ctx).await?;
    let installed = super::store::find(platform.db(), user_id)?.is_some_and(|row| row.module_installed);
    let open = owner_tx::store::open(platform.db(), &ctx.automation.id)?;
    let installing = open.as_ref().filter(|o| o.kind == OwnerTxKind::InstallModule);
    let answer =
        |status: u16| -> Result<Response, ApiError> { Ok(Response::json(status, &view(platform.db(), &ctx)?)) };
    match signer {
        Signer::Owners { signatures, hash } => {
            if installed {
                return Err(refused("the module is installed; its installation transaction has been executed"));
            }
            let otx = installing.ok_or_else(|| refused("there is no installation proposal to sign; request one"))?;
            if hash.is_some_and(|hash| hash.to_string() != otx.hash) {
                return Err(refused("`safeTxHash` is not the hash of the installation proposed (request a new one)"));
            }
            owner_tx::accept(platform, &ctx, otx, signatures).await?;
            answer(202)
        }
        _ if installed => answer(200),
        _ if installing.is_some_and(|o| o.status == OwnerTxStatus::Submitted) => answer(202),
        Signer::Nobody => {
            propose(platform, &ctx).await?;
            answer(200)
        }
        Signer::Authority => {
            let Some((authority, owner)) = owner_tx::sole_owner_authority(platform, &ctx).await? else {
                return Err(ApiError::new(
                    ErrorCode::Forbidden,
                    "the Safe is not owned by your trading authority alone: sign the SafeTx and send `ownerSignature`",
                ));
            };
            let otx = propose(platform, &ctx).await?;
            owner_tx::sign_with_authority(platform, &ctx, &otx, &authority, owner).await?;
            answer(202)
        }
    }
}

/// The installation at the Safe's nonce: enable (unless already enabled), configure, approve.
async fn propose<P: Platform>(platform: &P, ctx: &SafeContext<'_, P::Http>) -> Result<OwnerTx, ApiError> {
    let missing = missing_approvals(&ctx.rpc, &ctx.config.setup, ctx.safe).await?;
    let calls = install_calls(&ctx.config, ctx.safe, ctx.chain.module_enabled, missing);
    let change = Change {
        kind: OwnerTxKind::InstallModule,
        subject: None,
        details: serde_json::json!({}),
        to: ctx.config.setup.multisend,
        data: multi_send(&calls),
        operation: Operation::DelegateCall,
    };
    owner_tx::propose(platform, ctx, change)
}
