//! The little Ethereum JSON-RPC the fakes need — `eth_call` for ERC-1271 checks, the calls that
//! arrange anvil, and reading and refusing calls on the way to a node — over plain HTTP, with no
//! provider library.

use alloy_primitives::{Address, Bytes, B256};
use alloy_sol_types::{sol, SolCall};
use axum::body::Body;
use axum::http::{header, Request};
use http_body_util::BodyExt;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};

sol! {
    function isValidSignature(bytes32 hash, bytes signature) returns (bytes4 magicValue);
    function owner() returns (address);
    function isOwner(address owner) returns (bool);
}

/// What an ERC-1271 contract answers for a valid signature.
const ERC1271_MAGIC: [u8; 4] = [0x16, 0x26, 0xba, 0x7e];

/// A node at one URL.
#[derive(Clone)]
pub(crate) struct JsonRpc {
    url: String,
    client: Client<HttpConnector, Body>,
}

impl JsonRpc {
    pub(crate) fn new(url: &str) -> JsonRpc {
        JsonRpc { url: url.to_owned(), client: Client::builder(TokioExecutor::new()).build_http() }
    }

    /// The call's `result`, or the node's `error` (or a transport failure) as text.
    pub(crate) async fn call(&self, method: &str, params: Value) -> Result<Value, String> {
        let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
        let request = Request::post(&self.url)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .map_err(|e| e.to_string())?;
        let response = self.client.request(request).await.map_err(|e| e.to_string())?;
        let bytes = response.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
        let mut answer: Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
        match answer.get_mut("error") {
            Some(error) => Err(error.take().to_string()),
            None => Ok(answer["result"].take()),
        }
    }

    /// Whether `account` owns the wallet contract `wallet`: a deposit wallet's `owner()`, or a
    /// Safe's `isOwner(account)`. Anything else (no code, a revert, no node) is no.
    pub(crate) async fn owns(&self, wallet: Address, account: Address) -> bool {
        let ask = |data: Vec<u8>| async move {
            let call = json!({ "to": wallet, "data": Bytes::from(data) });
            let result = self.call("eth_call", json!([call, "latest"])).await.ok()?;
            serde_json::from_value::<Bytes>(result).ok()
        };
        if let Some(returned) = ask(ownerCall {}.abi_encode()).await {
            if ownerCall::abi_decode_returns(&returned).is_ok_and(|owner| owner == account) {
                return true;
            }
        }
        match ask(isOwnerCall { owner: account }.abi_encode()).await {
            Some(returned) => isOwnerCall::abi_decode_returns(&returned).unwrap_or(false),
            None => false,
        }
    }

    /// Whether `contract` answers ERC-1271 `isValidSignature(hash, signature)` with the magic
    /// value; a revert, an account without code or an unreachable node all count as no.
    pub(crate) async fn is_valid_signature(&self, contract: Address, hash: B256, signature: &[u8]) -> bool {
        let data = isValidSignatureCall { hash, signature: Bytes::copy_from_slice(signature) }.abi_encode();
        let call = json!({ "to": contract, "data": Bytes::from(data) });
        let Ok(result) = self.call("eth_call", json!([call, "latest"])).await else {
            return false;
        };
        let Ok(returned) = serde_json::from_value::<Bytes>(result) else {
            return false;
        };
        isValidSignatureCall::abi_decode_returns(&returned).is_ok_and(|magic| magic.0 == ERC1271_MAGIC)
    }
}

/// The calls in a request body: the one call, or each member of a batch; none in a body that is
/// not JSON-RPC.
pub(crate) fn calls_in(request: &Value) -> &[Value] {
    match request {
        Value::Array(calls) => calls,
        call @ Value::Object(_) => std::slice::from_ref(call),
        _ => &[],
    }
}

/// A node's refusal of every call in `request`: an error object echoing the call's `id`, or for a
/// batch an array of them, one per call. A body that is not JSON-RPC gets one error with a null
/// `id`, as the protocol answers a request it cannot read.
pub(crate) fn error_reply(request: &Value, code: i64, message: &str) -> Value {
    let error = |call: &Value| {
        let id = call.get("id").cloned().unwrap_or(Value::Null);
        json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
    };
    match request {
        Value::Array(calls) => calls.iter().map(error).collect(),
        call => error(call),
    }
}
