//! Shared by the integration tests: the services (from `MIRROR_TEST_PG_URL` and
//! `MIRROR_TEST_REDIS_URL`, which `make test` exports), the guest fixtures (built once per
//! test process with `cargo build --target wasm32-wasip2`), and small helpers.
#![allow(dead_code)] // each test binary uses its own subset

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use bytes::Bytes;
use mirror_test_host::{Host, HostConfig, Invocation};

fn service_url(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!(
            "{var} is not set: run the host's tests through `make test`, which starts Postgres and \
             Redis and exports MIRROR_TEST_PG_URL and MIRROR_TEST_REDIS_URL, or set them yourself \
             (e.g. postgres://postgres@127.0.0.1:54329/postgres?sslmode=disable, redis://127.0.0.1:63799)"
        )
    })
}

/// A superuser URL of the test Postgres.
pub fn pg_admin_url() -> String {
    service_url("MIRROR_TEST_PG_URL")
}

/// The test Redis.
pub fn redis_url() -> String {
    service_url("MIRROR_TEST_REDIS_URL")
}

/// `host:port` of a URL.
pub fn host_port(url: &str) -> String {
    let u = url::Url::parse(url).expect("service URL");
    format!("{}:{}", u.host_str().expect("host"), u.port().expect("explicit port"))
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Builds the guest components once per process.
pub fn build_fixtures() {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = fixtures_dir();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--locked", "--release", "--target", "wasm32-wasip2", "--manifest-path"])
            .arg(dir.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(dir.join("target"))
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .status()
            .expect("running cargo to build the guest fixtures");
        assert!(status.success(), "building the guest fixtures failed");
    });
}

/// Loads `fixtures/apps/<app>.toml` with the given variable overrides.
pub async fn load(app: &str, vars: &[(&str, String)]) -> Host {
    load_with(app, vars, |_| {}).await
}

/// Like [`load`], with a chance to adjust the configuration.
pub async fn load_with(app: &str, vars: &[(&str, String)], adjust: impl FnOnce(&mut HostConfig)) -> Host {
    build_fixtures();
    let mut cfg = HostConfig::new(fixtures_dir().join("apps").join(format!("{app}.toml")));
    cfg.variables = vars.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<HashMap<_, _>>();
    cfg.cache_dir = Some(fixtures_dir().join("target").join("mirror-host-cache"));
    cfg.invocation_timeout = Duration::from_secs(20);
    adjust(&mut cfg);
    Host::load(cfg).await.expect("loading the app")
}

/// A name unique to this process and call, for databases and Redis keys.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}_{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// A fresh database on the test Postgres: its URL (with `sslmode=disable`).
pub async fn fresh_database() -> String {
    let admin = pg_admin_url();
    let name = unique("mirror_host");
    let (client, conn) =
        tokio_postgres::connect(&admin, tokio_postgres::NoTls).await.expect("connecting to MIRROR_TEST_PG_URL");
    tokio::spawn(conn);
    client.batch_execute(&format!("CREATE DATABASE {name}")).await.expect("CREATE DATABASE");
    let mut url = url::Url::parse(&admin).expect("MIRROR_TEST_PG_URL");
    url.set_path(&format!("/{name}"));
    url.query_pairs_mut().clear().append_pair("sslmode", "disable");
    url.to_string()
}

/// The variables of `services.toml` for a fresh database and key prefix.
pub async fn services_vars() -> Vec<(&'static str, String)> {
    let pg = fresh_database().await;
    let redis = redis_url();
    vec![
        ("pg_host", host_port(&pg)),
        ("pg_url", pg),
        ("redis_host", host_port(&redis)),
        ("redis_url", redis),
        ("key_prefix", format!("{}:", unique("t"))),
    ]
}

pub fn get(uri: &str) -> http::Request<Bytes> {
    http::Request::get(uri).body(Bytes::new()).unwrap()
}

/// The JSON body of a successful invocation.
pub fn json(inv: &Invocation<http::Response<Bytes>>) -> serde_json::Value {
    assert_eq!(inv.output.status(), 200, "{}: {}", inv.component, String::from_utf8_lossy(inv.output.body()));
    serde_json::from_slice(inv.output.body()).expect("JSON body")
}

/// Percent-encodes a query parameter value.
pub fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A one-shot-per-connection HTTP server on 127.0.0.1 answering `200 ok` to everything;
/// returns its port. Stops when the test's runtime does.
pub async fn http_server() -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok").await;
            });
        }
    });
    port
}
