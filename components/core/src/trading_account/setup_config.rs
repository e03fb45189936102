//! What account setup needs from configuration, read once per request.

use std::time::Duration;

use alloy_primitives::Address;

use crate::api::ApiError;
use crate::orders::SafeFactory;
use crate::ports::Config;
use crate::settings;

/// The factory, the tokens, who must be approved, and the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetupConfig {
    pub factory: SafeFactory,
    pub multisend: Address,
    pub collateral: Address,
    pub ctf: Address,
    /// Approved to move the Safe's pUSD: the V2 exchanges and the neg-risk adapter.
    pub collateral_spenders: Vec<Address>,
    /// Approved for all of the Safe's outcome tokens: the exchanges and the collateral adapters.
    pub ctf_operators: Vec<Address>,
    pub chain_id: u64,
    pub rpc_url: String,
    pub rpc_timeout: Duration,
}

impl SetupConfig {
    pub fn from_config(config: &dyn Config) -> Result<SetupConfig, ApiError> {
        Ok(SetupConfig {
            factory: safe_factory(config)?,
            multisend: settings::address(config, settings::SAFE_MULTISEND_ADDRESS)?,
            collateral: settings::address(config, settings::POLYMARKET_COLLATERAL_ADDRESS)?,
            ctf: settings::address(config, settings::POLYMARKET_CTF_ADDRESS)?,
            collateral_spenders: settings::addresses(config, settings::POLYMARKET_COLLATERAL_SPENDERS)?,
            ctf_operators: settings::addresses(config, settings::POLYMARKET_CTF_OPERATORS)?,
            chain_id: settings::positive(config, settings::POLYGON_CHAIN_ID)?,
            rpc_url: settings::base_url(config, settings::POLYGON_RPC_URL)?,
            rpc_timeout: settings::millis(config, settings::RELAYER_RPC_TIMEOUT_MS)?,
        })
    }
}

/// The configured Polymarket Safe factory (Polygon's by default): which Safe is a user's type-2
/// account and where setup creates it.
pub fn safe_factory(config: &dyn Config) -> Result<SafeFactory, ApiError> {
    Ok(SafeFactory {
        address: settings::address(config, settings::POLYMARKET_SAFE_FACTORY)?,
        init_code_hash: settings::bytes32(config, settings::POLYMARKET_SAFE_INIT_CODE_HASH)?,
    })
}
