//! The fakes crate's fault proxy in front of the real signer: every failure the app's tests need
//! (5xx, 429 with Retry-After, a hang past the client's timeout, garbage, down) on demand, and an
//! exact pass-through when healthy.

mod common;

use std::time::Duration;

use common::{into_answer, start_signer, Answer, TOKEN};
use mirror_fakes::{unreachable_url, Behaviour, FaultProxy};
use reqwest::StatusCode;
use serde_json::json;

async fn sign_through(http: &reqwest::Client, base: &str, body: &serde_json::Value) -> reqwest::Result<Answer> {
    let response = http.post(format!("{base}/v1/sign/message")).bearer_auth(TOKEN).json(body).send().await?;
    Ok(into_answer(response).await)
}

#[tokio::test]
async fn healthy_forwards_requests_and_answers_byte_for_byte() {
    let signer = start_signer().await;
    let proxy = FaultProxy::start(&signer.url).await;
    let wallet = signer.create_wallet("user-1").await;
    let body = wallet.request(json!({ "message": "0x68656c6c6f" }));

    let direct = sign_through(&signer.http, &signer.url, &body).await.unwrap();
    let proxied = sign_through(&signer.http, &proxy.url(), &body).await.unwrap();
    assert_eq!(proxied.status, StatusCode::OK);
    assert_eq!(proxied.text, direct.text, "deterministic signatures: the same bytes either way");
    assert_eq!(proxied.headers["content-type"], direct.headers["content-type"]);

    let refused = signer.http.post(format!("{}/v1/wallets", proxy.url())).json(&json!({})).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "the upstream's own errors pass through");
    assert_eq!(proxy.requests(), 2);
}

#[tokio::test]
async fn status_rate_limit_and_garbage_faults_answer_on_demand() {
    let signer = start_signer().await;
    let proxy = FaultProxy::start(&signer.url).await;
    let wallet = signer.create_wallet("user-1").await;
    let body = wallet.request(json!({ "message": "0x01" }));

    proxy.set(Behaviour::Status(503));
    let answer = sign_through(&signer.http, &proxy.url(), &body).await.unwrap();
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(answer.json()["error"]["code"].is_string());

    proxy.set(Behaviour::RateLimited { retry_after_secs: 7 });
    let answer = sign_through(&signer.http, &proxy.url(), &body).await.unwrap();
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.headers["retry-after"], "7");
    assert_eq!(answer.json()["error"]["code"], "BACKEND_RATE_LIMITED");

    proxy.set(Behaviour::Garbage);
    let answer = sign_through(&signer.http, &proxy.url(), &body).await.unwrap();
    assert_eq!(answer.status, StatusCode::OK);
    assert!(serde_json::from_str::<serde_json::Value>(&answer.text).is_err());
    assert_eq!(proxy.requests(), 3);
}

#[tokio::test]
async fn delay_outlasts_a_client_timeout_then_recovers() {
    let signer = start_signer().await;
    let proxy = FaultProxy::start(&signer.url).await;
    let wallet = signer.create_wallet("user-1").await;
    let body = wallet.request(json!({ "message": "0x01" }));
    let impatient = reqwest::Client::builder().timeout(Duration::from_millis(200)).build().unwrap();

    proxy.set(Behaviour::Delay(Duration::from_secs(2)));
    let err = sign_through(&impatient, &proxy.url(), &body).await.err().expect("timed out");
    assert!(err.is_timeout(), "{err}");

    proxy.set(Behaviour::Healthy);
    assert_eq!(sign_through(&impatient, &proxy.url(), &body).await.unwrap().status, StatusCode::OK);
}

#[tokio::test]
async fn down_refuses_connections_at_the_same_url_until_it_comes_back() {
    let signer = start_signer().await;
    let proxy = FaultProxy::start(&signer.url).await;
    let wallet = signer.create_wallet("user-1").await;
    let body = wallet.request(json!({ "message": "0x01" }));
    let http = reqwest::Client::new();
    assert_eq!(sign_through(&http, &proxy.url(), &body).await.unwrap().status, StatusCode::OK);

    proxy.go_down().await;
    let reused = sign_through(&http, &proxy.url(), &body).await;
    assert!(reused.is_err(), "a kept-alive connection does not outlive the proxy going down");
    let err = sign_through(&reqwest::Client::new(), &proxy.url(), &body).await.err().expect("down");
    assert!(err.is_connect(), "new connections are refused: {err}");

    proxy.come_back().await;
    assert_eq!(sign_through(&http, &proxy.url(), &body).await.unwrap().status, StatusCode::OK);
}

#[tokio::test]
async fn an_unreachable_upstream_is_a_502() {
    let proxy = FaultProxy::start(&unreachable_url().await).await;
    let answer = into_answer(reqwest::get(format!("{}/health", proxy.url())).await.unwrap()).await;
    assert_eq!(answer.status, StatusCode::BAD_GATEWAY);
}
