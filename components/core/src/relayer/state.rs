//! What the last tick saw of the relayer, published in Redis (`relayer:state`) for
//! `/system/status`: each key's address and balance, the balance state, whether submissions
//! wait for funds or for the RPC.

use alloy_primitives::{Address, U256};
use serde::{Deserialize, Serialize};

use super::pol::format_pol;
use crate::ports::{Redis, RedisError};
use crate::redis_keys::RELAYER_STATE;

/// The balance against `relayer_balance_warning_pol` / `relayer_balance_critical_pol`
/// (runbook 004: 0.2 / 0.05). Below critical nothing new is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BalanceState {
    Healthy,
    Warning,
    Critical,
}

impl BalanceState {
    pub fn of(balance: U256, warning: U256, critical: U256) -> BalanceState {
        if balance < critical {
            BalanceState::Critical
        } else if balance < warning {
            BalanceState::Warning
        } else {
            BalanceState::Healthy
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyState {
    pub address: Address,
    pub balance_wei: String,
    pub balance_pol: String,
    pub state: BalanceState,
    pub mined_nonce: u64,
    pub pending_nonce: u64,
}

impl KeyState {
    pub fn new(address: Address, balance: U256, state: BalanceState, mined_nonce: u64, pending_nonce: u64) -> Self {
        KeyState {
            address,
            balance_wei: balance.to_string(),
            balance_pol: format_pol(balance),
            state,
            mined_nonce,
            pending_nonce,
        }
    }
}

/// The `relayer:state` document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelayerState {
    pub checked_at_ms: i64,
    /// The chain could not be read this tick: nothing was sent.
    pub rpc_unavailable: bool,
    /// A transaction waited this tick because the key could not pay for it.
    pub insufficient_funds: bool,
    pub current: Option<KeyState>,
    pub retiring: Vec<KeyState>,
}

impl RelayerState {
    pub fn publish(&self, redis: &impl Redis) -> Result<(), RedisError> {
        let document = serde_json::to_string(self).expect("the relayer state serializes");
        redis.execute("SET", &[RELAYER_STATE.into(), document.into()])?;
        Ok(())
    }
}
