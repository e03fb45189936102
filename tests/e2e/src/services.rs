use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::{Context, Result};

/// The Postgres server and Redis the suites run against.
pub struct Services {
    /// Superuser URL of the test Postgres server (any database).
    pub pg_url: String,
    /// Base URL of the test Redis (no database index).
    pub redis_url: String,
}

impl Services {
    pub fn from_env() -> Result<Self> {
        let read = |name: &str| {
            std::env::var(name).with_context(|| {
                format!(
                    "{name} is not set: run the suites with `make test` (it starts Postgres and Redis and exports it)"
                )
            })
        };
        Ok(Services { pg_url: read("MIRROR_TEST_PG_URL")?, redis_url: read("MIRROR_TEST_REDIS_URL")? })
    }

    /// `postgres://host:port` of the server, for `allowed_outbound_hosts`.
    pub fn pg_origin(&self) -> String {
        origin_of(&self.pg_url, "postgres")
    }

    pub fn redis_origin(&self) -> String {
        origin_of(&self.redis_url, "redis")
    }

    /// The same server URL pointing at another database.
    pub fn pg_url_for(&self, database: &str) -> String {
        let (base, query) = self.pg_url.split_once('?').unwrap_or((&self.pg_url, ""));
        let server = &base[..base.rfind('/').expect("database in MIRROR_TEST_PG_URL")];
        if query.is_empty() {
            format!("{server}/{database}")
        } else {
            format!("{server}/{database}?{query}")
        }
    }

    /// Creates an empty database with a name unique to this process and call.
    pub async fn fresh_database(&self) -> Result<String> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!("mirror_test_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
        let client = connect(&self.pg_url).await?;
        client.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).await?;
        client.batch_execute(&format!("CREATE DATABASE {name}")).await?;
        Ok(name)
    }

    /// A Redis database index no other running test holds, emptied: 2 to 1023 (0 is `make
    /// run`'s, 1 `make sandbox`'s).
    pub async fn fresh_redis_db(&self) -> Result<u32> {
        let client = redis::Client::open(format!("{}/0", self.redis_url))?;
        let mut conn = client.get_multiplexed_async_connection().await?;
        let n: u64 = redis::cmd("INCR").arg("mirror:test:next-db").query_async(&mut conn).await?;
        let index = 2 + (n % 1022) as u32;
        let mut db =
            redis::Client::open(format!("{}/{index}", self.redis_url))?.get_multiplexed_async_connection().await?;
        redis::cmd("FLUSHDB").query_async::<()>(&mut db).await?;
        Ok(index)
    }
}

pub async fn connect(url: &str) -> Result<tokio_postgres::Client> {
    let (client, connection) =
        tokio_postgres::connect(url, tokio_postgres::NoTls).await.context("connect to the test Postgres")?;
    tokio::spawn(connection);
    Ok(client)
}

fn origin_of(url: &str, scheme: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    format!("{scheme}://{host_port}")
}

/// The repository root (where `spin.toml` is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repo root")
}
