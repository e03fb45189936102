use std::fmt;

use serde_json::json;

use super::Response;
use crate::ports::{ConfigError, DbError, RedisError};

/// The stable error codes clients and operators see (ARCHITECTURE §8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    ValidationError,
    SignatureError,
    SigningRateLimited,
    SigningCircuitBreakerOpen,
    SigningUnavailable,
    ConfigurationError,
    ServiceUnavailable,
    InternalError,
}

impl ErrorCode {
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorCode::Unauthorized => "UNAUTHORIZED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorCode::ValidationError => "VALIDATION_ERROR",
            ErrorCode::SignatureError => "SIGNATURE_ERROR",
            ErrorCode::SigningRateLimited => "SIGNING_RATE_LIMITED",
            ErrorCode::SigningCircuitBreakerOpen => "SIGNING_CIRCUIT_BREAKER_OPEN",
            ErrorCode::SigningUnavailable => "SIGNING_UNAVAILABLE",
            ErrorCode::ConfigurationError => "CONFIGURATION_ERROR",
            ErrorCode::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            ErrorCode::InternalError => "INTERNAL_ERROR",
        }
    }

    fn status(&self) -> u16 {
        match self {
            ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Conflict => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::ValidationError | ErrorCode::SignatureError => 400,
            ErrorCode::SigningRateLimited => 429,
            ErrorCode::ConfigurationError | ErrorCode::InternalError => 500,
            ErrorCode::SigningCircuitBreakerOpen | ErrorCode::SigningUnavailable | ErrorCode::ServiceUnavailable => 503,
        }
    }
}

/// An error a handler returns; rendered as `{"error": {"code", "message"}}`, with `Retry-After`
/// when the caller should come back later. Messages must never carry secrets: they are built
/// from names and fixed text, not from configuration values or upstream bodies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError { code, message: message.into(), retry_after_secs: None }
    }

    /// With `Retry-After`, rounded up to whole seconds (at least 1).
    pub fn retry_after_ms(mut self, ms: i64) -> Self {
        self.retry_after_secs = Some((ms.max(1) as u64).div_ceil(1000));
        self
    }

    pub fn status(&self) -> u16 {
        self.code.status()
    }

    pub fn into_response(self) -> Response {
        let response = Response::json(
            self.status(),
            &json!({ "error": { "code": self.code.as_str(), "message": self.message } }),
        );
        match self.retry_after_secs {
            Some(secs) => response.with_header("retry-after", secs.to_string()),
            None => response,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl From<ConfigError> for ApiError {
    fn from(e: ConfigError) -> Self {
        ApiError::new(ErrorCode::ConfigurationError, e.to_string())
    }
}

/// A database failure seen by a caller: the service is unavailable, whatever the statement.
impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        ApiError::new(ErrorCode::ServiceUnavailable, format!("database: {e}"))
    }
}

/// A Redis failure seen by a caller: the service is unavailable, whatever the command.
impl From<RedisError> for ApiError {
    fn from(e: RedisError) -> Self {
        ApiError::new(ErrorCode::ServiceUnavailable, format!("redis: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let r = ApiError::new(ErrorCode::SigningRateLimited, "slow down").retry_after_ms(14_001).into_response();
        assert_eq!(r.status, 429);
        assert!(r.headers.contains(&("retry-after".to_string(), "15".to_string())));
        assert_eq!(ApiError::new(ErrorCode::SigningRateLimited, "x").retry_after_ms(0).retry_after_secs, Some(1));
    }
}
