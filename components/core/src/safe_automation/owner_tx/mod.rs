//! Owner transactions: the one pattern every change to a Safe's module setup follows. Mirror
//! proposes a SafeTx at the Safe's nonce and keeps it; the owner signs it (returned as EIP-712
//! typed data and accepted back as `ownerSignature`), or the user's trading authority does
//! through the signing pipeline when it owns the Safe alone; the Safe's own `checkSignatures`
//! judges the signature; the relayer executes it; and it is CONFIRMED only when the chain shows
//! its effect ([`effects`]). One open owner transaction per Safe: they would share its nonce.

mod effects;
pub mod store;

use alloy_primitives::{Address, Bytes, U256};
use serde_json::{json, Value};

use super::chain::check_signatures;
use super::context::SafeContext;
use crate::api::{ApiError, ErrorCode};
use crate::ports::{Http, Platform};
use crate::relayer::{enqueue, require_configured, Intent, TxKind, TxStatus};
use crate::safe_owner::{authority_signature, OwnerSigner};
use crate::safe_tx::{Operation, SafeTransaction};
use crate::trading_account::store::relayer_tx;
use crate::trading_authority::{get_or_create_authority, Authority};
use store::NewOwnerTx;
pub use store::{OwnerTx, OwnerTxKind, OwnerTxStatus};

/// How long an authority-signing request may hold an owner transaction.
const LEASE_MS: i64 = 60_000;

/// What a proposal changes on the Safe.
pub struct Change<'a> {
    pub kind: OwnerTxKind,
    pub subject: Option<&'a str>,
    pub details: Value,
    pub to: Address,
    pub data: Bytes,
    pub operation: Operation,
}

/// Proposes `change` at the Safe's nonce. An identical open proposal (unsigned or executing) is
/// returned as it is; a different unsigned one is superseded; a different one being executed
/// makes this a CONFLICT.
pub fn propose<P: Platform>(
    platform: &P,
    ctx: &SafeContext<'_, P::Http>,
    change: Change<'_>,
) -> Result<OwnerTx, ApiError> {
    let tx = SafeTransaction {
        safe: ctx.safe,
        to: change.to,
        data: change.data,
        operation: change.operation,
        nonce: ctx.chain.nonce,
    };
    let hash = tx.hash(ctx.config.setup.chain_id).to_string();
    let db = platform.db();
    if let Some(open) = store::open(db, &ctx.automation.id)? {
        match open.status {
            _ if open.hash == hash && open.kind == change.kind => return Ok(open),
            OwnerTxStatus::AwaitingSignature => {
                if store::supersede(db, &open.id)? {
                    effects::abandoned(db, &open)?;
                }
            }
            _ => return Err(busy(&open)),
        }
    }
    let new = NewOwnerTx {
        automation_id: &ctx.automation.id,
        kind: change.kind,
        subject: change.subject,
        details: change.details,
        tx: &tx,
        hash,
    };
    match store::insert(db, &new)? {
        Some(id) => reload(db, &ctx.automation.id, &id),
        // A racing request proposed first: the same change is that proposal.
        None => match store::open(db, &ctx.automation.id)? {
            Some(open) if open.hash == new.hash && open.kind == new.kind => Ok(open),
            _ => Err(ApiError::new(
                ErrorCode::Conflict,
                "another owner transaction was proposed for this Safe at the same moment",
            )),
        },
    }
}

fn busy(open: &OwnerTx) -> ApiError {
    ApiError::new(
        ErrorCode::Conflict,
        format!(
            "owner transaction {} ({}) is being executed on this Safe; wait for it (GET /safe-automation)",
            open.id,
            open.kind.as_str()
        ),
    )
}

fn reload(db: &impl crate::ports::Db, automation_id: &str, id: &str) -> Result<OwnerTx, ApiError> {
    store::by_id(db, automation_id, id)?
        .ok_or_else(|| ApiError::new(ErrorCode::InternalError, "an owner transaction vanished"))
}

/// Accepts the owners' signatures for `otx`: checked by the Safe, then handed to the relayer.
pub async fn accept<P: Platform>(
    platform: &P,
    ctx: &SafeContext<'_, P::Http>,
    otx: &OwnerTx,
    signatures: Bytes,
) -> Result<OwnerTx, ApiError> {
    let refused = |why: String| ApiError::new(ErrorCode::SignatureError, format!("ownerSignature is not used: {why}"));
    match otx.status {
        OwnerTxStatus::AwaitingSignature => {}
        OwnerTxStatus::Submitted if otx.owner_signature.as_deref() == Some(&*signatures.to_string()) => {
            return Ok(otx.clone());
        }
        status => return Err(refused(format!("owner transaction {} is {}", otx.id, status.as_str()))),
    }
    if otx.tx.nonce != ctx.chain.nonce {
        return Err(refused(format!(
            "it was proposed at Safe nonce {} and the Safe is at {}; request a new proposal",
            otx.tx.nonce, ctx.chain.nonce
        )));
    }
    require_configured(platform.config())?;
    let chain_id = ctx.config.setup.chain_id;
    let hash = otx.tx.hash(chain_id);
    check_signatures(&ctx.rpc, ctx.safe, hash, otx.tx.encoded(chain_id), signatures.clone()).await?;
    let intent = Intent {
        kind: TxKind::SafeTx,
        user_id: Some(ctx.user_id.into()),
        idempotency_key: format!("safe-owner-tx:{}", otx.id),
        to: ctx.safe,
        value: U256::ZERO,
        data: otx.tx.exec_call(&signatures),
    };
    let enqueued = enqueue(platform.db(), platform.config(), &intent)?;
    store::submitted(platform.db(), &otx.id, &signatures.to_string(), &enqueued.tx.id)?;
    reload(platform.db(), &ctx.automation.id, &otx.id)
}

