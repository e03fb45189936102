//! One signing operation end to end: gate → `signing_requests` row + SIGNING_REQUESTED → the
//! signer, with backoff → outcome in the breaker → row settled + SIGNING_COMPLETED/FAILED.
//! Round trips: Redis 2 (gate, outcome; the legacy local-key path has no outcome), Postgres 2
//! (open, settle), HTTP 1 per attempt.

use std::time::Duration;

use super::local_key::LocalKey;
use super::signer_client::{self, SignPayload, Signed, SignerEndpoint, SignerError, WalletRef};
use super::{gate, record_outcome, GateVerdict, SigningLimits};
use crate::api::{ApiError, ErrorCode};
use crate::ports::{Config, Db, DbError, Platform, SqlValue};
use crate::settings;
use crate::trading_authority::Authority;

/// Retries after the first attempt and the backoff base (runbook: 1000 ms, at most 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub base_ms: u64,
    pub max_retries: u32,
}

impl Backoff {
    /// Exponential, but never shorter than what the signer asked for with `Retry-After`.
    pub fn delay(&self, retry: u32, retry_after_ms: Option<i64>) -> Duration {
        let exponential = self.base_ms.saturating_mul(1 << retry.min(16));
        Duration::from_millis(exponential.max(retry_after_ms.unwrap_or(0).max(0) as u64))
    }
}

/// Who signs and why.
pub struct SigningJob<'a> {
    pub user_id: &'a str,
    pub authority: &'a Authority,
    /// ORDER, CLOB_AUTH, SAFE_TX, SIGNING_CHECK, ...
    pub purpose: &'a str,
    pub payload: &'a SignPayload,
}

/// Signs through the gate, with a server wallet (the signer, with backoff) or a legacy key
/// (locally); the same limits, rows and audit entries either way.
pub async fn sign(platform: &impl Platform, job: SigningJob<'_>) -> Result<Signed, ApiError> {
    let config = platform.config();
    let limits = SigningLimits::from_config(config)?;
    let operation_id = platform.random().id();
    let now = platform.clock().now_ms();
    // Everything that can fail on configuration is settled before the gate admits anything.
    let route = match job.authority {
        Authority::ServerWallet(wallet) => Route::Signer {
            endpoint: signer_endpoint(config)?,
            backoff: Backoff {
                base_ms: settings::positive(config, settings::SIGNING_BACKOFF_BASE_MS)?,
                max_retries: settings::number(config, settings::SIGNING_MAX_RETRIES)?,
            },
            wallet: &wallet.wallet,
        },
        Authority::LegacyKey { encrypted_key, .. } => {
            let encryption_key = settings::text(config, settings::TRADING_KEY_ENCRYPTION_KEY)?;
            Route::Local(LocalKey::decrypt(encrypted_key, &encryption_key)?)
        }
    };
    let needs_dynamic = matches!(route, Route::Signer { .. });

    match gate(platform.redis(), &limits, job.user_id, &operation_id, needs_dynamic, now) {
        Ok(GateVerdict::Admitted { .. }) => {}
        Ok(GateVerdict::DynamicDown) => {
            return Err(ApiError::new(ErrorCode::SigningUnavailable, "signing unavailable: Dynamic API is down"))
        }
        Ok(GateVerdict::BreakerOpen { retry_after_ms }) => {
            return Err(ApiError::new(ErrorCode::SigningCircuitBreakerOpen, "signing is paused: circuit breaker open")
                .retry_after_ms(retry_after_ms))
        }
        Ok(GateVerdict::UserLimited { retry_after_ms }) => {
            return Err(ApiError::new(ErrorCode::SigningRateLimited, "per-user signing limit reached")
                .retry_after_ms(retry_after_ms))
        }
        Ok(GateVerdict::GlobalLimited { retry_after_ms }) => {
            return Err(ApiError::new(ErrorCode::SigningRateLimited, "global signing limit reached")
                .retry_after_ms(retry_after_ms))
        }
        Err(_) => return Err(ApiError::new(ErrorCode::SigningUnavailable, "signing gate unavailable")),
    }

    open_request(platform.db(), &operation_id, &job).map_err(|e| {
        ApiError::new(ErrorCode::ServiceUnavailable, "could not record the signing request").with_detail(e.to_string())
    })?;

    let (attempts, result) = match &route {
        Route::Signer { endpoint, backoff, wallet } => {
            with_signer(platform, endpoint, *backoff, wallet, job.payload).await
        }
        Route::Local(key) => (
            1,
            key.sign(job.payload)
                .map_err(|e| SignerError::Rejected { code: e.code.as_str().into(), message: e.message }),
        ),
    };

    // The breaker hears about the signer's availability: an operation that failed after its
    // retries counts once; a request the signer rejected as malformed says nothing about it.
    // Both are written whatever the other did; if either fails the operation stops here (its
    // signature is not used): a signature with no settled request or no breaker outcome would
    // leave the audit trail or the breaker wrong.
    let outcome = if needs_dynamic {
        let available = !matches!(&result, Err(e) if e.retriable());
        let now = platform.clock().now_ms();
        record_outcome(platform.redis(), &limits, &operation_id, available, now).map(|_| ()).map_err(ApiError::from)
    } else {
        Ok(())
    };
    let settled = settle_request(platform.db(), &operation_id, attempts, &result).map_err(|e| {
        ApiError::new(ErrorCode::ServiceUnavailable, "could not record the signing outcome").with_detail(e.to_string())
    });
    outcome.and(settled)?;

    result.map_err(|e| match e {
        SignerError::RateLimited { retry_after_ms } => {
            let error = ApiError::new(ErrorCode::SigningRateLimited, "signing provider is rate limiting");
            match retry_after_ms {
                Some(ms) => error.retry_after_ms(ms),
                None => error,
            }
        }
        SignerError::Unavailable(_) => ApiError::new(ErrorCode::SigningUnavailable, "signing provider unavailable"),
        SignerError::Rejected { code, .. } => {
            ApiError::new(ErrorCode::InternalError, format!("signer rejected the request ({code})"))
        }
    })
}

