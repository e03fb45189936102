//! The signing stack for suites that sign: the real signer (local backend) in-process, a fault
//! proxy in front of it, and end users with JWTs and embedded wallets of their own.

use std::sync::atomic::{AtomicU64, Ordering};

use alloy_primitives::{eip191_hash_message, Address};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use k256::ecdsa::SigningKey;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use mirror_fakes::FaultProxy;
use serde_json::{json, Value};

use crate::services::repo_root;

pub const JWT_ISSUER: &str = "app.dynamicauth.com/test-env";
pub const JWT_AUDIENCE: &str = "https://mirror.test";

/// The real signer binary (local backend) behind a fault proxy; the app is pointed at the proxy.
pub struct SignerStack {
    pub proxy: FaultProxy,
    pub token: String,
    pub local_key_hex: String,
    process: Child,
}

/// The signer binary: `MIRROR_SIGNER_BIN`, else the release build `make test` makes. The signer
/// is its own Cargo workspace (its alloy 0.8 cannot share a lock file with the app's alloy 1.x),
/// so it runs as a process here, as in production.
fn signer_binary() -> std::path::PathBuf {
    std::env::var_os("MIRROR_SIGNER_BIN")
        .map(Into::into)
        .unwrap_or_else(|| repo_root().join("signer/target/release/mirror-signer"))
}

impl SignerStack {
    pub async fn start() -> SignerStack {
        let token = format!("signer-token-{}", random_hex(16));
        let local_key_hex = random_hex(32);
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let binary = signer_binary();
        let process = Command::new(&binary)
            .env_clear()
            .env("SIGNER_LISTEN", format!("127.0.0.1:{port}"))
            .env("SIGNER_AUTH_TOKEN", &token)
            .env("SIGNER_BACKEND", "local")
            .env("SIGNER_LOCAL_KEY", &local_key_hex)
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {} ({e}): run `make test`, which builds it", binary.display()));
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let proxy = FaultProxy::start(&format!("http://127.0.0.1:{port}")).await;
        SignerStack { proxy, token, local_key_hex, process }
    }

    /// The app's variables for this signer and for end-user JWTs.
    pub fn variables(&self) -> Vec<(String, String)> {
        vec![
            ("dynamic_signer_url".into(), self.proxy.url()),
            ("signer_auth_token".into(), self.token.clone()),
            ("dynamic_jwt_public_key".into(), jwt_fixture("test-only-public.pem")),
            ("dynamic_jwt_issuer".into(), JWT_ISSUER.into()),
            ("dynamic_jwt_audience".into(), JWT_AUDIENCE.into()),
        ]
    }
}

impl Drop for SignerStack {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// An end user: a Dynamic identity and an embedded wallet key.
pub struct TestUser {
    pub sub: String,
    pub key: SigningKey,
}

impl TestUser {
    pub fn new() -> TestUser {
        let secret: [u8; 32] = hex32(&random_hex(32));
        TestUser { sub: format!("dyn-{}", random_hex(6)), key: SigningKey::from_bytes(&secret.into()).unwrap() }
    }

    pub fn embedded_address(&self) -> Address {
        Address::from_private_key(&self.key)
    }

    pub fn claims(&self) -> Value {
        let now = unix_now();
        json!({
            "sub": self.sub, "email": format!("{}@example.com", self.sub),
            "iss": JWT_ISSUER, "aud": JWT_AUDIENCE, "exp": now + 600, "nbf": now - 10,
            "verified_credentials": [
                { "format": "blockchain", "address": self.embedded_address().to_checksum(None), "chain": "eip155" }
            ]
        })
    }

    pub fn token(&self) -> String {
        sign_jwt("test-only-private.pem", &self.claims())
    }

    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.token())
    }

    /// EIP-191 signature by the embedded wallet, as `0x` r‖s‖v.
    pub fn sign_personal(&self, message: &[u8]) -> String {
        let (signature, recovery) = self.key.sign_prehash_recoverable(eip191_hash_message(message).as_slice()).unwrap();
        let mut bytes = signature.to_bytes().to_vec();
        bytes.push(27 + recovery.to_byte());
        format!("0x{}", alloy_primitives::hex::encode(bytes))
    }
}

impl Default for TestUser {
    fn default() -> Self {
        TestUser::new()
    }
}

pub fn sign_jwt(key_file: &str, claims: &Value) -> String {
    encode(
        &Header::new(Algorithm::RS256),
        claims,
        &EncodingKey::from_rsa_pem(jwt_fixture(key_file).as_bytes()).unwrap(),
    )
    .unwrap()
}

pub fn jwt_fixture(name: &str) -> String {
    std::fs::read_to_string(repo_root().join("tests/fixtures/jwt").join(name)).unwrap()
}

pub fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// Hex of `len` bytes unique to this process and call (not secret-grade; test identities).
pub fn random_hex(len: usize) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed =
        format!("{:?}-{}-{}", std::time::SystemTime::now(), std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
    let mut out = String::new();
    let mut block = alloy_primitives::keccak256(seed.as_bytes());
    while out.len() < len * 2 {
        out.push_str(&alloy_primitives::hex::encode(block));
        block = alloy_primitives::keccak256(block);
    }
    out.truncate(len * 2);
    out
}

fn hex32(hex: &str) -> [u8; 32] {
    alloy_primitives::hex::decode(hex).unwrap().try_into().unwrap()
}
