//! The endpoints the health-check worker probes: Dynamic's `GET /api/v0/health`, the CLOB's
//! `GET /`, and a Polygon JSON-RPC endpoint answering `eth_blockNumber`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::json_rpc::error_reply;
use crate::Behaviour;

/// Which real service a fake stands in for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Dynamic,
    PolymarketClob,
    PolygonRpc,
}

struct Shared {
    behaviour: Mutex<Behaviour>,
    requests: AtomicUsize,
    block_number: u64,
}

/// A running fake on 127.0.0.1; stopped when dropped.
pub struct FakeService {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl FakeService {
    pub async fn start(kind: Kind) -> FakeService {
        let shared = Arc::new(Shared {
            behaviour: Mutex::new(Behaviour::Healthy),
            requests: AtomicUsize::new(0),
            block_number: 0x4b1f2c,
        });
        let router = match kind {
            Kind::Dynamic => Router::new().route("/api/v0/health", get(dynamic_health)),
            Kind::PolymarketClob => Router::new().route("/", get(clob_ok)),
            Kind::PolygonRpc => Router::new().route("/", post(rpc)),
        }
        .with_state(shared.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind fake service");
        let addr = listener.local_addr().expect("fake service address");
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.expect("fake service");
        });
        FakeService { addr, shared, server }
    }

    /// `http://127.0.0.1:<port>` — an origin, as the app's `*_url` variables expect.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set(&self, behaviour: Behaviour) {
        *self.shared.behaviour.lock().unwrap() = behaviour;
    }

    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    pub fn block_number(&self) -> u64 {
        self.shared.block_number
    }
}

impl Drop for FakeService {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// An origin on which nothing listens: a service that is down.
pub async fn unreachable_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    drop(listener);
    format!("http://{addr}")
}

/// Applies the scripted behaviour to a request carrying `call` (`Null` for the services that do
/// not speak JSON-RPC); `None` means answer as the healthy service would.
async fn misbehave(shared: &Shared, call: &Value) -> Option<Response> {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let behaviour = *shared.behaviour.lock().unwrap();
    match behaviour {
        Behaviour::Healthy => None,
        Behaviour::Status(code) => Some(
            (StatusCode::from_u16(code).expect("status"), Json(json!({ "error": "scripted failure" }))).into_response(),
        ),
        Behaviour::RateLimited { retry_after_secs } => Some(
            (StatusCode::TOO_MANY_REQUESTS, [("retry-after", retry_after_secs.to_string())], "Too Many Requests")
                .into_response(),
        ),
        Behaviour::Delay(d) => {
            tokio::time::sleep(d).await;
            None
        }
        Behaviour::Garbage => Some((StatusCode::OK, "<html>maintenance</html>").into_response()),
        Behaviour::RpcError { code, message } => Some(Json(error_reply(call, code, message)).into_response()),
    }
}

async fn dynamic_health(State(shared): State<Arc<Shared>>) -> Response {
    match misbehave(&shared, &Value::Null).await {
        Some(r) => r,
        None => Json(json!({ "status": "ok" })).into_response(),
    }
}

async fn clob_ok(State(shared): State<Arc<Shared>>) -> Response {
    match misbehave(&shared, &Value::Null).await {
        Some(r) => r,
        None => "OK".into_response(),
    }
}

async fn rpc(State(shared): State<Arc<Shared>>, Json(call): Json<Value>) -> Response {
    if let Some(r) = misbehave(&shared, &call).await {
        return r;
    }
    let id = call.get("id").cloned().unwrap_or(Value::Null);
    match call.get("method").and_then(Value::as_str) {
        Some("eth_blockNumber") => {
            Json(json!({ "jsonrpc": "2.0", "id": id, "result": format!("{:#x}", shared.block_number) })).into_response()
        }
        _ => Json(json!({ "jsonrpc": "2.0", "id": id, "error": { "code": -32601, "message": "method not found" } }))
            .into_response(),
    }
}