/// How an operation gets its signature.
enum Route<'a> {
    Signer { endpoint: SignerEndpoint, backoff: Backoff, wallet: &'a WalletRef },
    Local(LocalKey),
}

/// Calls the signer, retrying what may succeed later. Returns the attempts made and the result.
async fn with_signer(
    platform: &impl Platform,
    endpoint: &SignerEndpoint,
    backoff: Backoff,
    wallet: &WalletRef,
    payload: &SignPayload,
) -> (u32, Result<Signed, SignerError>) {
    let mut attempts = 0;
    loop {
        attempts += 1;
        match signer_client::sign(platform.http(), endpoint, wallet, payload).await {
            Err(e) if e.retriable() && attempts <= backoff.max_retries => {
                let retry_after = match &e {
                    SignerError::RateLimited { retry_after_ms } => *retry_after_ms,
                    _ => None,
                };
                platform.sleep(backoff.delay(attempts - 1, retry_after)).await;
            }
            other => return (attempts, other),
        }
    }
}

pub fn signer_endpoint(config: &dyn Config) -> Result<SignerEndpoint, ApiError> {
    Ok(SignerEndpoint {
        base_url: settings::base_url(config, settings::DYNAMIC_SIGNER_URL)?,
        token: settings::text(config, settings::SIGNER_AUTH_TOKEN)?,
        timeout: settings::millis(config, settings::SIGNER_TIMEOUT_MS)?,
    })
}

const OPEN_SQL: &str = "\
WITH request AS (
  INSERT INTO signing_requests (id, user_id, server_wallet_id, kind, purpose, payload_hash, status)
  VALUES ($1, $2, $3, $4, $5, $6, 'PENDING')
  RETURNING id, user_id
)
INSERT INTO audit_logs (user_id, action, details)
SELECT user_id, 'SIGNING_REQUESTED', jsonb_build_object('signingRequestId', id, 'kind', $4::text, 'purpose', $5::text)
FROM request";

fn open_request(db: &impl Db, operation_id: &str, job: &SigningJob<'_>) -> Result<u64, DbError> {
    let text = |s: &str| SqlValue::Text(s.to_string());
    let server_wallet_id = match job.authority {
        Authority::ServerWallet(wallet) => text(&wallet.id),
        Authority::LegacyKey { .. } => SqlValue::Null,
    };
    db.execute(
        OPEN_SQL,
        &[
            text(operation_id),
            text(job.user_id),
            server_wallet_id,
            text(job.payload.kind()),
            text(job.purpose),
            text(&payload_hash(job.payload)),
        ],
    )
}

const SETTLE_SQL: &str = "\
WITH request AS (
  UPDATE signing_requests SET status = $2, attempts = $3::int8, error_code = $4
  WHERE id = $1
  RETURNING id, user_id
)
INSERT INTO audit_logs (user_id, action, details)
SELECT user_id, $5, jsonb_build_object('signingRequestId', id, 'attempts', $3::int8, 'errorCode', $4::text)
FROM request";

fn settle_request(
    db: &impl Db,
    operation_id: &str,
    attempts: u32,
    result: &Result<Signed, SignerError>,
) -> Result<u64, DbError> {
    let (status, action, error_code) = match result {
        Ok(_) => ("SUCCEEDED", "SIGNING_COMPLETED", SqlValue::Null),
        Err(SignerError::RateLimited { .. }) => ("FAILED", "SIGNING_FAILED", SqlValue::Text("RATE_LIMITED".into())),
        Err(SignerError::Unavailable(_)) => ("FAILED", "SIGNING_FAILED", SqlValue::Text("UNAVAILABLE".into())),
        Err(SignerError::Rejected { code, .. }) => ("FAILED", "SIGNING_FAILED", SqlValue::Text(code.clone())),
    };
    db.execute(
        SETTLE_SQL,
        &[
            SqlValue::Text(operation_id.into()),
            SqlValue::Text(status.into()),
            SqlValue::Int(attempts.into()),
            error_code,
            SqlValue::Text(action.into()),
        ],
    )
}

/// A fingerprint of what was signed, so audit entries can be matched to payloads without
/// storing them.
fn payload_hash(payload: &SignPayload) -> String {
    use sha2::{Digest, Sha256};
    let bytes = match payload {
        SignPayload::Message(m) => m.clone(),
        SignPayload::TypedData(v) | SignPayload::Transaction(v) => v.to_string().into_bytes(),
    };
    Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_base_and_honours_retry_after() {
        let b = Backoff { base_ms: 1000, max_retries: 3 };
        assert_eq!(b.delay(0, None), Duration::from_millis(1000));
        assert_eq!(b.delay(1, None), Duration::from_millis(2000));
        assert_eq!(b.delay(2, None), Duration::from_millis(4000));
        assert_eq!(b.delay(0, Some(7000)), Duration::from_millis(7000));
        assert_eq!(b.delay(2, Some(1000)), Duration::from_millis(4000));
    }

    #[test]
    fn payload_hash_is_stable_and_distinguishes_payloads() {
        let a = payload_hash(&SignPayload::Message(b"hello".to_vec()));
        assert_eq!(a, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
        assert_ne!(a, payload_hash(&SignPayload::Message(b"hellp".to_vec())));
    }
}
