use std::fmt;

use serde_json::json;

use super::Response;
use crate::ports::ConfigError;

/// The stable error codes clients and operators see (ARCHITECTURE §8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    ValidationError,
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
            ErrorCode::ValidationError => "VALIDATION_ERROR",
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
            ErrorCode::ValidationError => 400,
            ErrorCode::ConfigurationError | ErrorCode::InternalError => 500,
            ErrorCode::ServiceUnavailable => 503,
        }
    }
}

/// An error a handler returns; rendered as `{"error": {"code", "message"}}`. Messages must never
/// carry secrets: they are built from names and fixed text, not from configuration values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError { code, message: message.into() }
    }

    pub fn status(&self) -> u16 {
        self.code.status()
    }

    pub fn into_response(self) -> Response {
        Response::json(
            self.status(),
            &json!({ "error": { "code": self.code.as_str(), "message": self.message } }),
        )
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
