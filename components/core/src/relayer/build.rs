//! What each claimed row sends this tick: the transaction to sign (its gas, fees and whether it
//! is a no-op on the row's nonce), or why it waits.

use alloy_consensus::TxEip1559;
use alloy_primitives::{Address, Bytes, TxKind as To, U256};
use serde_json::json;

use super::chain::{self, Call, ChainState, Preflight};
use super::fees::{bump, Fees};
use super::revert::describe_revert;
use super::rpc::Rpc;
use super::settings::Policy;
use super::store::{Deferral, RelayerTx};
use super::tx_status::{TxKind, TxStatus};
use crate::ports::Http;

/// A plain value transfer's gas.
const TRANSFER_GAS: u64 = 21_000;

/// A transaction ready to be given its nonce and signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsigned {
    pub to: Address,
    pub value: U256,
    pub data: Bytes,
    pub gas_limit: u64,
    pub fees: Fees,
    /// A 0-value no-op to the relayer itself that takes the nonce of a row given up.
    pub cancel: bool,
}

impl Unsigned {
    /// The most it can cost the relayer: gas at the max fee, plus the value.
    pub fn cost(&self) -> U256 {
        U256::from(self.gas_limit) * U256::from(self.fees.max_fee_per_gas) + self.value
    }

    pub fn with_nonce(&self, nonce: u64, chain_id: u64) -> TxEip1559 {
        TxEip1559 {
            chain_id,
            nonce,
            gas_limit: self.gas_limit,
            max_fee_per_gas: self.fees.max_fee_per_gas,
            max_priority_fee_per_gas: self.fees.max_priority_fee_per_gas,
            to: To::Call(self.to),
            value: self.value,
            access_list: Default::default(),
            input: self.data.clone(),
        }
    }
}

/// A signed transaction to send.
pub struct Outgoing {
    pub tx_id: String,
    pub raw: Vec<u8>,
    pub tx: RelayerTx,
}

impl Outgoing {
    /// The stored bytes again, exactly: after a crash or a lost answer.
    pub fn resend(tx: &RelayerTx, raw: Vec<u8>) -> Outgoing {
        Outgoing { tx_id: tx.id.clone(), raw, tx: tx.clone() }
    }
}

pub enum Plan {
    Sign(Unsigned),
    Wait(Deferral),
    /// The call reverts and the row has no attempts left; no node can hold it.
    GiveUp {
        reason: String,
        revert_data: Option<Vec<u8>>,
    },
    /// Nothing to do this tick (a replacement would exceed the fee cap).
    Release,
}

/// Plans every row in `rows`, preflighting (one batch) those whose call is not yet known to pass.
pub async fn plan<H: Http>(rpc: &Rpc<'_, H>, policy: &Policy, chain: &ChainState, rows: &[&RelayerTx]) -> Vec<Plan> {
    let market = chain.market;
    let needs_preflight = |tx: &RelayerTx| {
        tx.status == TxStatus::Pending
            && tx.kind != TxKind::NonceFill
            && (tx.maybe_sent || tx.attempts < policy.max_attempts)
            && !tx.cancelling(policy.max_attempts)
            && (!tx.maybe_sent || tx.gas_limit.is_none())
    };
    let calls: Vec<Call> = rows
        .iter()
        .filter(|tx| needs_preflight(tx))
        .map(|tx| Call { from: sender(tx, chain), to: tx.to, value: tx.value, data: tx.data.clone() })
        .collect();
    let mut preflights = match chain::preflight(rpc, &calls).await {
        Ok(found) => found,
        Err(e) => calls.iter().map(|_| Preflight::Unknown(e.to_string())).collect(),
    }
    .into_iter();

    rows.iter()
        .map(|tx| {
            let fees_for = |tx: &RelayerTx| match (tx.maybe_sent, tx.fees) {
                // A node may hold an earlier one on this nonce: only a 10 % higher bid replaces it.
                (true, Some(old)) => bump(old, market, policy.max_fee_per_gas),
                _ => Some(market),
            };
            // Refused by the node on every attempt, and no node can hold it: given up.
            let exhausted = tx.status == TxStatus::Pending && tx.kind != TxKind::NonceFill && !tx.maybe_sent;
            if exhausted && tx.attempts >= policy.max_attempts {
                let last = tx.error_reason.as_deref().unwrap_or("refused");
                return Plan::GiveUp { reason: format!("{last} (after {} attempts)", tx.attempts), revert_data: None };
            }
            if tx.cancelling(policy.max_attempts) || (tx.kind == TxKind::NonceFill) {
                let relayer = sender(tx, chain);
                return match fees_for(tx) {
                    Some(fees) => Plan::Sign(Unsigned {
                        to: relayer,
                        value: U256::ZERO,
                        data: Bytes::new(),
                        gas_limit: TRANSFER_GAS,
                        fees,
                        cancel: tx.kind != TxKind::NonceFill,
                    }),
                    None => Plan::Release,
                };
            }
            let gas_limit = if needs_preflight(tx) {
                match preflights.next().unwrap_or(Preflight::Unknown("no preflight answer".into())) {
                    Preflight::Ok { gas } => policy.gas_limit(gas),
                    Preflight::Reverts { data } => return reverted(tx, policy, data),
                    Preflight::Unknown(reason) => {
                        return Plan::Wait(Deferral::wait(
                            format!("RPC_UNAVAILABLE: preflight: {reason}"),
                            policy.retry.as_millis() as i64,
                        ))
                    }
                }
            } else {
                tx.gas_limit.unwrap_or(TRANSFER_GAS)
            };
            match fees_for(tx) {
                Some(fees) => Plan::Sign(Unsigned {
                    to: tx.to,
                    value: tx.value,
                    data: tx.data.clone(),
                    gas_limit,
                    fees,
                    cancel: false,
                }),
                None => Plan::Release,
            }
        })
        .collect()
}

/// The preflight reverted: an attempt spent, or the last one.
fn reverted(tx: &RelayerTx, policy: &Policy, data: Vec<u8>) -> Plan {
    let reason = format!("PREFLIGHT_REVERTED: {}", describe_revert(&data));
    if tx.attempts + 1 >= policy.max_attempts && !tx.maybe_sent {
        return Plan::GiveUp { reason, revert_data: Some(data) };
    }
    Plan::Wait(Deferral {
        spend_attempt: true,
        revert_data: Some(data),
        ..Deferral::wait(reason, policy.backoff(tx.attempts).as_millis() as i64)
    })
}

/// Who sends `tx`: its key, or the current key for a row that has none yet.
fn sender(tx: &RelayerTx, chain: &ChainState) -> Address {
    tx.relayer.unwrap_or(chain.accounts[0].address)
}

/// The revert data of a mined transaction that failed, recovered by replaying its call on the
/// state before its block (receipts carry none); empty when the node gives none.
pub async fn replay_revert<H: Http>(rpc: &Rpc<'_, H>, tx: &RelayerTx, block: u64) -> Vec<u8> {
    let call = json!({
        "from": tx.relayer,
        "to": tx.to,
        "value": format!("0x{:x}", tx.value),
        "data": tx.data,
        "gas": tx.gas_limit.map(|g| format!("0x{g:x}")),
    });
    match rpc.call("eth_call", json!([call, format!("0x{:x}", block.saturating_sub(1))])).await {
        Err(e) => e.revert_data().unwrap_or_default(),
        Ok(_) => Vec::new(),
    }
}
