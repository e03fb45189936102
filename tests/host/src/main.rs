//! `mirror-host`: run a Spin app without the Spin CLI, or apply its migrations.
//!
//! ```text
//! mirror-host up [--manifest spin.toml] [--listen 127.0.0.1:3000]   (reads SPIN_VARIABLE_*)
//! mirror-host migrate --database-url URL --dir migrations
//! ```

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use mirror_test_host::{Host, HostConfig};

const USAGE: &str = "usage:
  mirror-host up [--manifest spin.toml] [--listen 127.0.0.1:3000]
  mirror-host migrate --database-url URL --dir migrations";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,wasmtime=warn,cranelift=warn,tokio_postgres=warn".into()),
        )
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_default();
    let flags = Flags::parse(args)?;
    match command.as_str() {
        "up" => {
            let mut cfg = HostConfig::new(flags.get("--manifest").unwrap_or("spin.toml"));
            cfg.env_variables = true;
            let listen: SocketAddr = flags
                .get("--listen")
                .unwrap_or("127.0.0.1:3000")
                .parse()
                .context("--listen must be an address like 127.0.0.1:3000")?;
            Host::load(cfg).await?.serve(listen).await
        }
        "migrate" => {
            let url = flags.get("--database-url").context("--database-url is required")?;
            let dir = PathBuf::from(flags.get("--dir").unwrap_or("migrations"));
            let applied = mirror_test_host::migrate::migrate(url, &dir).await?;
            println!("applied {} migration(s): {applied:?}", applied.len());
            Ok(())
        }
        _ => bail!("{USAGE}"),
    }
}

/// `--name value` pairs.
struct Flags(Vec<(String, String)>);

impl Flags {
    fn parse(mut args: impl Iterator<Item = String>) -> anyhow::Result<Self> {
        let mut flags = Vec::new();
        while let Some(name) = args.next() {
            if !name.starts_with("--") {
                bail!("unexpected argument {name:?}\n{USAGE}");
            }
            let value = args.next().with_context(|| format!("{name} needs a value"))?;
            flags.push((name, value));
        }
        Ok(Self(flags))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}
