//! Typed access to configuration. Defaults live in one place, `spin.toml`'s `[variables]`, with
//! the runbooks' numbers; core only names the variables and checks their shape.

use std::str::FromStr;
use std::time::Duration;

use crate::ports::{Config, ConfigError};

pub const ADMIN_TOKEN: &str = "admin_token";
/// The tick-only credential of a scheduler that can only call a URL (`?token=`); optional.
pub const WORKER_TRIGGER_TOKEN: &str = "worker_trigger_token";
pub const DYNAMIC_API_URL: &str = "dynamic_api_url";
pub const POLYMARKET_CLOB_URL: &str = "polymarket_clob_url";
pub const POLYMARKET_DATA_URL: &str = "polymarket_data_url";
pub const POLYGON_RPC_URL: &str = "polygon_rpc_url";
pub const HEALTH_PROBE_TIMEOUT_MS: &str = "health_probe_timeout_ms";
pub const SYSTEM_HEALTH_TTL_SECS: &str = "system_health_ttl_secs";
pub const WORKER_STALE_AFTER_SECS: &str = "worker_stale_after_secs";
pub const DYNAMIC_JWT_PUBLIC_KEY: &str = "dynamic_jwt_public_key";
pub const DYNAMIC_JWT_ISSUER: &str = "dynamic_jwt_issuer";
pub const DYNAMIC_JWT_AUDIENCE: &str = "dynamic_jwt_audience";
pub const USE_SERVER_WALLETS: &str = "use_server_wallets";
pub const TRADING_KEY_ENCRYPTION_KEY: &str = "trading_key_encryption_key";
pub const DYNAMIC_SIGNER_URL: &str = "dynamic_signer_url";
pub const SIGNER_AUTH_TOKEN: &str = "signer_auth_token";
pub const SIGNER_TIMEOUT_MS: &str = "signer_timeout_ms";
/// Which backend the signer runs (`dynamic` or `local`): what the health check probes for signing.
pub const SIGNER_BACKEND: &str = "signer_backend";
pub const SIGNING_BACKOFF_BASE_MS: &str = "signing_backoff_base_ms";
pub const SIGNING_MAX_RETRIES: &str = "signing_max_retries";
pub const SIGNING_USER_LIMIT: &str = "signing_user_limit";
pub const SIGNING_GLOBAL_LIMIT: &str = "signing_global_limit";
pub const SIGNING_LIMIT_WINDOW_MS: &str = "signing_limit_window_ms";
pub const SIGNING_BREAKER_FAILURE_THRESHOLD: &str = "signing_breaker_failure_threshold";
pub const SIGNING_BREAKER_FAILURE_WINDOW_MS: &str = "signing_breaker_failure_window_ms";
pub const SIGNING_BREAKER_OPEN_MS: &str = "signing_breaker_open_ms";
pub const SIGNING_BREAKER_HALF_OPEN_PROBES: &str = "signing_breaker_half_open_probes";
pub const SIGNING_BREAKER_SUCCESSES_TO_CLOSE: &str = "signing_breaker_successes_to_close";
pub const POLYGON_CHAIN_ID: &str = "polygon_chain_id";
pub const POLYMARKET_TIMEOUT_MS: &str = "polymarket_timeout_ms";
pub const POLYMARKET_BREAKER_FAILURE_THRESHOLD: &str = "polymarket_breaker_failure_threshold";
pub const POLYMARKET_BREAKER_FAILURE_WINDOW_MS: &str = "polymarket_breaker_failure_window_ms";
pub const POLYMARKET_BREAKER_OPEN_MS: &str = "polymarket_breaker_open_ms";
pub const COPY_EXECUTION_MODE: &str = "copy_execution_mode";
pub const EMERGENCY_STOP: &str = "emergency_stop";
pub const LEADER_POLL_LIMIT: &str = "leader_poll_limit";
pub const LEADER_WEBHOOK_SECRET: &str = "leader_webhook_secret";
pub const COPY_BATCH_SIZE: &str = "copy_batch_size";
pub const COPY_LEASE_MS: &str = "copy_lease_ms";
pub const COPY_MAX_EVENT_AGE_MS: &str = "copy_max_event_age_ms";
pub const COPY_MAX_ATTEMPTS: &str = "copy_max_attempts";
pub const COPY_RETRY_MS: &str = "copy_retry_ms";
pub const RECONCILE_STALE_AFTER_SECS: &str = "reconcile_stale_after_secs";
/// Whose CLOB API key a Safe trading as POLY_1271 uses: `authority` or `safe` (README "Trading
/// accounts").
pub const SAFE_API_KEY_OWNER: &str = "safe_api_key_owner";
/// The relayer (docs/architecture.md §10; runbook 004): its key (secret; empty = not
/// configured), the keys being retired, and its policy.
pub const RELAYER_PRIVATE_KEY: &str = "relayer_private_key";
pub const RELAYER_RETIRING_PRIVATE_KEYS: &str = "relayer_retiring_private_keys";
pub const RELAYER_MAX_ATTEMPTS: &str = "relayer_max_attempts";
pub const RELAYER_MAX_FEE_PER_GAS_GWEI: &str = "relayer_max_fee_per_gas_gwei";
pub const RELAYER_MIN_PRIORITY_FEE_GWEI: &str = "relayer_min_priority_fee_gwei";
pub const RELAYER_GAS_BUFFER_PCT: &str = "relayer_gas_buffer_pct";
pub const RELAYER_STUCK_AFTER_SECS: &str = "relayer_stuck_after_secs";
pub const RELAYER_LEASE_MS: &str = "relayer_lease_ms";
pub const RELAYER_BATCH_SIZE: &str = "relayer_batch_size";
pub const RELAYER_RETRY_MS: &str = "relayer_retry_ms";
pub const RELAYER_RPC_TIMEOUT_MS: &str = "relayer_rpc_timeout_ms";
pub const RELAYER_BALANCE_WARNING_POL: &str = "relayer_balance_warning_pol";
pub const RELAYER_BALANCE_CRITICAL_POL: &str = "relayer_balance_critical_pol";

