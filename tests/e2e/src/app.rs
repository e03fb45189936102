use std::collections::HashMap;
use std::time::Duration;

use anyhow::Result;
use bytes::Bytes;
use mirror_test_host::{Host, HostConfig, RoundTrips};

use crate::services::{connect, repo_root, Services};
use crate::spin::{Manifest, SpinApp};

/// The app, with a database and a Redis database of its own, on the test host or, with
/// `MIRROR_E2E_ON=spin`, under `spin up`.
pub struct TestApp {
    pub backend: Backend,
    /// Direct connection to the app's database, for arranging and asserting state.
    pub db: tokio_postgres::Client,
    /// Direct connection to the app's Redis database.
    pub redis: redis::aio::MultiplexedConnection,
    pub admin_token: String,
    pub variables: HashMap<String, String>,
}

/// Where the app runs.
pub enum Backend {
    /// The project's test host, in this process: counts round trips, fires cron on demand.
    Host(Host),
    /// The real Spin CLI, as a process; its cron trigger fires the workers on their schedules.
    Spin { spin: Box<SpinApp>, invocation_timeout: Duration, _work_dir: TempDir },
}

/// A response with the round trips the invocation made.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
    pub round_trips: Counted,
}

/// The round trips of one invocation, which only the test host counts: reading them in a test
/// run on Spin fails that test, saying so.
#[derive(Clone, Copy, Debug)]
pub struct Counted(Option<RoundTrips>);

impl Counted {
    /// The round trips where they were counted: `None` on Spin, for a test whose other checks
    /// hold there too.
    pub fn on_host(&self) -> Option<&RoundTrips> {
        self.0.as_ref()
    }
}

impl std::ops::Deref for Counted {
    type Target = RoundTrips;

    fn deref(&self) -> &RoundTrips {
        self.0.as_ref().expect("round trips are counted by the test host only: this test cannot run on Spin")
    }
}

