//! What Safe automation needs from configuration, read once per request.

use alloy_primitives::Address;

use crate::api::ApiError;
use crate::ports::Config;
use crate::settings;
use crate::trading_account::SetupConfig;

/// The module, the redeem targets its allowlist admits, and account setup's tokens, approvals
/// and chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AutomationConfig {
    pub module: Address,
    /// `redeemPositions(address,bytes32,bytes32,uint256[])`: the V2 collateral adapters.
    pub redeem_adapters: Vec<Address>,
    /// `redeemPositions(bytes32,uint256[])`: neg-risk markets.
    pub neg_risk_adapter: Address,
    pub setup: SetupConfig,
}

impl AutomationConfig {
    pub fn from_config(config: &dyn Config) -> Result<AutomationConfig, ApiError> {
        Ok(AutomationConfig {
            module: settings::address(config, settings::AUTOMATION_MODULE_ADDRESS)?,
            redeem_adapters: settings::addresses(config, settings::POLYMARKET_REDEEM_ADAPTERS)?,
            neg_risk_adapter: settings::address(config, settings::POLYMARKET_NEG_RISK_ADAPTER)?,
            setup: SetupConfig::from_config(config)?,
        })
    }
}
