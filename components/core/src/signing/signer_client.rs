//! The app's side of the signer's HTTP contract (`signer/README.md`): one signing operation is
//! one HTTP call. The signer is stateless; the wallet's properties travel with each call.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::ports::{Http, HttpError, HttpRequest, HttpResponse};

/// Where the signer is and how to authenticate to it.
pub struct SignerEndpoint {
    pub base_url: String,
    pub token: String,
    pub timeout: Duration,
}

/// A server wallet as the signer needs it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WalletRef {
    pub wallet_id: String,
    pub address: String,
    pub wallet_properties: Value,
}

/// What to sign.
#[derive(Clone, Debug, PartialEq)]
pub enum SignPayload {
    /// EIP-191 personal message over these bytes.
    Message(Vec<u8>),
    /// EIP-712 typed data, as standard JSON (types, primaryType, domain, message).
    TypedData(Value),
    /// EIP-1559 transaction fields.
    Transaction(Value),
}

impl SignPayload {
    pub fn kind(&self) -> &'static str {
        match self {
            SignPayload::Message(_) => "MESSAGE",
            SignPayload::TypedData(_) => "TYPED_DATA",
            SignPayload::Transaction(_) => "TRANSACTION",
        }
    }

    fn path_and_field(&self) -> (&'static str, &'static str, Value) {
        match self {
            SignPayload::Message(bytes) => ("/v1/sign/message", "message", json!(hex_0x(bytes))),
            SignPayload::TypedData(v) => ("/v1/sign/typed-data", "typedData", v.clone()),
            SignPayload::Transaction(v) => ("/v1/sign/transaction", "transaction", v.clone()),
        }
    }
}

/// The signer's answer to a sign call: `signature`, plus `rawTransaction`/`hash` for transactions
/// and `digest` for typed data.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Signed {
    pub signature: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_transaction: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// Why the signer did not sign. `retriable` failures are worth another attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignerError {
    RateLimited { retry_after_ms: Option<i64> },
    Unavailable(String),
    Rejected { code: String, message: String },
}

impl SignerError {
    pub fn retriable(&self) -> bool {
        !matches!(self, SignerError::Rejected { .. })
    }
}

pub async fn create_wallet(
    http: &impl Http,
    endpoint: &SignerEndpoint,
    user_id: &str,
) -> Result<WalletRef, SignerError> {
    let response = call(http, endpoint, "/v1/wallets", json!({ "userId": user_id })).await?;
    serde_json::from_slice(&response.body)
        .map_err(|_| SignerError::Unavailable("signer sent an unreadable wallet".into()))
}

pub async fn sign(
    http: &impl Http,
    endpoint: &SignerEndpoint,
    wallet: &WalletRef,
    payload: &SignPayload,
) -> Result<Signed, SignerError> {
    let (path, field, value) = payload.path_and_field();
    let mut body = serde_json::to_value(wallet).expect("wallet serializes");
    body[field] = value;
    let response = call(http, endpoint, path, body).await?;
    serde_json::from_slice(&response.body)
        .map_err(|_| SignerError::Unavailable("signer sent an unreadable signature".into()))
}

async fn call(
    http: &impl Http,
    endpoint: &SignerEndpoint,
    path: &str,
    body: Value,
) -> Result<HttpResponse, SignerError> {
    let mut request = HttpRequest::post_json(format!("{}{path}", endpoint.base_url), &body);
    request.headers.push(("authorization".into(), format!("Bearer {}", endpoint.token)));
    let response = http.send(request, endpoint.timeout).await.map_err(|e| match e {
        HttpError::Timeout => SignerError::Unavailable("signer timed out".into()),
        other => SignerError::Unavailable(other.to_string()),
    })?;
    match response.status {
        200..=299 => Ok(response),
        429 => Err(SignerError::RateLimited { retry_after_ms: retry_after_ms(&response) }),
        500..=599 => Err(SignerError::Unavailable(format!("signer answered HTTP {}", response.status))),
        status => {
            let error: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
            let text = |k: &str| error["error"][k].as_str().map(String::from);
            Err(SignerError::Rejected {
                code: text("code").unwrap_or_else(|| format!("HTTP_{status}")),
                message: text("message").unwrap_or_else(|| format!("signer answered HTTP {status}")),
            })
        }
    }
}

/// `Retry-After` in seconds (the only form Dynamic and the signer send).
fn retry_after_ms(response: &HttpResponse) -> Option<i64> {
    response
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("retry-after"))
        .and_then(|(_, v)| v.trim().parse::<i64>().ok())
        .map(|secs| secs.max(0) * 1000)
}

fn hex_0x(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 + bytes.len() * 2);
    s.push_str("0x");
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}