/// Account setup (README "Trading accounts"): Polymarket's Safe factory and the approvals a
/// trading Safe needs; addresses, with Polygon's as defaults.
pub const POLYMARKET_SAFE_FACTORY: &str = "polymarket_safe_factory";
pub const POLYMARKET_SAFE_INIT_CODE_HASH: &str = "polymarket_safe_init_code_hash";
pub const SAFE_MULTISEND_ADDRESS: &str = "safe_multisend_address";
pub const POLYMARKET_COLLATERAL_ADDRESS: &str = "polymarket_collateral_address";
pub const POLYMARKET_CTF_ADDRESS: &str = "polymarket_ctf_address";
pub const POLYMARKET_COLLATERAL_SPENDERS: &str = "polymarket_collateral_spenders";
pub const POLYMARKET_CTF_OPERATORS: &str = "polymarket_ctf_operators";

/// Safe automation (runbook 000 §"Phase 2B"): the deployed AutomationModule, and the redeem
/// targets its call allowlist admits (the V2 collateral adapters, the neg-risk adapter).
pub const AUTOMATION_MODULE_ADDRESS: &str = "automation_module_address";
pub const POLYMARKET_REDEEM_ADAPTERS: &str = "polymarket_redeem_adapters";
pub const POLYMARKET_NEG_RISK_ADAPTER: &str = "polymarket_neg_risk_adapter";

/// The module-exec worker (runbook 000 "Module Exec Worker").
pub const MODULE_EXEC_BATCH_SIZE: &str = "module_exec_batch_size";
pub const MODULE_EXEC_LEASE_MS: &str = "module_exec_lease_ms";
pub const MODULE_EXEC_AUTHORIZATION_SECS: &str = "module_exec_authorization_secs";
pub const MODULE_EXEC_MIN_GAS: &str = "module_exec_min_gas";

/// A non-empty text value.
pub fn text(config: &dyn Config, name: &str) -> Result<String, ConfigError> {
    let value = config.get(name)?;
    if value.trim().is_empty() {
        return Err(ConfigError::Missing(name.into()));
    }
    Ok(value)
}

