//! The health-check worker's tick: probe every external service at once, publish the result as
//! `system:health` with its TTL, then record the heartbeat.

use serde::{Deserialize, Serialize};

use super::{probes, ProbeOutcome};
use crate::api::{ApiError, ErrorCode};
use crate::ports::{Config, ConfigError, Platform, Redis};
use crate::redis_keys::SYSTEM_HEALTH;
use crate::settings;
use crate::text_enum::text_enum;
use crate::time::Timestamp;
use crate::workers::{record_heartbeat, Worker};

text_enum! {
    /// What signing depends on, by the signer's backend (`signer_backend`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum SignerBackend {
        /// Dynamic's MPC wallets: Dynamic's health decides.
        Dynamic = "dynamic",
        /// The signer's own keys (development, the sandbox): the signer's health decides.
        Local = "local",
    }
}

impl SignerBackend {
    pub fn from_config(config: &dyn Config) -> Result<SignerBackend, ConfigError> {
        let value = settings::text(config, settings::SIGNER_BACKEND)?;
        SignerBackend::parse(value.trim()).ok_or_else(|| ConfigError::Invalid {
            name: settings::SIGNER_BACKEND.into(),
            reason: "must be `dynamic` or `local`".into(),
        })
    }
}

/// The `system:health` document. `dynamic` is the health of what signing depends on: Dynamic's
/// API, or the signer itself when it runs the local backend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemHealth {
    pub checked_at: String,
    pub checked_at_ms: i64,
    pub services: Services,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Services {
    pub dynamic: ProbeOutcome,
    pub polymarket: ProbeOutcome,
    pub polygon_rpc: ProbeOutcome,
}

/// Runs one tick. Probes run concurrently, so a tick lasts about one probe timeout at most.
/// Two Redis round trips (the health document, then the heartbeat) and three HTTP calls.
pub async fn run_health_check(platform: &impl Platform) -> Result<SystemHealth, ApiError> {
    let config = platform.config();
    let timeout = settings::millis(config, settings::HEALTH_PROBE_TIMEOUT_MS)?;
    let ttl = settings::seconds(config, settings::SYSTEM_HEALTH_TTL_SECS)?;
    let backend = SignerBackend::from_config(config)?;
    let signing_url = match backend {
        SignerBackend::Dynamic => settings::base_url(config, settings::DYNAMIC_API_URL)?,
        SignerBackend::Local => settings::base_url(config, settings::DYNAMIC_SIGNER_URL)?,
    };
    let clob_url = settings::base_url(config, settings::POLYMARKET_CLOB_URL)?;
    let rpc_url = settings::base_url(config, settings::POLYGON_RPC_URL)?;

    let (http, clock) = (platform.http(), platform.clock());
    let (dynamic, polymarket, polygon_rpc) = futures::join!(
        async {
            match backend {
                SignerBackend::Dynamic => probes::dynamic(http, clock, &signing_url, timeout).await,
                SignerBackend::Local => probes::local_signer(http, clock, &signing_url, timeout).await,
            }
        },
        probes::polymarket(http, clock, &clob_url, timeout),
        probes::polygon_rpc(http, clock, &rpc_url, timeout),
    );
    let now = clock.now_ms();
    let health = SystemHealth {
        checked_at: Timestamp::from_millis(now).to_string(),
        checked_at_ms: now,
        services: Services { dynamic, polymarket, polygon_rpc },
    };

    let document = serde_json::to_string(&health).expect("health document serializes");
    let ttl_secs = ttl.as_secs() as i64;
    let redis = platform.redis();
    redis
        .execute("SET", &[SYSTEM_HEALTH.into(), document.into(), "EX".into(), ttl_secs.into()])
        .and_then(|_| record_heartbeat(redis, Worker::HealthCheck, now))
        .map_err(|e| {
            ApiError::new(ErrorCode::ServiceUnavailable, "could not record health").with_detail(e.to_string())
        })?;
    Ok(health)
}
