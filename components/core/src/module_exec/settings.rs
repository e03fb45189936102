//! The module-exec worker's variables, read once per tick.

use std::time::Duration;

use alloy_primitives::Address;

use crate::automation_module::MAX_AUTHORIZATION_LIFETIME_SECS;
use crate::ports::{Config, ConfigError};
use crate::settings::{self, base_url, millis, positive};

#[derive(Clone, Debug)]
pub struct ExecPolicy {
    pub rpc_url: String,
    pub rpc_timeout: Duration,
    pub chain_id: u64,
    pub module: Address,
    pub batch_size: i64,
    pub lease: Duration,
    /// How long a signed authorization stays valid (its `deadline` − now).
    pub authorization_secs: i64,
    /// The gas the target call must be given (`SessionKeyExecution.minGas`).
    pub min_gas: u64,
}

impl ExecPolicy {
    /// `None` when `automation_module_address` is empty: Phase 2B is not deployed.
    pub fn read(config: &dyn Config) -> Result<Option<ExecPolicy>, ConfigError> {
        if config.get(settings::AUTOMATION_MODULE_ADDRESS)?.trim().is_empty() {
            return Ok(None);
        }
        let authorization_secs = positive(config, settings::MODULE_EXEC_AUTHORIZATION_SECS)?;
        if authorization_secs > MAX_AUTHORIZATION_LIFETIME_SECS {
            return Err(ConfigError::Invalid {
                name: settings::MODULE_EXEC_AUTHORIZATION_SECS.into(),
                reason: format!("must be at most {MAX_AUTHORIZATION_LIFETIME_SECS} (the module's limit)"),
            });
        }
        Ok(Some(ExecPolicy {
            rpc_url: base_url(config, settings::POLYGON_RPC_URL)?,
            rpc_timeout: millis(config, settings::RELAYER_RPC_TIMEOUT_MS)?,
            chain_id: positive(config, settings::POLYGON_CHAIN_ID)?,
            module: settings::address(config, settings::AUTOMATION_MODULE_ADDRESS)?,
            batch_size: positive(config, settings::MODULE_EXEC_BATCH_SIZE)?.min(1000) as i64,
            lease: millis(config, settings::MODULE_EXEC_LEASE_MS)?,
            authorization_secs: authorization_secs as i64,
            min_gas: positive(config, settings::MODULE_EXEC_MIN_GAS)?,
        }))
    }
}
