//! The app under the real Spin CLI: `spin up` on the repository's `spin.toml`, as a process of
//! the test's own, with the cron trigger plugin firing the workers on their schedules.
//!
//! Which `spin`: `MIRROR_SPIN` if set, else `spin` on `PATH`. `scripts/test.sh` installs Spin
//! 4.0.2 and the cron plugin from `../shared/tools/spin/` when that directory exists.

use std::collections::HashMap;
use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::services::repo_root;
use crate::serving_process::ServingProcess;

/// What `spin up` serves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Manifest {
    /// The repository's `spin.toml` as it is: HTTP routes and the cron trigger.
    Shipped,
    /// The same HTTP routes and components without `[[trigger.cron]]`, so that worker ticks
    /// happen only when a test asks for one (`POST /internal/workers/<name>`), as on the host.
    WithoutCron,
}

/// A running `spin up` and the directory its logs go to.
pub struct SpinApp {
    /// Held to be stopped, with its group, when the app is dropped.
    _process: ServingProcess,
    /// What it serves.
    pub manifest: Manifest,
    pub base_url: String,
    /// `--log-dir`: one `<component>_stdout.txt` / `_stderr.txt` pair per component.
    pub log_dir: PathBuf,
    /// Spin's own output (stdout and stderr of `spin up`, including the cron plugin's).
    pub output: PathBuf,
    client: Client<HttpConnector, Full<Bytes>>,
}

/// The Spin binary the suites use.
pub fn spin_binary() -> PathBuf {
    std::env::var_os("MIRROR_SPIN").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("spin"))
}

impl SpinApp {
    /// `spin up` with each variable as `SPIN_VARIABLE_<NAME>`, answering `/health` when this returns.
    pub async fn start(variables: &HashMap<String, String>, work_dir: &Path, manifest: Manifest) -> Result<SpinApp> {
        let served = match manifest {
            Manifest::Shipped => repo_root().join("spin.toml"),
            Manifest::WithoutCron => without_cron(work_dir)?,
        };
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let log_dir = work_dir.join("logs");
        std::fs::create_dir_all(&log_dir)?;
        let output = work_dir.join("spin-up.log");
        let out = File::create(&output)?;
        let mut command = Command::new(spin_binary());
        command
            .arg("up")
            .arg("--from")
            .arg(&served)
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--log-dir")
            .arg(&log_dir)
            // Spin 4.0.2 with a plugin trigger exits when RUST_LOG is set: its own log lines get
            // mixed into the trigger metadata it reads from the plugin (README).
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out);
        for (name, value) in variables {
            command.env(format!("SPIN_VARIABLE_{}", name.to_uppercase()), value);
        }
        // Its own process group, so the cron plugin it starts is stopped with it.
        let mut process = ServingProcess::spawn(&mut command)?;
        let base_url = format!("http://127.0.0.1:{port}");
        process.wait_until_serving(&base_url, Duration::from_secs(120), || output_text(&output, &log_dir)).await?;
        let client = Client::builder(TokioExecutor::new()).build_http();
        Ok(SpinApp { _process: process, manifest, base_url, log_dir, output, client })
    }

    /// One request; `None` when Spin gives no answer within `timeout`.
    pub async fn request(
        &self,
        request: http::Request<Bytes>,
        timeout: Duration,
    ) -> Option<(http::StatusCode, http::HeaderMap, Bytes)> {
        let (parts, body) = request.into_parts();
        let mut uri = format!("{}{}", self.base_url, parts.uri.path());
        if let Some(query) = parts.uri.query() {
            uri = format!("{uri}?{query}");
        }
        let mut builder = http::Request::builder().method(parts.method).uri(uri);
        for (name, value) in &parts.headers {
            builder = builder.header(name, value);
        }
        let request = builder.body(Full::new(body)).expect("request");
        match tokio::time::timeout(timeout, self.send(request)).await {
            Ok(result) => Some(result.expect("request to spin up")),
            Err(_) => None,
        }
    }

    async fn send(&self, request: http::Request<Full<Bytes>>) -> Result<(http::StatusCode, http::HeaderMap, Bytes)> {
        let response = self.client.request(request).await?;
        let (parts, body) = response.into_parts();
        Ok((parts.status, parts.headers, body.collect().await?.to_bytes()))
    }

    /// Everything `spin up` and the components wrote so far.
    pub fn output_text(&self) -> String {
        output_text(&self.output, &self.log_dir)
    }
}

/// Spin's own output, then each component's log file.
fn output_text(output: &Path, log_dir: &Path) -> String {
    let mut text = std::fs::read_to_string(output).unwrap_or_default();
    if let Ok(entries) = std::fs::read_dir(log_dir) {
        for entry in entries.flatten() {
            text.push_str(&format!("\n--- {}\n", entry.file_name().to_string_lossy()));
            text.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
        }
    }
    text
}

/// `spin.toml` without its cron triggers and their components, written into `dir`, with every
/// component source made absolute so that it still names the repository's build.
fn without_cron(dir: &Path) -> Result<PathBuf> {
    let mut manifest: toml::Table = std::fs::read_to_string(repo_root().join("spin.toml"))?.parse()?;
    let cron: Vec<String> = manifest["trigger"]["cron"]
        .as_array()
        .context("spin.toml has no [[trigger.cron]]")?
        .iter()
        .filter_map(|t| t["component"].as_str().map(str::to_string))
        .collect();
    manifest["trigger"].as_table_mut().context("[trigger]")?.remove("cron");
    let components = manifest["component"].as_table_mut().context("[component]")?;
    for id in &cron {
        components.remove(id);
    }
    for (_, component) in components.iter_mut() {
        let component = component.as_table_mut().context("[component.x]")?;
        let source = component["source"].as_str().context("component source")?;
        component.insert("source".into(), repo_root().join(source).to_string_lossy().into_owned().into());
        component.remove("build");
    }
    let path = dir.join("spin-without-cron.toml");
    std::fs::write(&path, toml::to_string(&manifest)?)?;
    Ok(path)
}