/// The user's trading authority, when it owns the Safe alone (then it signs owner transactions).
pub async fn sole_owner_authority<P: Platform>(
    platform: &P,
    ctx: &SafeContext<'_, P::Http>,
) -> Result<Option<(Authority, Address)>, ApiError> {
    let authority = get_or_create_authority(platform, ctx.user_id).await?;
    let owner = super::parse_address(authority.address())?;
    Ok((ctx.chain.owners == [owner] && ctx.chain.threshold == U256::from(1)).then_some((authority, owner)))
}

/// Signs `otx` with the authority through the signing pipeline (once, under the row's lease)
/// and accepts it. A call that finds the lease taken returns the transaction as it is.
pub async fn sign_with_authority<P: Platform>(
    platform: &P,
    ctx: &SafeContext<'_, P::Http>,
    otx: &OwnerTx,
    authority: &Authority,
    owner: Address,
) -> Result<OwnerTx, ApiError> {
    let db = platform.db();
    let lease = platform.random().id();
    if !store::lease(db, &otx.id, &lease, LEASE_MS)? {
        return reload(db, &ctx.automation.id, &otx.id);
    }
    let result = async {
        let current = reload(db, &ctx.automation.id, &otx.id)?;
        if current.status != OwnerTxStatus::AwaitingSignature {
            return Ok(current);
        }
        let chain_id = ctx.config.setup.chain_id;
        let signer = OwnerSigner { user_id: ctx.user_id, authority, owner };
        let (typed_data, hash) = (current.tx.typed_data(chain_id), current.tx.hash(chain_id));
        let signature = authority_signature(platform, &signer, "SAFE_TX", typed_data, hash).await?;
        accept(platform, ctx, &current, signature.as_bytes().to_vec().into()).await
    }
    .await;
    store::release(db, &otx.id, &lease)?;
    result
}

/// Signs with the trading authority when it owns the Safe alone; otherwise the owner signs the
/// returned SafeTx (`POST /safe-automation/owner-transactions/{id}`).
pub async fn sign_if_authority_owns<P: Platform>(
    platform: &P,
    ctx: &SafeContext<'_, P::Http>,
    otx: OwnerTx,
) -> Result<OwnerTx, ApiError> {
    match sole_owner_authority(platform, ctx).await? {
        Some((authority, owner)) => sign_with_authority(platform, ctx, &otx, &authority, owner).await,
        None => Ok(otx),
    }
}

/// Records what a SUBMITTED owner transaction came to once its relayer transaction settled:
/// CONFIRMED when the chain shows its effect, else FAILED with the reason.
pub async fn settle<P: Platform>(
    platform: &P,
    ctx: &SafeContext<'_, P::Http>,
    otx: OwnerTx,
) -> Result<OwnerTx, ApiError> {
    let Some(relayer_id) = otx.relayer_tx_id.clone().filter(|_| otx.status == OwnerTxStatus::Submitted) else {
        return Ok(otx);
    };
    let db = platform.db();
    let sent = relayer_tx(db, &relayer_id)?
        .ok_or_else(|| ApiError::new(ErrorCode::InternalError, "an owner transaction's relayer row is missing"))?;
    let outcome = match TxStatus::parse(&sent.status) {
        Some(TxStatus::Pending | TxStatus::Submitted) => return Ok(otx),
        Some(TxStatus::Confirmed) => effects::confirmed(db, ctx, &otx, sent.tx_hash.as_deref()).await?,
        Some(TxStatus::Failed) => Err(sent.error_reason.unwrap_or_else(|| "the relayer transaction FAILED".into())),
        None => {
            return Err(ApiError::new(ErrorCode::InternalError, "a relayer transaction has an unknown status")
                .with_detail(sent.status))
        }
    };
    match outcome {
        Ok(()) => {
            store::settled(db, &otx.id, OwnerTxStatus::Confirmed, None)?;
        }
        Err(why) => {
            effects::abandoned(db, &otx)?;
            store::settled(db, &otx.id, OwnerTxStatus::Failed, Some(&why))?;
        }
    }
    reload(db, &ctx.automation.id, &otx.id)
}

/// Settles the Safe's open owner transaction, if it has one.
pub async fn settle_open<P: Platform>(platform: &P, ctx: &SafeContext<'_, P::Http>) -> Result<(), ApiError> {
    if let Some(open) = store::open(platform.db(), &ctx.automation.id)? {
        settle(platform, ctx, open).await?;
    }
    Ok(())
}

/// An owner transaction for the owner and for operators; with the SafeTx to sign while it
/// awaits a signature.
pub fn describe<H: Http>(ctx: &SafeContext<'_, H>, otx: &OwnerTx) -> Value {
    let chain_id = ctx.config.setup.chain_id;
    let mut view = json!({
        "id": otx.id,
        "kind": otx.kind.as_str(),
        "status": otx.status.as_str(),
        "subject": otx.subject,
        "safeTxHash": otx.hash,
        "nonce": otx.tx.nonce.to_string(),
        "relayerTxId": otx.relayer_tx_id,
        "error": otx.error,
    });
    if otx.status == OwnerTxStatus::AwaitingSignature {
        view["safeTx"] = json!({
            "hash": otx.hash,
            "nonce": otx.tx.nonce.to_string(),
            "to": otx.tx.to,
            "data": otx.tx.data,
            "operation": otx.tx.operation as u8,
            "typedData": otx.tx.typed_data(chain_id),
        });
        view["owners"] = json!(ctx.chain.owners);
        view["threshold"] = json!(ctx.chain.threshold.to_string());
    }
    view
}
