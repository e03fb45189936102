//! What the installation reads on chain: the Safe's owners, threshold, nonce and whether the
//! module is enabled, with the module's code, in one JSON-RPC batch; and the Safe's own
//! `checkSignatures`, which judges an owner signature exactly as `execTransaction` will.

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::SolCall;
use serde_json::json;

use crate::api::{ApiError, ErrorCode};
use crate::ports::Http;
use crate::relayer::describe_revert;
use crate::relayer::rpc::{Rpc, RpcError};
use crate::safe_tx::{checkSignaturesCall, getOwnersCall, getThresholdCall, isModuleEnabledCall, nonceCall};
use crate::trading_account::chain::{eth_call, returned, unavailable};

/// The Safe as the installation sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SafeView {
    pub owners: Vec<Address>,
    pub threshold: U256,
    pub nonce: U256,
    pub module_enabled: bool,
}

pub async fn read_safe<H: Http>(rpc: &Rpc<'_, H>, safe: Address, module: Address) -> Result<SafeView, ApiError> {
    let reads = [
        ("eth_getCode", json!([module, "latest"])),
        eth_call(safe, getOwnersCall {}.abi_encode()),
        eth_call(safe, getThresholdCall {}.abi_encode()),
        eth_call(safe, nonceCall {}.abi_encode()),
        eth_call(safe, isModuleEnabledCall { module }.abi_encode()),
    ];
    let answers = rpc.batch(&reads).await.map_err(unavailable)?;
    if answers.len() != reads.len() {
        return Err(unavailable(RpcError::Garbage(format!("{} answers to {} reads", answers.len(), reads.len()))));
    }
    let mut answers = answers.into_iter();
    let mut next = || returned(answers.next().unwrap_or(Err(RpcError::Garbage("no answer".into()))));
    let module_code = next().map_err(unavailable)?;
    if module_code.is_empty() {
        return Err(ApiError::new(ErrorCode::ConfigurationError, "automation_module_address holds no contract")
            .with_detail(format!("no code at {module:#x}")));
    }
    let not_a_safe = || {
        ApiError::new(ErrorCode::Conflict, "the account's Safe does not answer as a Safe")
            .with_detail(format!("{safe:#x}: getOwners/getThreshold/nonce/isModuleEnabled"))
    };
    let owners = next().ok().and_then(|b| getOwnersCall::abi_decode_returns(&b).ok()).ok_or_else(not_a_safe)?;
    let threshold = next().ok().and_then(|b| getThresholdCall::abi_decode_returns(&b).ok()).ok_or_else(not_a_safe)?;
    let nonce = next().ok().and_then(|b| nonceCall::abi_decode_returns(&b).ok()).ok_or_else(not_a_safe)?;
    let module_enabled =
        next().ok().and_then(|b| isModuleEnabledCall::abi_decode_returns(&b).ok()).ok_or_else(not_a_safe)?;
    Ok(SafeView { owners, threshold, nonce, module_enabled })
}

/// `checkSignatures(hash, encoded, signatures)` on the Safe: `Ok` when its owners and threshold
/// accept them, else `SIGNATURE_ERROR` with the Safe's reason (`GS026`: not an owner's, ...).
pub async fn check_signatures<H: Http>(
    rpc: &Rpc<'_, H>,
    safe: Address,
    hash: B256,
    encoded: Bytes,
    signatures: Bytes,
) -> Result<(), ApiError> {
    let (method, params) =
        eth_call(safe, checkSignaturesCall { dataHash: hash, data: encoded, signatures }.abi_encode());
    match rpc.call(method, params).await {
        Ok(_) => Ok(()),
        // The Safe refuses with a reason (GS0xx); anything else is the node's trouble, not the signature's.
        Err(e) => match e.revert_data() {
            Some(data) if !e.is_transient() => Err(ApiError::new(
                ErrorCode::SignatureError,
                format!(
                    "ownerSignature is not accepted by the Safe's owners and threshold ({})",
                    describe_revert(&data)
                ),
            )),
            _ => Err(unavailable(e)),
        },
    }
}
