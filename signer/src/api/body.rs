//! The JSON body extractor: every way a body can be wrong becomes a `VALIDATION_ERROR` naming the
//! field (or `PAYLOAD_TOO_LARGE`), never axum's plain-text rejection.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::wire::describe_serde_error;

/// Request bodies are small; anything larger is refused before it is parsed.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::payload_too_large(MAX_BODY_BYTES)
            } else {
                ApiError::validation("body", "could not be read")
            }
        })?;
        parse(&bytes).map(JsonBody)
    }
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let field = if path == "." { "body" } else { path.as_str() };
        if inner.is_syntax() || inner.is_eof() {
            ApiError::validation("body", format!("is not valid JSON ({inner})"))
        } else {
            ApiError::validation(field, describe_serde_error(&inner.to_string()))
        }
    })?;
    deserializer.end().map_err(|_| ApiError::validation("body", "has trailing characters after the JSON value"))?;
    Ok(value)
}
