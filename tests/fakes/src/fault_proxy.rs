//! A fault-injecting reverse proxy: put it between the app and a real service (the signer, a
//! node) and make that service fail on demand — 5xx, 429 with `Retry-After`, a hang, a garbage
//! answer, a JSON-RPC error, or down altogether — with no such switch in the service itself.
//! `Healthy` forwards every request and response untouched, bytes exact.
//!
//! In front of a JSON-RPC node a behaviour can be set for the requests that name one method
//! (`set_for("eth_sendRawTransaction", …)`) while the rest pass, and the calls are counted by
//! method, batch members one by one.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::header::{self, HeaderName};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Request, Response, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::Json;
use http_body_util::BodyExt;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

use crate::json_rpc::{calls_in, error_reply};
use crate::Behaviour;

/// Headers that describe one connection, not the message; never forwarded.
const HOP_BY_HOP: [HeaderName; 6] =
    [header::CONNECTION, header::HOST, header::TE, header::TRAILER, header::TRANSFER_ENCODING, header::UPGRADE];

struct Shared {
    upstream: Uri,
    behaviour: Mutex<Behaviour>,
    /// Behaviours for the requests whose body contains the text, tried in the order first set.
    filters: Mutex<Vec<(String, Behaviour)>>,
    requests: AtomicUsize,
    calls: Mutex<Calls>,
    client: Client<HttpConnector, Body>,
}

impl Shared {
    /// The first filter that matches the body, else the general behaviour.
    fn behaviour_for(&self, body: &[u8]) -> Behaviour {
        let body = String::from_utf8_lossy(body);
        let filters = self.filters.lock().unwrap();
        match filters.iter().find(|(needle, _)| body.contains(needle.as_str())) {
            Some((_, behaviour)) => *behaviour,
            None => *self.behaviour.lock().unwrap(),
        }
    }
}

/// The JSON-RPC calls received.
#[derive(Default)]
struct Calls {
    total: usize,
    by_method: HashMap<String, usize>,
}

/// The accept loop while the proxy is up; dropping `stop` ends it.
struct Listening {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Listening {
    fn spawn(listener: TcpListener, shared: Arc<Shared>) -> Listening {
        let (stop, stopped) = oneshot::channel();
        Listening { stop, task: tokio::spawn(accept(listener, shared, stopped)) }
    }
}

/// A running proxy on 127.0.0.1 in front of `upstream`; stopped when dropped.
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    listening: Mutex<Option<Listening>>,
}

