//! Dynamic SDK errors → the signer's error codes. The SDK (0.0.4) reports an HTTP failure as
//! status + body and drops the response headers, so a 429's `Retry-After` is passed through only
//! when Dynamic's body carries it; otherwise the caller is told to retry after one second.

use dynamic_waas_sdk::{Error, MpcError};
use serde_json::Value;

use crate::backend::BackendError;

/// Used when a 429 carries no retry hint the SDK lets us see.
pub const DEFAULT_RETRY_AFTER_SECS: u64 = 1;

pub fn to_backend_error(err: &Error) -> BackendError {
    match err {
        Error::Http { status: 429, body } => BackendError::RateLimited {
            retry_after_secs: retry_after_from_body(body).unwrap_or(DEFAULT_RETRY_AFTER_SECS),
        },
        Error::Http { status: status @ 500..=599, .. } => {
            BackendError::Unavailable(format!("Dynamic answered HTTP {status}"))
        }
        Error::Http { status: status @ (401 | 403), .. } => BackendError::Failed(format!(
            "Dynamic refused the signer's credentials (HTTP {status}); check DYNAMIC_API_KEY and DYNAMIC_ENVIRONMENT_ID"
        )),
        Error::Http { status: 404, .. } | Error::WalletNotFound(_) => {
            BackendError::Failed("Dynamic does not know this wallet".into())
        }
        Error::Http { status, .. } => BackendError::Failed(format!("Dynamic answered HTTP {status}")),
        Error::Authentication(message) => authentication_failure(message),
        Error::Network(_) => BackendError::Unavailable("Dynamic is unreachable".into()),
        Error::SseTimeout { .. } => BackendError::Unavailable("Dynamic's signing stream timed out".into()),
        Error::Sse(_) => BackendError::Unavailable("Dynamic's signing stream broke off".into()),
        Error::Mpc(MpcError::Operation(_)) => {
            BackendError::Unavailable("the MPC ceremony with Dynamic's relay failed".into())
        }
        Error::Mpc(_) => BackendError::Failed("Dynamic's MPC library refused the operation".into()),
        Error::Encryption(_) => {
            BackendError::Failed("the key-share backup could not be decrypted; check DYNAMIC_WALLET_PASSWORD".into())
        }
        Error::StaleWalletProperties => {
            BackendError::InvalidProperties("lack the key-share backup info Dynamic returned at creation".into())
        }
        Error::InvalidArgument(message) => {
            BackendError::Failed(format!("the Dynamic SDK refused the request: {message}"))
        }
        Error::UnsupportedChain(_) => BackendError::Failed("Dynamic does not support this chain".into()),
        Error::Serialization(_) => BackendError::Failed("Dynamic's answer could not be read".into()),
        _ => BackendError::Failed("the Dynamic SDK failed".into()),
    }
}

/// Whether Dynamic answered at all (for `GET /health`): false when it could not be reached.
pub fn dynamic_answered(err: &Error) -> bool {
    match err {
        Error::Network(_) | Error::SseTimeout { .. } => false,
        Error::Authentication(message) => !message.contains("network error"),
        _ => true,
    }
}

/// The token exchange wraps its cause in a message; recover rate limits and outages from it.
fn authentication_failure(message: &str) -> BackendError {
    if message.contains("HTTP 429") {
        BackendError::RateLimited { retry_after_secs: DEFAULT_RETRY_AFTER_SECS }
    } else if message.contains("network error") || (500..600).any(|s| message.contains(&format!("HTTP {s}"))) {
        BackendError::Unavailable("Dynamic's authentication endpoint is unavailable".into())
    } else {
        BackendError::Failed("Dynamic refused the API token; check DYNAMIC_API_KEY and DYNAMIC_ENVIRONMENT_ID".into())
    }
}

/// Reads a retry hint in seconds from a JSON body (`retryAfter`, `retry_after`, `retryAfterSeconds`).
fn retry_after_from_body(body: &str) -> Option<u64> {
    let value: Value = serde_json::from_str(body).ok()?;
    ["retryAfter", "retry_after", "retryAfterSeconds"].iter().find_map(|key| {
        let hint = value.get(key)?;
        hint.as_u64().or_else(|| hint.as_str()?.trim().parse().ok())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16, body: &str) -> Error {
        Error::Http { status, body: body.into() }
    }

    #[test]
    fn rate_limits_pass_the_retry_hint_through_or_default_to_one_second() {
        assert_eq!(
            to_backend_error(&http(429, r#"{"retryAfter":17}"#)),
            BackendError::RateLimited { retry_after_secs: 17 }
        );
        assert_eq!(
            to_backend_error(&http(429, r#"{"retry_after":"9"}"#)),
            BackendError::RateLimited { retry_after_secs: 9 }
        );
        assert_eq!(
            to_backend_error(&http(429, "Too Many Requests")),
            BackendError::RateLimited { retry_after_secs: 1 }
        );
        let during_auth = Error::Authentication("token exchange failed: HTTP 429: slow down".into());
        assert_eq!(to_backend_error(&during_auth), BackendError::RateLimited { retry_after_secs: 1 });
    }

    #[test]
    fn outages_are_retryable_unavailability() {
        for err in [
            http(500, ""),
            http(503, "<html>"),
            Error::Network("connection refused".into()),
            Error::SseTimeout { event: "room_created".into(), timeout_ms: 30_000 },
            Error::Sse("stream ended".into()),
            Error::Mpc(MpcError::Operation("relay closed".into())),
            Error::Authentication("token exchange failed: network error: dns".into()),
            Error::Authentication("token exchange failed: HTTP 502: bad gateway".into()),
        ] {
            assert!(matches!(to_backend_error(&err), BackendError::Unavailable(_)), "{err}");
        }
    }

    #[test]
    fn refusals_are_backend_errors_that_name_the_setting_to_check() {
        let BackendError::Failed(message) = to_backend_error(&http(401, "")) else { panic!() };
        assert!(message.contains("DYNAMIC_API_KEY"));
        let BackendError::Failed(message) = to_backend_error(&Error::Encryption("aead".into())) else { panic!() };
        assert!(message.contains("DYNAMIC_WALLET_PASSWORD"));
        let bad_token = Error::Authentication("token exchange failed: HTTP 401: no".into());
        assert!(matches!(to_backend_error(&bad_token), BackendError::Failed(_)));
        assert!(matches!(to_backend_error(&http(404, "")), BackendError::Failed(_)));
        assert!(matches!(to_backend_error(&http(400, "")), BackendError::Failed(_)));
    }

    #[test]
    fn stale_properties_are_a_validation_error() {
        assert!(matches!(to_backend_error(&Error::StaleWalletProperties), BackendError::InvalidProperties(_)));
    }

    #[test]
    fn sdk_error_text_never_reaches_the_caller() {
        let leaky = http(500, "internal: shares=deadbeef");
        let BackendError::Unavailable(message) = to_backend_error(&leaky) else { panic!() };
        assert!(!message.contains("deadbeef"));
    }

    #[test]
    fn only_network_failures_count_as_dynamic_not_answering() {
        assert!(!dynamic_answered(&Error::Network("refused".into())));
        assert!(dynamic_answered(&http(503, "")));
        assert!(dynamic_answered(&http(429, "")));
    }
}
