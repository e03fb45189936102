//! The error body every failure answers with: `{"error":{"code":"...","message":"..."}}`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::backend::BackendError;

/// A failed request: HTTP status, stable code, and a message safe to show the caller.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after_secs: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), retry_after_secs: None }
    }

    /// Bad input; `field` is the JSON path of the offending value (`transaction.nonce`).
    pub fn validation(field: &str, message: impl std::fmt::Display) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", format!("{field}: {message}"))
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "missing bearer token")
    }

    pub fn forbidden() -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "FORBIDDEN", "invalid bearer token")
    }

    pub fn payload_too_large(limit: usize) -> ApiError {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", format!("body exceeds {limit} bytes"))
    }

    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "NOT_FOUND", "no such route")
    }

    pub fn method_not_allowed() -> ApiError {
        ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "method not allowed on this route")
    }

    pub fn internal() -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", "internal error")
    }
}

impl From<BackendError> for ApiError {
    fn from(err: BackendError) -> ApiError {
        match err {
            BackendError::InvalidProperties(message) => ApiError::validation("walletProperties", message),
            BackendError::InvalidPayload { field, message } => ApiError::validation(field, message),
            BackendError::WalletMismatch(message) => ApiError::new(StatusCode::CONFLICT, "WALLET_MISMATCH", message),
            BackendError::RateLimited { retry_after_secs } => ApiError {
                retry_after_secs: Some(retry_after_secs),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "BACKEND_RATE_LIMITED",
                    format!("the signing backend is rate limited; retry after {retry_after_secs} s"),
                )
            },
            BackendError::Unavailable(message) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "BACKEND_UNAVAILABLE", message)
            }
            BackendError::Failed(message) => ApiError::new(StatusCode::BAD_GATEWAY, "BACKEND_ERROR", message),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Json(json!({ "error": { "code": self.code, "message": self.message } }));
        let mut response = (self.status, body).into_response();
        if let Some(secs) = self.retry_after_secs {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
