//! A child process that serves HTTP (`spin up`, `make sandbox`), in a process group of its own so
//! that everything it starts (the cron plugin, the signer, the fakes) is stopped with it.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// Stopped with its whole group when dropped: TERM, then KILL after 5 s.
pub struct ServingProcess {
    child: Child,
    /// The program, for messages.
    name: String,
}

impl ServingProcess {
    /// Starts `command` as the leader of a new process group.
    pub fn spawn(command: &mut Command) -> Result<ServingProcess> {
        let name = command.get_program().to_string_lossy().into_owned();
        let child = command.process_group(0).spawn().with_context(|| format!("start {name}"))?;
        Ok(ServingProcess { child, name })
    }

    /// Waits until `GET {base_url}/health` answers 200; fails, with `output()`, if the process
    /// exits first or `within` passes.
    pub async fn wait_until_serving(
        &mut self,
        base_url: &str,
        within: Duration,
        output: impl Fn() -> String,
    ) -> Result<()> {
        let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
        let health: http::Uri = format!("{base_url}/health").parse()?;
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                bail!("{} exited ({status}) before serving: {}", self.name, output());
            }
            let probe = client.get(health.clone());
            if let Ok(Ok(response)) = tokio::time::timeout(Duration::from_secs(2), probe).await {
                if response.status() == 200 {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("{} did not serve {base_url}/health within {within:?}: {}", self.name, output())
    }
}

impl Drop for ServingProcess {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}
