use std::fmt;

use serde_json::json;

use super::Response;
use crate::ports::{ConfigError, DbError, RedisError};

/// The stable error codes clients and operators see (docs/architecture.md §9).
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
    /// The methods the resource takes, for the `Allow` header of a 405.
    pub allow: Option<String>,
    /// What exactly failed (a database's or a library's own words), for the log only: the
    /// caller gets the stable code and the short message.
    pub detail: Option<String>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError { code, message: message.into(), retry_after_secs: None, allow: None, detail: None }
    }

    /// With the detail that goes to the log, never to the caller.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// The error as one log line, detail included.
    pub fn log_line(&self) -> String {
        match &self.detail {
            Some(detail) => format!("{self} ({detail})"),
            None => self.to_string(),
        }
    }

    /// 405 naming the methods the resource takes, in `Allow` too; HEAD goes with GET (it is
    /// answered as GET without a body).
    pub fn method_not_allowed(allowed: &[&str]) -> Self {
        let mut methods: Vec<&str> = Vec::new();
        for method in allowed {
            methods.push(method);
            if *method == "GET" {
                methods.push("HEAD");
            }
        }
        let listed = match methods.split_last() {
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        };
        ApiError {
            allow: Some(methods.join(", ")),
            ..ApiError::new(ErrorCode::MethodNotAllowed, format!("use {listed}"))
        }
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
        let mut response =
            Response::json(self.status(), &json!({ "error": { "code": self.code.as_str(), "message": self.message } }));
        response.log = self.detail.is_some().then(|| self.log_line());
        let response = match self.retry_after_secs {
            Some(secs) => response.with_header("retry-after", secs.to_string()),
            None => response,
        };
        match self.allow {
            Some(methods) => response.with_header("allow", methods),
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
/// The database's own words (SQLSTATE, message) go to the log only.
impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        ApiError::new(ErrorCode::ServiceUnavailable, "a database operation failed; try again later")
            .with_detail(format!("database: {e}"))
    }
}

/// A Redis failure seen by a caller: the service is unavailable, whatever the command.
impl From<RedisError> for ApiError {
    fn from(e: RedisError) -> Self {
        ApiError::new(ErrorCode::ServiceUnavailable, "a Redis operation failed; try again later")
            .with_detail(format!("redis: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_errors_detail_goes_to_the_log_not_the_caller() {
        let error = ApiError::from(DbError::Query {
            code: Some("22003".into()),
            message: "value \"2147483648\" is out of range".into(),
        });
        let response = error.into_response();
        let body = String::from_utf8(response.body).unwrap();
        assert!(!body.contains("22003") && !body.contains("2147483648"), "{body}");
        assert!(response.log.unwrap().contains("(22003): value"));
    }

    #[test]
    fn a_405_says_what_is_allowed_in_allow_too() {
        let r = ApiError::method_not_allowed(&["GET", "POST"]).into_response();
        assert_eq!(r.status, 405);
        assert!(r.headers.contains(&("allow".to_string(), "GET, HEAD, POST".to_string())));
        assert!(String::from_utf8(r.body).unwrap().contains("use GET, HEAD or POST"));
        assert_eq!(ApiError::method_not_allowed(&["POST"]).allow.as_deref(), Some("POST"));
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let r = ApiError::new(ErrorCode::SigningRateLimited, "slow down").retry_after_ms(14_001).into_response();
        assert_eq!(r.status, 429);
        assert!(r.headers.contains(&("retry-after".to_string(), "15".to_string())));
        assert_eq!(ApiError::new(ErrorCode::SigningRateLimited, "x").retry_after_ms(0).retry_after_secs, Some(1));
    }
}
