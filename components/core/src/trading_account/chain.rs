//! What account setup reads on chain, in one JSON-RPC batch per question.

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::SolCall;
use serde_json::{json, Value};

use super::setup_config::SetupConfig;
use crate::api::{ApiError, ErrorCode};
use crate::ports::Http;
use crate::relayer::rpc::{Rpc, RpcError};
use crate::safe_tx::{allowanceCall, getOwnersCall, isApprovedForAllCall, nonceCall, Call};

/// An allowance at least this large counts as "approved" (setup grants the maximum; spending
/// lowers it, so an exact match would make a used account look unready).
const ENOUGH_ALLOWANCE: U256 = U256::from_limbs([0, 0, 0, 1 << 63]);

/// The Safe as setup sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SafeState {
    pub deployed: bool,
    pub owners: Vec<Address>,
}

pub fn unavailable(e: RpcError) -> ApiError {
    ApiError::new(ErrorCode::ServiceUnavailable, "the Polygon RPC is unavailable; try again").with_detail(e.to_string())
}

pub(crate) fn eth_call(to: Address, data: Vec<u8>) -> (&'static str, Value) {
    ("eth_call", json!([{ "to": to, "data": Bytes::from(data) }, "latest"]))
}

pub(crate) fn returned(result: Result<Value, RpcError>) -> Result<Bytes, RpcError> {
    serde_json::from_value(result?).map_err(|e| RpcError::Garbage(format!("eth_call result: {e}")))
}

/// Code at the Safe, and (when there is some) its owners.
pub async fn safe_state<H: Http>(rpc: &Rpc<'_, H>, safe: Address) -> Result<SafeState, ApiError> {
    let answers = rpc
        .batch(&[("eth_getCode", json!([safe, "latest"])), eth_call(safe, getOwnersCall {}.abi_encode())])
        .await
        .map_err(unavailable)?;
    let mut answers = answers.into_iter();
    let code = returned(answers.next().unwrap_or(Err(RpcError::Garbage("no answer".into())))).map_err(unavailable)?;
    if code.is_empty() {
        return Ok(SafeState { deployed: false, owners: Vec::new() });
    }
    let owners = returned(answers.next().unwrap_or(Err(RpcError::Garbage("no answer".into()))))
        .ok()
        .and_then(|bytes| getOwnersCall::abi_decode_returns(&bytes).ok())
        .ok_or_else(|| {
            ApiError::new(ErrorCode::Conflict, "the contract at the derived address is not a Safe")
                .with_detail(format!("{safe:#x}: getOwners() did not answer"))
        })?;
    Ok(SafeState { deployed: true, owners })
}

/// The Safe's nonce (the one its next `execTransaction` must carry).
pub async fn safe_nonce<H: Http>(rpc: &Rpc<'_, H>, safe: Address) -> Result<U256, ApiError> {
    let (method, params) = eth_call(safe, nonceCall {}.abi_encode());
    let bytes = returned(rpc.call(method, params).await).map_err(unavailable)?;
    nonceCall::abi_decode_returns(&bytes)
        .map_err(|_| ApiError::new(ErrorCode::InternalError, "the Safe's nonce() is unreadable"))
}

/// The approvals the Safe still lacks, as the calls that grant them.
pub async fn missing_approvals<H: Http>(
    rpc: &Rpc<'_, H>,
    config: &SetupConfig,
    safe: Address,
) -> Result<Vec<Call>, ApiError> {
    let mut reads = Vec::new();
    for spender in &config.collateral_spenders {
        reads.push(eth_call(config.collateral, allowanceCall { owner: safe, spender: *spender }.abi_encode()));
    }
    for operator in &config.ctf_operators {
        reads.push(eth_call(config.ctf, isApprovedForAllCall { owner: safe, operator: *operator }.abi_encode()));
    }
    let answers = rpc.batch(&reads).await.map_err(unavailable)?;
    let unreadable = |what: &str| {
        ApiError::new(ErrorCode::ServiceUnavailable, format!("could not read the Safe's {what}; try again"))
    };
    if answers.len() != reads.len() {
        return Err(unreadable("approvals"));
    }
    let mut missing = Vec::new();
    let (collateral, ctf) = answers.split_at(config.collateral_spenders.len());
    for (spender, answer) in config.collateral_spenders.iter().zip(collateral) {
        let bytes = returned(answer.clone()).map_err(|_| unreadable("pUSD allowance"))?;
        let allowance = allowanceCall::abi_decode_returns(&bytes).map_err(|_| unreadable("pUSD allowance"))?;
        if allowance < ENOUGH_ALLOWANCE {
            let data = crate::safe_tx::approveCall { spender: *spender, amount: U256::MAX }.abi_encode();
            missing.push(Call { to: config.collateral, data: data.into() });
        }
    }
    for (operator, answer) in config.ctf_operators.iter().zip(ctf) {
        let bytes = returned(answer.clone()).map_err(|_| unreadable("CTF approval"))?;
        if !isApprovedForAllCall::abi_decode_returns(&bytes).map_err(|_| unreadable("CTF approval"))? {
            let data = crate::safe_tx::setApprovalForAllCall { operator: *operator, approved: true }.abi_encode();
            missing.push(Call { to: config.ctf, data: data.into() });
        }
    }
    Ok(missing)
}
