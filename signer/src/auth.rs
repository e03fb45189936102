//! The shared-secret bearer check in front of every `/v1/*` route.

use alloy_primitives::keccak256;
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::secret::Secret;

/// The expected token, kept only as a hash: comparing fixed-length hashes in constant time
/// leaks neither the token's bytes nor its length through timing.
#[derive(Clone)]
pub struct BearerToken {
    digest: [u8; 32],
}

impl BearerToken {
    pub fn new(token: &Secret<String>) -> BearerToken {
        BearerToken { digest: keccak256(token.expose().as_bytes()).0 }
    }

    fn admits(&self, presented: &str) -> bool {
        keccak256(presented.as_bytes()).0.ct_eq(&self.digest).into()
    }
}

/// Missing or non-bearer `Authorization` → 401; a wrong token → 403.
pub async fn require_bearer(
    State(expected): State<BearerToken>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let presented = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or_else(ApiError::unauthorized)?;
    if !expected.admits(presented.trim()) {
        return Err(ApiError::forbidden());
    }
    Ok(next.run(request).await)
}
