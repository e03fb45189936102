//! `mirror-signer`: reads its configuration from the environment and serves until SIGTERM/Ctrl-C.

use std::io::IsTerminal;
use std::process::ExitCode;

use mirror_signer::SignerConfig;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_ansi(std::io::stdout().is_terminal())
        .init();
    let config = match SignerConfig::from_env() {
        Ok(config) => config,
        Err(err) => {
            tracing::error!("refusing to start: {err}");
            return ExitCode::from(2);
        }
    };
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("signer stopped: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: SignerConfig) -> anyhow::Result<()> {
    let listener = TcpListener::bind(config.listen).await?;
    tracing::info!(listen = %config.listen, "mirror-signer listening");
    axum::serve(listener, mirror_signer::app(&config)).with_graceful_shutdown(shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("install the SIGTERM handler");
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate.recv() => {}
    }
}
