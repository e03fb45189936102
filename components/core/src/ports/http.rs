use std::fmt;
use std::future::Future;
use std::time::Duration;

/// An outbound HTTP request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    pub fn get(url: impl Into<String>) -> Self {
        HttpRequest { method: "GET".into(), url: url.into(), headers: Vec::new(), body: Vec::new() }
    }

    pub fn post_json(url: impl Into<String>, body: &serde_json::Value) -> Self {
        HttpRequest {
            method: "POST".into(),
            url: url.into(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }
}

/// The response to an outbound request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Why an outbound request produced no response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpError {
    /// The host is not in the component's `allowed_outbound_hosts`.
    Denied(String),
    /// No complete response within the timeout.
    Timeout,
    /// The connection could not be made or broke.
    Connection(String),
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Denied(m) => write!(f, "outbound request denied: {m}"),
            HttpError::Timeout => write!(f, "timed out"),
            HttpError::Connection(m) => write!(f, "connection failed: {m}"),
        }
    }
}

/// Outbound HTTP. Each call is one round trip.
pub trait Http {
    fn send(&self, request: HttpRequest, timeout: Duration) -> impl Future<Output = Result<HttpResponse, HttpError>>;
}