/// A directory removed when the app stops.
pub struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Where this run puts its apps, from `MIRROR_E2E_ON`: `host` (the default), `spin` (`spin up`
/// without the cron trigger, so ticks happen when a test asks, as on the host) or `spin-cron`
/// (`spin up` on spin.toml as shipped, the cron trigger firing the workers on schedule).
pub fn placement() -> Option<Manifest> {
    match std::env::var("MIRROR_E2E_ON").as_deref() {
        Ok("host") | Err(_) => None,
        Ok("spin") => Some(Manifest::WithoutCron),
        Ok("spin-cron") => Some(Manifest::Shipped),
        Ok(other) => panic!("MIRROR_E2E_ON={other}: expected `host`, `spin` or `spin-cron`"),
    }
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

impl TestApp {
    pub async fn start() -> Result<TestApp> {
        Self::with_variables(&[]).await
    }

    /// Starts the app with these variables overriding the harness's own.
    pub async fn with_variables(overrides: &[(&str, &str)]) -> Result<TestApp> {
        Self::with_options(overrides, Duration::from_secs(30)).await
    }

    /// As `with_variables`, with the host killing any invocation that runs past `invocation_timeout`.
    pub async fn with_options(overrides: &[(&str, &str)], invocation_timeout: Duration) -> Result<TestApp> {
        let services = Services::from_env()?;
        let database = services.fresh_database().await?;
        let database_url = services.pg_url_for(&database);
        mirror_test_host::migrate::migrate(&database_url, &repo_root().join("migrations")).await?;
        let redis_db = services.fresh_redis_db().await?;
        let redis_url = format!("{}/{redis_db}", services.redis_url);
        let admin_token = format!("test-admin-{database}");
        let nowhere = mirror_fakes::unreachable_url().await;

        let mut variables: HashMap<String, String> = [
            ("database_url", database_url.clone()),
            ("postgres_host", services.pg_origin()),
            ("redis_url", redis_url.clone()),
            ("redis_host", services.redis_origin()),
            ("admin_token", admin_token.clone()),
            ("trading_key_encryption_key", crate::signing::random_hex(32)),
            // Spin refuses every outbound connection while a required variable has no value, so
            // the harness gives each one a value; `with_signer` replaces the signer's.
            ("signer_auth_token", crate::signing::random_hex(24)),
            ("dynamic_jwt_public_key", crate::signing::jwt_fixture("test-only-public.pem")),
            ("dynamic_jwt_issuer", crate::signing::JWT_ISSUER.into()),
            ("dynamic_jwt_audience", crate::signing::JWT_AUDIENCE.into()),
            ("dynamic_api_url", nowhere.clone()),
            ("polymarket_clob_url", nowhere.clone()),
            ("polymarket_data_url", nowhere.clone()),
            ("leader_webhook_secret", crate::signing::random_hex(24)),
            ("polygon_rpc_url", nowhere.clone()),
            ("polygon_rpc_host", nowhere),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        for (name, value) in overrides {
            variables.insert(name.to_string(), value.to_string());
        }

        let backend = if let Some(manifest) = placement() {
            let work_dir = std::env::temp_dir().join(format!("mirror-e2e-spin-{database}"));
            std::fs::create_dir_all(&work_dir)?;
            let spin = SpinApp::start(&variables, &work_dir, manifest).await?;
            Backend::Spin { spin: Box::new(spin), invocation_timeout, _work_dir: TempDir(work_dir) }
        } else {
            Backend::Host(
                Host::load(HostConfig {
                    manifest: repo_root().join("spin.toml"),
                    variables: variables.clone(),
                    env_variables: false,
                    cache_dir: Some(repo_root().join("target/mirror-host-cache")),
                    invocation_timeout,
                })
                .await?,
            )
        };
        let db = connect(&database_url).await?;
        let redis = redis::Client::open(redis_url)?.get_multiplexed_async_connection().await?;
        Ok(TestApp { backend, db, redis, admin_token, variables })
    }

    /// The test host, for a test that needs what only it can do (count round trips, stop an
    /// invocation midway); such a test fails on Spin, saying so.
    pub fn host(&self) -> &Host {
        match &self.backend {
            Backend::Host(host) => host,
            Backend::Spin { .. } => panic!("this test needs the test host: it cannot run on Spin"),
        }
    }

    /// `spin up`, when the app runs there.
    pub fn spin(&self) -> Option<&SpinApp> {
        match &self.backend {
            Backend::Spin { spin, .. } => Some(spin),
            Backend::Host(_) => None,
        }
    }

    /// Starts the app wired to a signer stack of its own (and end-user JWT settings).
    pub async fn with_signer(overrides: &[(&str, &str)]) -> Result<(TestApp, crate::signing::SignerStack)> {
        Self::with_signer_and_timeout(overrides, Duration::from_secs(30)).await
    }

    pub async fn with_signer_and_timeout(
        overrides: &[(&str, &str)],
        invocation_timeout: Duration,
    ) -> Result<(TestApp, crate::signing::SignerStack)> {
        let signer = crate::signing::SignerStack::start().await;
        let mut vars: Vec<(String, String)> = signer.variables();
        vars.extend(overrides.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let borrowed: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        Ok((TestApp::with_options(&borrowed, invocation_timeout).await?, signer))
    }

    pub async fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut builder = http::Request::builder().method(method).uri(format!("http://127.0.0.1:3000{path}"));
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder.body(Bytes::copy_from_slice(body)).expect("request");
        match &self.backend {
            Backend::Host(host) => {
                let invocation = host.handle(request).await;
                let (parts, body) = invocation.output.into_parts();
                Reply {
                    status: parts.status.as_u16(),
                    headers: parts.headers,
                    body,
                    round_trips: Counted(Some(invocation.round_trips)),
                }
            }
            Backend::Spin { spin, invocation_timeout, .. } => {
                // The host stops an invocation at its deadline; Spin never does, so a request
                // Spin leaves hanging fails here instead of hanging the suite.
                let answer = spin.request(request, *invocation_timeout + Duration::from_secs(5)).await;
                let (status, headers, body) = answer.unwrap_or_else(|| {
                    panic!(
                        "spin up gave no answer to {method} {path} within {:?}",
                        *invocation_timeout + Duration::from_secs(5)
                    )
                });
                Reply { status: status.as_u16(), headers, body, round_trips: Counted(None) }
            }
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.request("GET", path, &[], b"").await
    }

    /// `POST` with the admin bearer token.
    pub async fn post_admin(&self, path: &str) -> Reply {
        let auth = format!("Bearer {}", self.admin_token);
        self.request("POST", path, &[("authorization", &auth)], b"").await
    }

    /// Runs a worker's tick once: on the host its cron component, as its schedule would fire it;
    /// on Spin its HTTP twin (`POST /internal/workers/<name>`), beside the cron trigger, which
    /// keeps firing on schedule there.
    pub async fn tick(&self, component: &str) -> (Result<(), String>, Counted) {
        match &self.backend {
            Backend::Host(host) => {
                let invocation = host.fire_cron(component).await;
                (invocation.output, Counted(Some(invocation.round_trips)))
            }
            Backend::Spin { .. } => {
                let reply = self.post_admin(&format!("/internal/workers/{component}")).await;
                let result = match reply.status {
                    200 => Ok(()),
                    status => Err(format!("{status}: {}", String::from_utf8_lossy(&reply.body))),
                };
                (result, Counted(None))
            }
        }
    }

    pub async fn redis_get(&self, key: &str) -> Option<String> {
        redis::cmd("GET").arg(key).query_async(&mut self.redis.clone()).await.expect("redis GET")
    }

    pub async fn redis_ttl(&self, key: &str) -> i64 {
        redis::cmd("TTL").arg(key).query_async(&mut self.redis.clone()).await.expect("redis TTL")
    }

    pub async fn redis_set(&self, key: &str, value: &str) {
        redis::cmd("SET").arg(key).arg(value).query_async::<()>(&mut self.redis.clone()).await.expect("redis SET")
    }
}

/// Milliseconds since the Unix epoch, as the app's clock reads it.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() as i64
}
