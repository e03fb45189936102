//! The fault proxy in front of a JSON-RPC node (anvil): faults for one method while the rest
//! pass, JSON-RPC errors per call of a batch, and calls counted by method.

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use mirror_fakes::{Anvil, Behaviour, FaultProxy};
use serde_json::{json, Value};

const NONCE_TOO_HIGH: Behaviour = Behaviour::RpcError { code: -32000, message: "nonce too high" };

/// Posts a JSON-RPC body; the HTTP status and the answer.
async fn post(url: &str, body: &Value) -> (u16, Value) {
    let request = Request::post(url).header("content-type", "application/json").body(Body::from(body.to_string()));
    let client = Client::builder(TokioExecutor::new()).build_http::<Body>();
    let response = client.request(request.unwrap()).await.expect("request");
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).expect("JSON answer"))
}

fn call(id: Value, method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })
}

/// Not a transaction: forwarded, anvil refuses it as undecodable, not with the injected error.
fn raw_send(id: Value) -> Value {
    call(id, "eth_sendRawTransaction", json!(["0x1234"]))
}

async fn anvil_behind_proxy() -> (Anvil, FaultProxy) {
    let anvil = Anvil::start(&[]).await;
    let proxy = FaultProxy::start(&anvil.url()).await;
    (anvil, proxy)
}

#[tokio::test]
async fn a_fault_set_for_one_method_leaves_the_others_forwarded() {
    let (_anvil, proxy) = anvil_behind_proxy().await;
    proxy.set_for("eth_sendRawTransaction", NONCE_TOO_HIGH);

    let (status, answer) = post(&proxy.url(), &raw_send(json!(42))).await;
    assert_eq!(status, 200);
    assert_eq!(answer, json!({ "jsonrpc": "2.0", "id": 42, "error": { "code": -32000, "message": "nonce too high" } }));
    let (_, answer) = post(&proxy.url(), &call(json!("b"), "eth_blockNumber", json!([]))).await;
    assert_eq!((&answer["id"], &answer["result"]), (&json!("b"), &json!("0x0")), "{answer}");

    proxy.clear_for("eth_sendRawTransaction");
    let (_, answer) = post(&proxy.url(), &raw_send(json!(43))).await;
    assert_eq!(answer["error"]["message"], "Failed to decode transaction", "forwarded to anvil: {answer}");
}

#[tokio::test]
async fn the_first_matching_filter_decides_and_the_rest_get_the_general_behaviour() {
    let (_anvil, proxy) = anvil_behind_proxy().await;
    proxy.set(Behaviour::Status(503));
    proxy.set_for("eth_sendRawTransaction", NONCE_TOO_HIGH);
    proxy.set_for("0x1234", Behaviour::RpcError { code: -32003, message: "nonce too low" });
    proxy.set_for("eth_chainId", Behaviour::Healthy);

    let (_, answer) = post(&proxy.url(), &raw_send(json!(1))).await;
    assert_eq!(answer["error"]["message"], "nonce too high");
    let (_, answer) = post(&proxy.url(), &call(json!(2), "eth_call", json!([{ "data": "0x1234" }, "latest"]))).await;
    assert_eq!(answer["error"]["message"], "nonce too low");
    let (_, answer) = post(&proxy.url(), &call(json!(3), "eth_chainId", json!([]))).await;
    assert_eq!(answer["result"], "0x89");
    let (status, _) = post(&proxy.url(), &call(json!(4), "eth_blockNumber", json!([]))).await;
    assert_eq!(status, 503);

    // Set again, a filter keeps its place ahead of the later ones.
    proxy.set_for("eth_sendRawTransaction", Behaviour::Healthy);
    let (_, answer) = post(&proxy.url(), &raw_send(json!(5))).await;
    assert_eq!(answer["error"]["message"], "Failed to decode transaction", "{answer}");
}

#[tokio::test]
async fn a_batch_is_answered_per_call_and_counted_per_call() {
    let (_anvil, proxy) = anvil_behind_proxy().await;
    let batch = json!([
        call(json!(7), "eth_blockNumber", json!([])),
        raw_send(json!("x")),
        call(json!(9), "eth_chainId", json!([]))
    ]);

    let (_, answer) = post(&proxy.url(), &batch).await;
    let answer = answer.as_array().expect("a batch answer").clone();
    assert_eq!(answer.len(), 3, "forwarded whole: {answer:?}");
    assert!(answer.iter().any(|a| a["id"] == 7 && a["result"] == "0x0"), "{answer:?}");
    assert!(answer.iter().any(|a| a["id"] == 9 && a["result"] == "0x89"), "{answer:?}");

    proxy.set_for("eth_sendRawTransaction", NONCE_TOO_HIGH);
    let (status, answer) = post(&proxy.url(), &batch).await;
    assert_eq!(status, 200);
    let ids: Vec<&Value> = answer.as_array().expect("a batch answer").iter().map(|a| &a["id"]).collect();
    assert_eq!(ids, [&json!(7), &json!("x"), &json!(9)]);
    assert!(answer
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["error"] == json!({ "code": -32000, "message": "nonce too high" })));

    post(&proxy.url(), &call(json!(10), "eth_blockNumber", json!([]))).await;
    assert_eq!(proxy.requests(), 3);
    assert_eq!(proxy.calls(), 7);
    assert_eq!(proxy.calls_of("eth_blockNumber"), 3);
    assert_eq!(proxy.calls_of("eth_sendRawTransaction"), 2);
    assert_eq!(proxy.calls_of("eth_chainId"), 2);
    assert_eq!(proxy.calls_of("eth_getBalance"), 0);
}
