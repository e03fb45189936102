use std::collections::HashMap;
use std::time::Duration;

use anyhow::Result;
use bytes::Bytes;
use mirror_test_host::{Host, HostConfig, RoundTrips};

use crate::services::{connect, repo_root, Services};

/// The app on the test host, with a database and a Redis database of its own.
pub struct TestApp {
    pub host: Host,
    /// Direct connection to the app's database, for arranging and asserting state.
    pub db: tokio_postgres::Client,
    /// Direct connection to the app's Redis database.
    pub redis: redis::aio::MultiplexedConnection,
    pub admin_token: String,
    pub variables: HashMap<String, String>,
}

/// A response with the round trips the invocation made.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
    pub round_trips: RoundTrips,
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

        let host = Host::load(HostConfig {
            manifest: repo_root().join("spin.toml"),
            variables: variables.clone(),
            env_variables: false,
            cache_dir: Some(repo_root().join("target/mirror-host-cache")),
            invocation_timeout,
        })
        .await?;
        let db = connect(&database_url).await?;
        let redis = redis::Client::open(redis_url)?.get_multiplexed_async_connection().await?;
        Ok(TestApp { host, db, redis, admin_token, variables })
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
        let invocation = self.host.handle(request).await;
        let (parts, body) = invocation.output.into_parts();
        Reply { status: parts.status.as_u16(), headers: parts.headers, body, round_trips: invocation.round_trips }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.request("GET", path, &[], b"").await
    }

    /// `POST` with the admin bearer token.
    pub async fn post_admin(&self, path: &str) -> Reply {
        let auth = format!("Bearer {}", self.admin_token);
        self.request("POST", path, &[("authorization", &auth)], b"").await
    }

    /// Fires a cron component once, as its schedule would.
    pub async fn tick(&self, component: &str) -> (Result<(), String>, RoundTrips) {
        let invocation = self.host.fire_cron(component).await;
        (invocation.output, invocation.round_trips)
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
