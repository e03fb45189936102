//! Mirror's signing service. Dynamic's server wallets sign through Dynamic's native MPC library,
//! which can't run in WebAssembly, so the Spin app reaches this small native HTTP service instead.
//! The service is stateless: a wallet's properties live with the app and come back on each call.
//! The HTTP contract is documented in `signer/README.md`.

mod api;
mod auth;
mod backend;
pub mod config;
mod eip712;
mod error;
mod payload;
mod secret;
mod transaction;
mod wire;

use axum::Router;
use tokio::net::TcpListener;

pub use config::{ConfigError, SignerConfig};

/// The signer's routes for `config`, ready to serve.
pub fn app(config: &SignerConfig) -> Router {
    api::router(backend::build(&config.backend), auth::BearerToken::new(&config.auth_token))
}

/// Serves the signer on `listener` until the task is dropped.
pub async fn serve(config: SignerConfig, listener: TcpListener) -> anyhow::Result<()> {
    axum::serve(listener, app(&config)).await?;
    Ok(())
}
