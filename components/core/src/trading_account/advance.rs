//! The setup's steps. Each request, holding the row's lease, goes as far as the chain allows:
//! DEPLOYING (the Safe at the address Polymarket's factory derives for the authority: adopted
//! when the chain already has it, else created from the authority's signed `CreateProxy`, sent by
//! the relayer) → APPROVING (one owner-signed MultiSend of whatever approvals the chain shows
//! missing, sent by the relayer) → READY once the chain shows them all. A step waiting for its
//! transaction leaves the row where it is; the next request picks it up. Nothing is assumed from
//! a receipt alone: the Safe's code and owners, and every approval, are read back.

use alloy_primitives::{Address, U256};

use super::chain::{missing_approvals, safe_nonce, safe_state};
use super::setup_config::SetupConfig;
use super::store::{self, SetupRow, SetupStatus};
use crate::api::{ApiError, ErrorCode};
use crate::orders::SafeFactory;
use crate::ports::Platform;
use crate::relayer::rpc::Rpc;
use crate::relayer::{enqueue, Intent, TxKind, TxStatus};
use crate::safe_owner::{authority_signature, OwnerSigner};
use crate::safe_tx::{multi_send, Operation, SafeTransaction};
use crate::trading_authority::Authority;

/// Who the setup is for and where its Safe is.
pub struct Subject<'a> {
    pub user_id: &'a str,
    pub authority: &'a Authority,
    pub owner: Address,
    pub safe: Address,
}

impl Subject<'_> {
    fn signer(&self) -> OwnerSigner<'_> {
        OwnerSigner { user_id: self.user_id, authority: self.authority, owner: self.owner }
    }
}

/// Runs steps until one waits or the setup ends; `row` holds the progress even on an error.
pub async fn run_steps<P: Platform>(
    platform: &P,
    config: &SetupConfig,
    rpc: &Rpc<'_, P::Http>,
    subject: &Subject<'_>,
    row: &mut SetupRow,
) -> Result<(), ApiError> {
    if row.status == SetupStatus::Failed {
        *row = SetupRow {
            status: SetupStatus::Deploying,
            attempt: row.attempt + 1,
            deploy_tx_id: None,
            approvals_tx_id: None,
            error_message: None,
            ..row.clone()
        };
    }
    loop {
        let advanced = match row.status {
            SetupStatus::Deploying => deploy(platform, config, rpc, subject, row).await?,
            SetupStatus::Approving => approve(platform, config, rpc, subject, row).await?,
            SetupStatus::Ready | SetupStatus::Failed => false,
        };
        if !advanced {
            return Ok(());
        }
    }
}

fn fail(row: &mut SetupRow, why: String) -> bool {
    row.status = SetupStatus::Failed;
    row.error_message = Some(why);
    false
}

/// The relayer transaction's status, once it has settled.
fn settled(platform: &impl Platform, id: &str) -> Result<Option<store::TxView>, ApiError> {
    let tx = store::relayer_tx(platform.db(), id)?
        .ok_or_else(|| ApiError::new(ErrorCode::InternalError, "the setup's relayer transaction is missing"))?;
    Ok(match TxStatus::parse(&tx.status) {
        Some(TxStatus::Confirmed | TxStatus::Failed) => Some(tx),
        Some(TxStatus::Pending | TxStatus::Submitted) => None,
        None => return Err(ApiError::new(ErrorCode::InternalError, "a relayer transaction has an unknown status")),
    })
}

async fn deploy<P: Platform>(
    platform: &P,
    config: &SetupConfig,
    rpc: &Rpc<'_, P::Http>,
    subject: &Subject<'_>,
    row: &mut SetupRow,
) -> Result<bool, ApiError> {
    let sent = match &row.deploy_tx_id {
        Some(id) => match settled(platform, id)? {
            Some(tx) => Some(tx),
            None => return Ok(false),
        },
        None => None,
    };
    let state = safe_state(rpc, subject.safe).await?;
    if state.deployed {
        if state.owners != [subject.owner] {
            return Ok(fail(row, format!("the Safe's owners are {:?}, not the trading authority alone", state.owners)));
        }
        row.adopted = sent.is_none();
        store::record_proxy(platform.db(), subject.user_id, &format!("{:#x}", subject.safe))?;
        row.status = SetupStatus::Approving;
        return Ok(true);
    }
    if let Some(tx) = sent {
        let why = tx.error_reason.unwrap_or_else(|| format!("the createProxy transaction is {}", tx.status));
        return Ok(fail(row, format!("no Safe at the derived address: {why}")));
    }
    let key = format!("trading-account:{}:create:{}", subject.user_id, row.attempt);
    if let Some(tx) = store::relayer_tx_by_key(platform.db(), &key)? {
        row.deploy_tx_id = Some(tx.id);
        return Ok(true);
    }
    let factory = config.factory;
    let typed_data = factory.create_proxy_typed_data(config.chain_id);
    let digest = factory.create_proxy_hash(config.chain_id);
    let signature = authority_signature(platform, &subject.signer(), "SAFE_CREATE", typed_data, digest).await?;
    let intent = Intent {
        kind: TxKind::SafeCreate,
        user_id: Some(subject.user_id.into()),
        idempotency_key: key,
        to: factory.address,
        value: U256::ZERO,
        data: SafeFactory::create_proxy_call(&signature),
    };
    row.deploy_tx_id = Some(enqueue(platform.db(), platform.config(), &intent)?.tx.id);
    Ok(false)
}

async fn approve<P: Platform>(
    platform: &P,
    config: &SetupConfig,
    rpc: &Rpc<'_, P::Http>,
    subject: &Subject<'_>,
    row: &mut SetupRow,
) -> Result<bool, ApiError> {
    let sent = match &row.approvals_tx_id {
        Some(id) => match settled(platform, id)? {
            Some(tx) => Some(tx),
            None => return Ok(false),
        },
        None => None,
    };
    let missing = missing_approvals(rpc, config, subject.safe).await?;
    if missing.is_empty() {
        row.status = SetupStatus::Ready;
        row.error_message = None;
        return Ok(false);
    }
    if let Some(tx) = sent {
        let why = tx.error_reason.unwrap_or_else(|| format!("the approvals transaction is {}", tx.status));
        return Ok(fail(row, format!("{} approvals still missing: {why}", missing.len())));
    }
    let key = format!("trading-account:{}:approvals:{}", subject.user_id, row.attempt);
    if let Some(tx) = store::relayer_tx_by_key(platform.db(), &key)? {
        row.approvals_tx_id = Some(tx.id);
        return Ok(true);
    }
    let tx = SafeTransaction {
        safe: subject.safe,
        to: config.multisend,
        data: multi_send(&missing),
        operation: Operation::DelegateCall,
        nonce: safe_nonce(rpc, subject.safe).await?,
    };
    let (typed_data, digest) = (tx.typed_data(config.chain_id), tx.hash(config.chain_id));
    let signature = authority_signature(platform, &subject.signer(), "SAFE_TX", typed_data, digest).await?;
    let intent = Intent {
        kind: TxKind::SafeTx,
        user_id: Some(subject.user_id.into()),
        idempotency_key: key,
        to: subject.safe,
        value: U256::ZERO,
        data: tx.exec_call(signature.as_bytes().as_slice()),
    };
    row.approvals_tx_id = Some(enqueue(platform.db(), platform.config(), &intent)?.tx.id);
    Ok(false)
}
