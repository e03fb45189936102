//! The relayer's policy, read once per tick from its variables.

use std::time::Duration;

use alloy_primitives::U256;

use super::pol::parse_pol;
use crate::ports::{Config, ConfigError};
use crate::settings::{self, base_url, millis, number, positive, seconds, text};

const GWEI: u128 = 1_000_000_000;

#[derive(Clone, Debug)]
pub struct Policy {
    pub rpc_url: String,
    pub rpc_timeout: Duration,
    pub chain_id: u64,
    pub batch_size: i64,
    pub lease: Duration,
    pub retry: Duration,
    pub max_attempts: i64,
    pub stuck_after: Duration,
    pub gas_buffer_pct: u64,
    pub max_fee_per_gas: u128,
    pub min_priority_fee: u128,
    pub balance_warning: U256,
    pub balance_critical: U256,
}

impl Policy {
    pub fn read(config: &dyn Config) -> Result<Policy, ConfigError> {
        let pol = |name: &str| {
            parse_pol(&text(config, name)?)
                .ok_or_else(|| ConfigError::Invalid { name: name.into(), reason: "must be an amount of POL".into() })
        };
        let warning = pol(settings::RELAYER_BALANCE_WARNING_POL)?;
        let critical = pol(settings::RELAYER_BALANCE_CRITICAL_POL)?;
        if critical > warning {
            return Err(ConfigError::Invalid {
                name: settings::RELAYER_BALANCE_CRITICAL_POL.into(),
                reason: "must not exceed relayer_balance_warning_pol".into(),
            });
        }
        Ok(Policy {
            rpc_url: base_url(config, settings::POLYGON_RPC_URL)?,
            rpc_timeout: millis(config, settings::RELAYER_RPC_TIMEOUT_MS)?,
            chain_id: positive(config, settings::POLYGON_CHAIN_ID)?,
            batch_size: positive(config, settings::RELAYER_BATCH_SIZE)?.min(1000) as i64,
            lease: millis(config, settings::RELAYER_LEASE_MS)?,
            retry: millis(config, settings::RELAYER_RETRY_MS)?,
            max_attempts: positive(config, settings::RELAYER_MAX_ATTEMPTS)? as i64,
            stuck_after: seconds(config, settings::RELAYER_STUCK_AFTER_SECS)?,
            gas_buffer_pct: number(config, settings::RELAYER_GAS_BUFFER_PCT)?,
            max_fee_per_gas: u128::from(positive(config, settings::RELAYER_MAX_FEE_PER_GAS_GWEI)?) * GWEI,
            min_priority_fee: u128::from(number::<u64>(config, settings::RELAYER_MIN_PRIORITY_FEE_GWEI)?) * GWEI,
            balance_warning: warning,
            balance_critical: critical,
        })
    }

    /// The wait before attempt `attempts + 1` of a row that was refused: retry × 2ⁿ, at most 64×.
    pub fn backoff(&self, attempts: i64) -> Duration {
        self.retry * 2u32.pow(attempts.clamp(0, 6) as u32)
    }

    /// Gas to send with: the estimate plus the buffer.
    pub fn gas_limit(&self, estimate: u64) -> u64 {
        estimate.saturating_add(estimate.saturating_mul(self.gas_buffer_pct) / 100)
    }
}
