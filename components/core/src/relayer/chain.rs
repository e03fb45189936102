//! What a tick reads from the chain, batched: one request for every key's nonces and balance
//! and the fee history, one for the receipts of every hash in flight, one for the preflights.

use alloy_primitives::{Address, Bytes, B256, U256};
use serde_json::{json, Value};

use super::fees::{self, Fees};
use super::rpc::{big_quantity, quantity, Rpc, RpcError};
use super::store::Receipt;
use crate::ports::Http;

/// One key's account on chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Account {
    pub address: Address,
    /// Transactions mined (`eth_getTransactionCount` at `latest`).
    pub mined_nonce: u64,
    /// Mined and waiting in the node's pool (`pending`).
    pub pending_nonce: u64,
    pub balance: U256,
}

pub struct ChainState {
    pub accounts: Vec<Account>,
    pub market: Fees,
}

impl ChainState {
    pub fn account(&self, address: Address) -> Option<&Account> {
        self.accounts.iter().find(|a| a.address == address)
    }
}

/// One batch: nonces and balance of every key, then the fee history.
pub async fn read_state<H: Http>(
    rpc: &Rpc<'_, H>,
    addresses: &[Address],
    fee_cap: u128,
    min_tip: u128,
) -> Result<ChainState, RpcError> {
    let mut calls: Vec<(&str, Value)> = Vec::new();
    for address in addresses {
        calls.push(("eth_getTransactionCount", json!([address, "latest"])));
        calls.push(("eth_getTransactionCount", json!([address, "pending"])));
        calls.push(("eth_getBalance", json!([address, "latest"])));
    }
    calls.push(("eth_feeHistory", fees::history_params()));
    let mut results = rpc.batch(&calls).await?.into_iter();
    let mut accounts = Vec::new();
    for address in addresses {
        let mut next = || results.next().unwrap_or_else(|| Err(RpcError::Garbage("missing answer".into())));
        let mined_nonce = quantity(&next()?)? as u64;
        let pending_nonce = quantity(&next()?)? as u64;
        let balance = big_quantity(&next()?)?;
        accounts.push(Account {
            address: *address,
            mined_nonce,
            pending_nonce: pending_nonce.max(mined_nonce),
            balance,
        });
    }
    let history = results.next().unwrap_or_else(|| Err(RpcError::Garbage("missing answer".into())))?;
    let market = fees::market(&history, fee_cap, min_tip).map_err(RpcError::Garbage)?;
    Ok(ChainState { accounts, market })
}

/// The receipt of each hash, `None` where there is none yet.
pub async fn receipts<H: Http>(rpc: &Rpc<'_, H>, hashes: &[B256]) -> Result<Vec<Option<Receipt>>, RpcError> {
    let calls: Vec<(&str, Value)> = hashes.iter().map(|h| ("eth_getTransactionReceipt", json!([h]))).collect();
    let answers = rpc.batch(&calls).await?;
    hashes.iter().zip(answers).map(|(hash, answer)| parse_receipt(*hash, answer?)).collect()
}

fn parse_receipt(hash: B256, receipt: Value) -> Result<Option<Receipt>, RpcError> {
    if receipt.is_null() {
        return Ok(None);
    }
    let status = quantity(&receipt["status"])?;
    Ok(Some(Receipt {
        hash,
        succeeded: status == 1,
        gas_used: quantity(&receipt["gasUsed"])? as u64,
        effective_gas_price: quantity(&receipt["effectiveGasPrice"])?,
        block_number: quantity(&receipt["blockNumber"])? as u64,
    }))
}

/// A call as the relayer would send it.
#[derive(Clone, Debug)]
pub struct Call {
    pub from: Address,
    pub to: Address,
    pub value: U256,
    pub data: Bytes,
}

impl Call {
    fn json(&self) -> Value {
        json!({ "from": self.from, "to": self.to, "value": format!("0x{:x}", self.value), "data": self.data })
    }
}

/// What the preflight of a call found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Preflight {
    /// The call succeeds; the node's gas estimate.
    Ok { gas: u64 },
    /// The call reverts, with its revert data.
    Reverts { data: Vec<u8> },
    /// The node could not say.
    Unknown(String),
}

/// `eth_call` and `eth_estimateGas` of every call, in one batch.
pub async fn preflight<H: Http>(rpc: &Rpc<'_, H>, calls: &[Call]) -> Result<Vec<Preflight>, RpcError> {
    let mut batch: Vec<(&str, Value)> = Vec::new();
    for call in calls {
        batch.push(("eth_call", json!([call.json(), "latest"])));
        batch.push(("eth_estimateGas", json!([call.json(), "latest"])));
    }
    let mut answers = rpc.batch(&batch).await?.into_iter();
    let mut found = Vec::new();
    for _ in calls {
        let missing = || Err(RpcError::Garbage("missing answer".into()));
        let (call, estimate) = (answers.next().unwrap_or_else(missing), answers.next().unwrap_or_else(missing));
        found.push(match (call, estimate) {
            (Err(e), _) if !e.is_transient() => match e.revert_data() {
                Some(data) => Preflight::Reverts { data },
                None if is_revert(&e) => Preflight::Reverts { data: Vec::new() },
                None => Preflight::Unknown(e.to_string()),
            },
            (Err(e), _) => Preflight::Unknown(e.to_string()),
            (Ok(_), Ok(gas)) => match quantity(&gas) {
                Ok(gas) => Preflight::Ok { gas: gas as u64 },
                Err(e) => Preflight::Unknown(e.to_string()),
            },
            (Ok(_), Err(e)) => Preflight::Unknown(format!("gas estimate failed: {e}")),
        });
    }
    Ok(found)
}

fn is_revert(error: &RpcError) -> bool {
    matches!(error, RpcError::Node { code, message, .. } if *code == 3 || message.to_ascii_lowercase().contains("revert"))
}
