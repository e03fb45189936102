//! JSON-RPC over the `Http` port: single calls and batches (one HTTP round trip for many reads).

use std::cell::Cell;
use std::fmt;
use std::time::Duration;

use serde_json::{json, Value};

use crate::ports::{Http, HttpError, HttpRequest};

/// Why a call has no result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RpcError {
    /// No answer: timeout, refused or broken connection.
    Transport(HttpError),
    /// An HTTP status other than 200.
    Status(u16),
    /// A 200 whose body is not the JSON-RPC answer asked for.
    Garbage(String),
    /// The node's own error object.
    Node { code: i64, message: String, data: Option<String> },
}

impl fmt::Display for RpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RpcError::Transport(e) => write!(f, "RPC unreachable: {e}"),
            RpcError::Status(s) => write!(f, "RPC answered HTTP {s}"),
            RpcError::Garbage(m) => write!(f, "RPC answer unreadable: {m}"),
            RpcError::Node { code, message, .. } => write!(f, "RPC error {code}: {message}"),
        }
    }
}

impl RpcError {
    /// The node or the way to it is unavailable, not refusing this request: retried later.
    /// OpenZeppelin Relayer's rule: timeouts, 429, 408, 425 and 5xx except 501/505, and
    /// JSON-RPC −32005 (limit exceeded).
    pub fn is_transient(&self) -> bool {
        match self {
            RpcError::Transport(_) | RpcError::Garbage(_) => true,
            RpcError::Status(s) => matches!(s, 408 | 425 | 429) || (*s >= 500 && !matches!(s, 501 | 505)),
            RpcError::Node { code, .. } => *code == -32005,
        }
    }

    /// The revert data a node attached to an `eth_call` / `eth_estimateGas` error, if any.
    pub fn revert_data(&self) -> Option<Vec<u8>> {
        match self {
            RpcError::Node { data: Some(data), .. } => {
                alloy_primitives::hex::decode(data.strip_prefix("0x").unwrap_or(data)).ok()
            }
            _ => None,
        }
    }
}

/// A node at one URL, counting the calls and the HTTP requests made.
pub struct Rpc<'a, H: Http> {
    http: &'a H,
    url: String,
    timeout: Duration,
    calls: Cell<u32>,
    requests: Cell<u32>,
}

impl<'a, H: Http> Rpc<'a, H> {
    pub fn new(http: &'a H, url: &str, timeout: Duration) -> Self {
        Rpc { http, url: url.to_string(), timeout, calls: Cell::new(0), requests: Cell::new(0) }
    }

    /// JSON-RPC calls made (a batch counts each call in it).
    pub fn calls(&self) -> u32 {
        self.calls.get()
    }

    /// HTTP requests made.
    pub fn requests(&self) -> u32 {
        self.requests.get()
    }

    pub async fn call(&self, method: &str, params: Value) -> Result<Value, RpcError> {
        let request = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
        let answer = self.post(&request, 1).await?;
        one_result(answer)
    }

    /// Calls in one HTTP request; each has its own result. A failure of the request itself
    /// fails every call.
    pub async fn batch(&self, calls: &[(&str, Value)]) -> Result<Vec<Result<Value, RpcError>>, RpcError> {
        if calls.is_empty() {
            return Ok(Vec::new());
        }
        let request: Vec<Value> = calls
            .iter()
            .enumerate()
            .map(|(id, (method, params))| json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
            .collect();
        let answer = self.post(&Value::Array(request), calls.len() as u32).await?;
        let Value::Array(answers) = answer else {
            return Err(RpcError::Garbage("a batch was not answered with an array".into()));
        };
        let mut results: Vec<Option<Result<Value, RpcError>>> = vec![None; calls.len()];
        for answer in answers {
            let id = answer.get("id").and_then(Value::as_u64).map(|id| id as usize);
            if let Some(slot) = id.and_then(|id| results.get_mut(id)) {
                *slot = Some(one_result(answer));
            }
        }
        Ok(results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(RpcError::Garbage("a call of the batch was not answered".into()))))
            .collect())
    }

    async fn post(&self, body: &Value, calls: u32) -> Result<Value, RpcError> {
        self.calls.set(self.calls.get() + calls);
        self.requests.set(self.requests.get() + 1);
        let response =
            self.http.send(HttpRequest::post_json(&self.url, body), self.timeout).await.map_err(RpcError::Transport)?;
        if response.status != 200 {
            return Err(RpcError::Status(response.status));
        }
        serde_json::from_slice(&response.body).map_err(|_| RpcError::Garbage("not JSON".into()))
    }
}

fn one_result(mut answer: Value) -> Result<Value, RpcError> {
    if let Some(error) = answer.get("error").filter(|e| !e.is_null()) {
        let code = error.get("code").and_then(Value::as_i64).unwrap_or(0);
        let message = error.get("message").and_then(Value::as_str).unwrap_or("").chars().take(300).collect();
        let data = match error.get("data") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Object(o)) => o.get("data").and_then(Value::as_str).map(str::to_string),
            _ => None,
        };
        return Err(RpcError::Node { code, message, data });
    }
    match answer.get_mut("result") {
        Some(result) => Ok(result.take()),
        None => Err(RpcError::Garbage("an answer with neither result nor error".into())),
    }
}

/// A hex quantity (`"0x1a"`) as an integer.
pub fn quantity(value: &Value) -> Result<u128, RpcError> {
    value
        .as_str()
        .and_then(|s| s.strip_prefix("0x"))
        .filter(|h| !h.is_empty() && h.len() <= 32)
        .and_then(|h| u128::from_str_radix(h, 16).ok())
        .ok_or_else(|| RpcError::Garbage(format!("not a quantity: {}", short(value))))
}

/// A hex quantity that may exceed 128 bits (a balance).
pub fn big_quantity(value: &Value) -> Result<alloy_primitives::U256, RpcError> {
    value
        .as_str()
        .and_then(|s| s.strip_prefix("0x"))
        .filter(|h| !h.is_empty() && h.len() <= 64)
        .and_then(|h| alloy_primitives::U256::from_str_radix(h, 16).ok())
        .ok_or_else(|| RpcError::Garbage(format!("not a quantity: {}", short(value))))
}

/// At most 40 characters of an answer, for an error.
pub(super) fn short(value: &Value) -> String {
    value.to_string().chars().take(40).collect()
}
