//! `POST /safe-automation/enable` (runbook "Module Installation Flow", steps 1–5).

use alloy_primitives::{Address, Bytes, B256, U256};
use serde::Deserialize;
use serde_json::json;

use super::chain::{check_signatures, read_safe, SafeView};
use super::config::AutomationConfig;
use super::install::{install_calls, install_transaction};
use super::store::{self, AutomationRow, Proposal};
use super::{settle, user_safe, view};
use crate::api::{parse_json_object, ApiError, ErrorCode, Request, Response};
use crate::ports::Platform;
use crate::relayer::rpc::Rpc;
use crate::relayer::{enqueue, require_configured, Intent, TxKind};
use crate::safe_owner::{authority_signature, OwnerSigner};
use crate::safe_tx::{Operation, SafeTransaction};
use crate::trading_account::chain::missing_approvals;
use crate::trading_authority::get_or_create_authority;

/// How long a signWithAuthority request may hold the row (one signature and a few reads).
const LEASE_MS: i64 = 60_000;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct EnableBody {
    owner_signature: Option<String>,
    safe_tx_hash: Option<String>,
    sign_with_authority: Option<bool>,
}

/// Who signs the proposal.
enum Signer {
    /// Nobody yet: return the SafeTx to sign.
    Nobody,
    /// The Safe's owners, signatures concatenated as `execTransaction` takes them.
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
    let with_authority = body.sign_with_authority.unwrap_or(false);
    let hash = match &body.safe_tx_hash {
        Some(text) => Some(text.parse::<B256>().map_err(|_| invalid("safeTxHash", "must be a 0x 32-byte hash"))?),
        None => None,
    };
    match (body.owner_signature, with_authority) {
        (Some(_), true) => Err(invalid("signWithAuthority", "cannot be given with `ownerSignature`")),
        (Some(text), false) => {
            let signatures = text
                .strip_prefix("0x")
                .and_then(|hex| alloy_primitives::hex::decode(hex).ok())
                .filter(|bytes| !bytes.is_empty() && bytes.len() % 65 == 0)
                .ok_or_else(|| invalid("ownerSignature", "must be 0x hex of one or more 65-byte signatures"))?;
            Ok(Signer::Owners { signatures: signatures.into(), hash })
        }
        (None, _) if hash.is_some() => Err(invalid("safeTxHash", "is only taken with `ownerSignature`")),
        (None, true) => Ok(Signer::Authority),
        (None, false) => Ok(Signer::Nobody),
    }
}

pub async fn enable(platform: &impl Platform, request: &Request, user_id: &str) -> Result<Response, ApiError> {
    let signer = parse_body(request)?;
    let config = AutomationConfig::from_config(platform.config())?;
    if !matches!(signer, Signer::Nobody) {
        require_configured(platform.config())?;
    }
    let safe = user_safe(platform.db(), user_id)?;
    let rpc = Rpc::new(platform.http(), &config.setup.rpc_url, config.setup.rpc_timeout);
    let chain = read_safe(&rpc, safe, config.module).await?;
    let row = store::open(platform.db(), user_id, &format!("{safe:#x}"), &format!("{:#x}", config.module))?;
    let row = settle(platform.db(), row, &chain)?;
    let already = |what: &str| ApiError::new(ErrorCode::SignatureError, format!("ownerSignature is not used: {what}"));
    if row.module_installed {
        if matches!(signer, Signer::Owners { .. }) {
            return Err(already("the module is installed; its installation transaction has been executed"));
        }
        return Ok(Response::json(200, &view(platform.db(), &row)?));
    }
    if row.install_tx_id.is_some() {
        if let Signer::Owners { signatures, .. } = &signer {
            if row.owner_signature.as_deref() != Some(&*signatures.to_string()) {
                return Err(ApiError::new(ErrorCode::Conflict, "the installation is already being executed"));
            }
        }
        return Ok(Response::json(202, &view(platform.db(), &row)?));
    }
    match signer {
        Signer::Nobody => {
            let (row, tx) = propose(platform, &config, &rpc, &row, safe, &chain).await?;
            let mut body = view(platform.db(), &row)?;
            body["safeTx"] = json!({
                "hash": tx.hash(config.setup.chain_id),
                "nonce": tx.nonce.to_string(),
                "to": tx.to,
                "data": tx.data,
                "operation": tx.operation as u8,
                "typedData": tx.typed_data(config.setup.chain_id),
            });
            body["owners"] = json!(chain.owners);
            body["threshold"] = json!(chain.threshold.to_string());
            Ok(Response::json(200, &body))
        }
        Signer::Owners { signatures, hash } => {
            let tx = current_proposal(&config, &row, safe, &chain)?;
            let proposed = tx.hash(config.setup.chain_id);
            if hash.is_some_and(|hash| hash != proposed) {
                return Err(already("`safeTxHash` is not the hash of the installation proposed (request a new one)"));
            }
            check_signatures(&rpc, safe, proposed, tx.encoded(config.setup.chain_id), signatures.clone()).await?;
            submit(platform, user_id, &row, &tx, proposed, &signatures)
        }
        Signer::Authority => sign_with_authority(platform, &config, &rpc, row, safe, &chain, user_id).await,
    }
}

