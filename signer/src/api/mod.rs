//! The HTTP contract: routes, the layers every request passes through, and the shared state.

mod body;
mod health;
mod sign;
mod wallets;

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::auth::{require_bearer, BearerToken};
use crate::backend::Backend;
use crate::error::ApiError;

#[derive(Clone)]
struct AppState {
    backend: Arc<dyn Backend>,
}

/// All routes; `/v1/*` behind the bearer token.
pub fn router(backend: Arc<dyn Backend>, token: BearerToken) -> Router {
    let v1 = Router::new()
        .route("/v1/wallets", post(wallets::create))
        .route("/v1/sign/message", post(sign::message))
        .route("/v1/sign/typed-data", post(sign::typed_data))
        .route("/v1/sign/transaction", post(sign::transaction))
        .route_layer(middleware::from_fn_with_state(token, require_bearer));
    Router::new()
        .route("/health", get(health::health))
        .merge(v1)
        .fallback(|| async { ApiError::not_found() })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(DefaultBodyLimit::max(body::MAX_BODY_BYTES))
        .layer(middleware::from_fn(contain_panics))
        .layer(middleware::from_fn(log_request))
        .with_state(AppState { backend })
}

/// One line per request: method, path, status, latency. Never headers or bodies.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// A bug must cost one request a 500, not the connection; handlers are written not to panic.
async fn contain_panics(request: Request, next: Next) -> Response {
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::error!("request handler panicked");
            ApiError::internal().into_response()
        }
    }
}
