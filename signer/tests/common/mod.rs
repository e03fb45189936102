//! Starts the real signer in-process (local backend, 127.0.0.1:0) and talks to it over HTTP.
// Every test binary compiles this module and uses a different part of it.
#![allow(dead_code)]

use mirror_signer::SignerConfig;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub const TOKEN: &str = "test-bearer-token-6f1d2c3b4a5e6f708192a3b4";
pub const LOCAL_KEY: &str = "5d3c1e9b7a2f4e6d8c0b1a2f3e4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1e2d";

/// A signer serving on a loopback port; stopped when dropped.
pub struct Signer {
    pub url: String,
    pub http: reqwest::Client,
    server: JoinHandle<()>,
}

impl Drop for Signer {
    fn drop(&mut self) {
        self.server.abort();
    }
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|_| panic!("not JSON: {}", self.text))
    }

    /// Asserts the error shape and returns `(code, message)`.
    pub fn error(&self) -> (String, String) {
        let body = self.json();
        let code = body["error"]["code"].as_str().unwrap_or_else(|| panic!("no error code: {body}"));
        let message = body["error"]["message"].as_str().expect("error message");
        (code.to_string(), message.to_string())
    }
}

pub struct Wallet {
    pub id: String,
    pub address: String,
    pub properties: Value,
}

impl Wallet {
    /// The fields that name this wallet in a sign request.
    pub fn request(&self, extra: Value) -> Value {
        let mut body = json!({ "walletId": self.id, "address": self.address, "walletProperties": self.properties });
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    }
}

pub async fn start_signer() -> Signer {
    let env = |name: &str| match name {
        "SIGNER_AUTH_TOKEN" => Some(TOKEN.to_string()),
        "SIGNER_BACKEND" => Some("local".to_string()),
        "SIGNER_LOCAL_KEY" => Some(LOCAL_KEY.to_string()),
        _ => None,
    };
    let config = SignerConfig::from_lookup(env).expect("test config");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind signer");
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { mirror_signer::serve(config, listener).await.expect("signer") });
    Signer { url, http: reqwest::Client::new(), server }
}

impl Signer {
    /// POSTs raw bytes with `token` (none when `None`).
    pub async fn post_raw(&self, path: &str, token: Option<&str>, body: impl Into<reqwest::Body>) -> Answer {
        let mut request =
            self.http.post(format!("{}{path}", self.url)).body(body).header("content-type", "application/json");
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        into_answer(request.send().await.expect("request")).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        self.post_raw(path, Some(TOKEN), body.to_string()).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        into_answer(self.http.get(format!("{}{path}", self.url)).send().await.expect("request")).await
    }

    pub async fn create_wallet(&self, user_id: &str) -> Wallet {
        let answer = self.post("/v1/wallets", &json!({ "userId": user_id })).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
        let body = answer.json();
        Wallet {
            id: body["walletId"].as_str().unwrap().to_string(),
            address: body["address"].as_str().unwrap().to_string(),
            properties: body["walletProperties"].clone(),
        }
    }
}

pub async fn into_answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    Answer { status, headers, text }
}

/// A 0x-prefixed hex string of `bytes`.
pub fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

pub fn clob_auth(address: &str, chain_id: Value, nonce: Value) -> Value {
    json!({
        "types": {
            "EIP712Domain": [
                { "name": "name", "type": "string" },
                { "name": "version", "type": "string" },
                { "name": "chainId", "type": "uint256" }
            ],
            "ClobAuth": [
                { "name": "address", "type": "address" },
                { "name": "timestamp", "type": "string" },
                { "name": "nonce", "type": "uint256" },
                { "name": "message", "type": "string" }
            ]
        },
        "primaryType": "ClobAuth",
        "domain": { "name": "ClobAuthDomain", "version": "1", "chainId": chain_id },
        "message": {
            "address": address,
            "timestamp": "1700000000",
            "nonce": nonce,
            "message": "This message attests that I control the given wallet"
        }
    })
}

pub fn transfer_transaction() -> Value {
    json!({
        "chainId": 137,
        "nonce": 7,
        "to": "0xC011a7E12a19f7B1f670d46F03B03f3342E82DFB",
        "value": "0",
        "data": "0xa9059cbb000000000000000000000000111111111111111111111111111111111111111100000000000000000000000000000000000000000000000000000000000f4240",
        "gasLimit": "100000",
        "maxFeePerGas": "0xba43b7400",
        "maxPriorityFeePerGas": 30000000000u64
    })
}