/// A number; the error names the variable but never echoes its value.
pub fn number<T: FromStr>(config: &dyn Config, name: &str) -> Result<T, ConfigError> {
    text(config, name)?
        .trim()
        .parse()
        .map_err(|_| ConfigError::Invalid { name: name.into(), reason: "not a valid number".into() })
}

/// A positive count of seconds or milliseconds, as a duration.
pub fn seconds(config: &dyn Config, name: &str) -> Result<Duration, ConfigError> {
    positive(config, name).map(Duration::from_secs)
}

pub fn millis(config: &dyn Config, name: &str) -> Result<Duration, ConfigError> {
    positive(config, name).map(Duration::from_millis)
}

/// A count greater than zero.
pub fn positive(config: &dyn Config, name: &str) -> Result<u64, ConfigError> {
    match number::<u64>(config, name)? {
        0 => Err(ConfigError::Invalid { name: name.into(), reason: "must be greater than zero".into() }),
        n => Ok(n),
    }
}

/// A non-zero address.
pub fn address(config: &dyn Config, name: &str) -> Result<alloy_primitives::Address, ConfigError> {
    match text(config, name)?.trim().parse::<alloy_primitives::Address>() {
        Ok(a) if !a.is_zero() => Ok(a),
        _ => Err(ConfigError::Invalid { name: name.into(), reason: "not a non-zero 0x address".into() }),
    }
}

/// A comma-separated list of one or more non-zero addresses.
pub fn addresses(config: &dyn Config, name: &str) -> Result<Vec<alloy_primitives::Address>, ConfigError> {
    text(config, name)?
        .split(',')
        .map(|item| match item.trim().parse::<alloy_primitives::Address>() {
            Ok(a) if !a.is_zero() => Ok(a),
            _ => Err(ConfigError::Invalid { name: name.into(), reason: "not a list of non-zero 0x addresses".into() }),
        })
        .collect()
}

/// A 32-byte 0x value.
pub fn bytes32(config: &dyn Config, name: &str) -> Result<alloy_primitives::B256, ConfigError> {
    text(config, name)?
        .trim()
        .parse()
        .map_err(|_| ConfigError::Invalid { name: name.into(), reason: "not a 0x 32-byte value".into() })
}

/// An http(s) base URL, without a trailing slash.
pub fn base_url(config: &dyn Config, name: &str) -> Result<String, ConfigError> {
    let value = text(config, name)?;
    let value = value.trim().trim_end_matches('/');
    if !(value.starts_with("http://") || value.starts_with("https://")) {
        return Err(ConfigError::Invalid { name: name.into(), reason: "must be an http(s) URL".into() });
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Map(HashMap<&'static str, &'static str>);

    impl Config for Map {
        fn get(&self, name: &str) -> Result<String, ConfigError> {
            self.0.get(name).map(|v| v.to_string()).ok_or_else(|| ConfigError::Missing(name.into()))
        }
    }

    #[test]
    fn errors_name_the_variable_and_never_its_value() {
        let cfg = Map(HashMap::from([("n", "12x-secret"), ("zero", "0"), ("u", "ftp://x"), ("blank", " ")]));
        let e = number::<u64>(&cfg, "n").unwrap_err().to_string();
        assert!(e.contains("`n`") && !e.contains("secret"), "{e}");
        assert!(seconds(&cfg, "zero").unwrap_err().to_string().contains("greater than zero"));
        assert!(base_url(&cfg, "u").unwrap_err().to_string().contains("http(s)"));
        assert_eq!(text(&cfg, "blank"), Err(ConfigError::Missing("blank".into())));
        assert_eq!(text(&cfg, "absent"), Err(ConfigError::Missing("absent".into())));
    }

    #[test]
    fn base_url_drops_trailing_slash() {
        let cfg = Map(HashMap::from([("u", "https://clob.polymarket.com/")]));
        assert_eq!(base_url(&cfg, "u").unwrap(), "https://clob.polymarket.com");
    }
}
