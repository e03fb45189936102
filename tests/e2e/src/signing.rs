//! The signing stack for suites that sign: the real signer (local backend) in-process, a fault
//! proxy in front of it, and end users with JWTs and embedded wallets of their own.

use std::sync::atomic::{AtomicU64, Ordering};

use alloy_primitives::{eip191_hash_message, Address};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use k256::ecdsa::SigningKey;
use mirror_fakes::FaultProxy;
use mirror_signer::SignerConfig;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::services::repo_root;

pub const JWT_ISSUER: &str = "app.dynamicauth.com/test-env";
pub const JWT_AUDIENCE: &str = "https://mirror.test";

/// The signer behind a fault proxy; the app is pointed at the proxy.
pub struct SignerStack {
    pub proxy: FaultProxy,
    pub token: String,
    pub local_key_hex: String,
    server: JoinHandle<()>,
}

impl SignerStack {
    pub async fn start() -> SignerStack {
        let token = format!("signer-token-{}", random_hex(16));
        let local_key_hex = random_hex(32);
        let (t, k) = (token.clone(), local_key_hex.clone());
        let config = SignerConfig::from_lookup(move |name| match name {
            "SIGNER_AUTH_TOKEN" => Some(t.clone()),
            "SIGNER_BACKEND" => Some("local".into()),
            "SIGNER_LOCAL_KEY" => Some(k.clone()),
            _ => None,
        })
        .expect("signer config");
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let upstream = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move { mirror_signer::serve(config, listener).await.expect("signer") });
        let proxy = FaultProxy::start(&upstream).await;
        SignerStack { proxy, token, local_key_hex, server }
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
        self.server.abort();
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
    encode(&Header::new(Algorithm::RS256), claims, &EncodingKey::from_rsa_pem(jwt_fixture(key_file).as_bytes()).unwrap())
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
    let seed = format!("{:?}-{}-{}", std::time::SystemTime::now(), std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
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