/// The installation at the Safe's current nonce, stored as what the owner is shown.
async fn propose<P: Platform>(
    platform: &P,
    config: &AutomationConfig,
    rpc: &Rpc<'_, P::Http>,
    row: &AutomationRow,
    safe: Address,
    chain: &SafeView,
) -> Result<(AutomationRow, SafeTransaction), ApiError> {
    let missing = missing_approvals(rpc, &config.setup, safe).await?;
    let calls = install_calls(config, safe, chain.module_enabled, missing);
    let tx = install_transaction(config, safe, chain.nonce, &calls);
    let proposal = Proposal {
        nonce: tx.nonce.to_string(),
        data: tx.data.to_vec(),
        hash: tx.hash(config.setup.chain_id).to_string(),
    };
    store::propose(platform.db(), &row.id, &proposal)?;
    Ok((super::reload(platform.db(), &row.id)?, tx))
}

/// The stored proposal as a SafeTx, if it is still executable (the Safe's nonce has not moved).
fn current_proposal(
    config: &AutomationConfig,
    row: &AutomationRow,
    safe: Address,
    chain: &SafeView,
) -> Result<SafeTransaction, ApiError> {
    let stale = |why: String| {
        ApiError::new(ErrorCode::SignatureError, format!("ownerSignature is not used: {why}; request a new proposal"))
    };
    let proposal = row.proposal.as_ref().ok_or_else(|| stale("there is no installation proposal to sign".into()))?;
    let nonce: U256 = proposal
        .nonce
        .parse()
        .map_err(|_| ApiError::new(ErrorCode::InternalError, "the stored proposal's nonce is not a number"))?;
    if nonce != chain.nonce {
        return Err(stale(format!("it was proposed at Safe nonce {nonce} and the Safe is at {}", chain.nonce)));
    }
    Ok(SafeTransaction {
        safe,
        to: config.setup.multisend,
        data: proposal.data.clone().into(),
        operation: Operation::DelegateCall,
        nonce,
    })
}

/// Has the relayer execute the signed proposal: one relayer transaction per attempt.
fn submit(
    platform: &impl Platform,
    user_id: &str,
    row: &AutomationRow,
    tx: &SafeTransaction,
    hash: B256,
    signatures: &Bytes,
) -> Result<Response, ApiError> {
    let intent = Intent {
        kind: TxKind::SafeTx,
        user_id: Some(user_id.into()),
        idempotency_key: format!("safe-automation:{}:install:{}", row.id, row.install_attempt),
        to: tx.safe,
        value: U256::ZERO,
        data: tx.exec_call(signatures),
    };
    let enqueued = enqueue(platform.db(), platform.config(), &intent)?;
    store::submitted(platform.db(), &row.id, &hash.to_string(), &signatures.to_string(), &enqueued.tx.id)?;
    Ok(Response::json(202, &view(platform.db(), &super::reload(platform.db(), &row.id)?)?))
}

async fn sign_with_authority<P: Platform>(
    platform: &P,
    config: &AutomationConfig,
    rpc: &Rpc<'_, P::Http>,
    row: AutomationRow,
    safe: Address,
    chain: &SafeView,
    user_id: &str,
) -> Result<Response, ApiError> {
    let authority = get_or_create_authority(platform, user_id).await?;
    let owner = super::parse_address(authority.address())?;
    if chain.owners != [owner] || chain.threshold != U256::from(1) {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "the Safe is not owned by your trading authority alone: sign the SafeTx and send `ownerSignature`",
        ));
    }
    let lease = platform.random().id();
    if !store::lease(platform.db(), &row.id, &lease, LEASE_MS)? {
        return Ok(Response::json(202, &view(platform.db(), &row)?));
    }
    let result = async {
        let row = super::reload(platform.db(), &row.id)?;
        if row.install_tx_id.is_some() || row.module_installed {
            return Ok(Response::json(202, &view(platform.db(), &row)?));
        }
        let tx = match current_proposal(config, &row, safe, chain) {
            Ok(tx) => tx,
            Err(_) => propose(platform, config, rpc, &row, safe, chain).await?.1,
        };
        let row = super::reload(platform.db(), &row.id)?;
        let hash = tx.hash(config.setup.chain_id);
        let signer = OwnerSigner { user_id, authority: &authority, owner };
        let signature =
            authority_signature(platform, &signer, "SAFE_TX", tx.typed_data(config.setup.chain_id), hash).await?;
        let signatures: Bytes = signature.as_bytes().to_vec().into();
        check_signatures(rpc, safe, hash, tx.encoded(config.setup.chain_id), signatures.clone()).await?;
        submit(platform, user_id, &row, &tx, hash, &signatures)
    }
    .await;
    store::release(platform.db(), &row.id, &lease)?;
    result
}