impl FaultProxy {
    /// Proxies to `upstream_url`, an origin such as `http://127.0.0.1:3100`.
    pub async fn start(upstream_url: &str) -> FaultProxy {
        let shared = Arc::new(Shared {
            upstream: upstream_url.parse().expect("upstream origin"),
            behaviour: Mutex::new(Behaviour::Healthy),
            filters: Mutex::new(Vec::new()),
            requests: AtomicUsize::new(0),
            calls: Mutex::new(Calls::default()),
            client: {
                // Without TCP_NODELAY a chunked body's final chunk waits ~40 ms for the
                // upstream's delayed ACK: a stall the real network path does not have.
                let mut connector = HttpConnector::new();
                connector.set_nodelay(true);
                Client::builder(TokioExecutor::new()).build(connector)
            },
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind fault proxy");
        let addr = listener.local_addr().expect("fault proxy address");
        let listening = Listening::spawn(listener, shared.clone());
        FaultProxy { addr, shared, listening: Mutex::new(Some(listening)) }
    }

    /// `http://127.0.0.1:<port>`, to configure in place of the upstream's origin.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How the proxy answers from now on the requests no `set_for` filter matches.
    pub fn set(&self, behaviour: Behaviour) {
        *self.shared.behaviour.lock().unwrap() = behaviour;
    }

    /// How the proxy answers from now on the requests whose body contains `body_contains`, such
    /// as a method name. Filters are tried in the order first set and the first match decides;
    /// setting one again changes its behaviour in place.
    pub fn set_for(&self, body_contains: &str, behaviour: Behaviour) {
        let mut filters = self.shared.filters.lock().unwrap();
        match filters.iter_mut().find(|(needle, _)| needle == body_contains) {
            Some((_, current)) => *current = behaviour,
            None => filters.push((body_contains.to_owned(), behaviour)),
        }
    }

    /// Removes the `set_for` filter on `body_contains`; those requests get the general behaviour.
    pub fn clear_for(&self, body_contains: &str) {
        self.shared.filters.lock().unwrap().retain(|(needle, _)| needle != body_contains);
    }

    /// HTTP requests received (forwarded or not) since start.
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// JSON-RPC calls received (answered or not) since start, each member of a batch counted.
    pub fn calls(&self) -> usize {
        self.shared.calls.lock().unwrap().total
    }

    /// JSON-RPC calls of `method` received (answered or not) since start, each member of a batch
    /// counted.
    pub fn calls_of(&self, method: &str) -> usize {
        self.shared.calls.lock().unwrap().by_method.get(method).copied().unwrap_or(0)
    }

    /// Stops listening and closes every open connection; returns once both are done. New
    /// connections to `url()` are refused; a client that reuses a keep-alive connection it
    /// opened before sees that connection reset, as with a real server going down.
    pub async fn go_down(&self) {
        let listening = self.listening.lock().unwrap().take();
        if let Some(Listening { stop, task }) = listening {
            let _ = stop.send(());
            let _ = task.await;
        }
    }

    /// Listens again at the same `url()` after `go_down`.
    pub async fn come_back(&self) {
        self.go_down().await;
        let listener = TcpListener::bind(self.addr).await.expect("rebind fault proxy");
        *self.listening.lock().unwrap() = Some(Listening::spawn(listener, self.shared.clone()));
    }
}

/// Serves connections until told to stop, then closes the listener and every connection.
async fn accept(listener: TcpListener, shared: Arc<Shared>, mut stop: oneshot::Receiver<()>) {
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else { continue };
        let shared = shared.clone();
        connections.spawn(async move {
            let service = service_fn(move |request| answer(shared.clone(), request));
            // A client hanging up mid-request is not the proxy's concern.
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    connections.shutdown().await;
}

async fn answer(shared: Arc<Shared>, request: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    // Read whole to match filters and count calls; forwarded as these same bytes.
    let (parts, body) = request.into_parts();
    let Ok(body) = body.collect().await.map(|collected| collected.to_bytes()) else {
        return Ok((StatusCode::BAD_REQUEST, "request body unreadable").into_response());
    };
    let calls: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    count(&shared, &calls);
    Ok(match shared.behaviour_for(&body) {
        Behaviour::Healthy => forward(&shared, parts, body).await,
        Behaviour::Delay(delay) => {
            tokio::time::sleep(delay).await;
            forward(&shared, parts, body).await
        }
        Behaviour::Status(code) => {
            let status = StatusCode::from_u16(code).expect("status");
            let body =
                json!({ "error": { "code": "INJECTED_FAULT", "message": format!("fault proxy answered {code}") } });
            (status, Json(body)).into_response()
        }
        Behaviour::RateLimited { retry_after_secs } => {
            let body = json!({ "error": { "code": "BACKEND_RATE_LIMITED", "message": "rate limited (fault proxy)" } });
            (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, retry_after_secs.to_string())], Json(body))
                .into_response()
        }
        Behaviour::Garbage => (StatusCode::OK, "<html>maintenance</html>").into_response(),
        Behaviour::RpcError { code, message } => Json(error_reply(&calls, code, message)).into_response(),
    })
}

fn count(shared: &Shared, request: &Value) {
    let mut calls = shared.calls.lock().unwrap();
    for call in calls_in(request) {
        calls.total += 1;
        if let Some(method) = call.get("method").and_then(Value::as_str) {
            *calls.by_method.entry(method.to_owned()).or_default() += 1;
        }
    }
}

/// Sends the request on to the upstream as it came and returns the upstream's answer as it came;
/// an unreachable upstream is a 502, as from any reverse proxy.
async fn forward(shared: &Shared, mut parts: Parts, body: Bytes) -> Response<Body> {
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut uri = Uri::builder().path_and_query(path);
    if let (Some(scheme), Some(authority)) = (shared.upstream.scheme(), shared.upstream.authority()) {
        uri = uri.scheme(scheme.clone()).authority(authority.clone());
    }
    parts.uri = uri.build().expect("upstream uri");
    strip_hop_by_hop(&mut parts.headers);
    match shared.client.request(Request::from_parts(parts, Body::from(body))).await {
        Ok(response) => {
            let (mut parts, body) = response.into_parts();
            strip_hop_by_hop(&mut parts.headers);
            Response::from_parts(parts, Body::new(body))
        }
        Err(_) => (StatusCode::BAD_GATEWAY, "upstream unreachable").into_response(),
    }
}

fn strip_hop_by_hop(headers: &mut HeaderMap) {
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
    headers.remove("keep-alive");
}
