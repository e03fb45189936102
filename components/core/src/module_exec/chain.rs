//! What the worker asks the chain, one JSON-RPC batch per question: each key's state in the
//! module, and a preflight `eth_call` of each signed execution.

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::SolCall;

use crate::automation_module::{IAutomationModule::getSessionKeyCall, ModuleRevert};
use crate::ports::Http;
use crate::relayer::rpc::{Rpc, RpcError};
use crate::trading_account::chain::{eth_call, returned};

/// A session key as the module holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyOnChain {
    pub valid_until: U256,
    pub revoked: bool,
    pub epoch: U256,
}

/// Each `(safe, key)`'s state; `None` where the node did not answer readably.
pub async fn keys<H: Http>(
    rpc: &Rpc<'_, H>,
    module: Address,
    keys: &[(Address, Address)],
) -> Result<Vec<Option<KeyOnChain>>, RpcError> {
    let calls: Vec<_> = keys
        .iter()
        .map(|(safe, key)| eth_call(module, getSessionKeyCall { safe: *safe, key: *key }.abi_encode()))
        .collect();
    let answers = rpc.batch(&calls).await?;
    Ok(answers
        .into_iter()
        .map(|answer| {
            let bytes = returned(answer).ok()?;
            let key = getSessionKeyCall::abi_decode_returns(&bytes).ok()?;
            Some(KeyOnChain { valid_until: key.validUntil, revoked: key.revoked, epoch: key.epoch })
        })
        .collect())
}

/// What a preflight `eth_call` of `executeFromSessionKey` says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Preflight {
    /// It would succeed now.
    Passes,
    /// It reverts: refused by a rule (BLOCKED) or failed (FAILED).
    Reverts(ModuleRevert),
    /// The node could not say; the row waits for the next tick.
    Unknown(String),
}

pub async fn preflight<H: Http>(rpc: &Rpc<'_, H>, module: Address, calldata: &[Bytes]) -> Vec<Preflight> {
    let calls: Vec<_> = calldata.iter().map(|data| eth_call(module, data.to_vec())).collect();
    match rpc.batch(&calls).await {
        Err(e) => calldata.iter().map(|_| Preflight::Unknown(e.to_string())).collect(),
        Ok(answers) => answers
            .into_iter()
            .map(|answer| match answer {
                Ok(_) => Preflight::Passes,
                Err(e) if e.is_transient() => Preflight::Unknown(e.to_string()),
                Err(e) => match (&e, e.revert_data()) {
                    (_, Some(data)) => Preflight::Reverts(ModuleRevert::decode(&data)),
                    (RpcError::Node { message, .. }, None) if message.contains("revert") => {
                        Preflight::Reverts(ModuleRevert::decode(&[]))
                    }
                    _ => Preflight::Unknown(e.to_string()),
                },
            })
            .collect(),
    }
}
