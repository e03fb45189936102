//! core's `Http` port on wasi-http (`spin_sdk::http::send`), with a deadline raced against it.

use std::time::Duration;

use futures::future::{select, Either};
use mirror_core::ports::{Http, HttpError, HttpRequest, HttpResponse};
use spin_sdk::http::{send, ErrorCode, Method, Request, Response, SendError};

use crate::timer::sleep;

pub struct SpinHttp;

impl Http for SpinHttp {
    async fn send(&self, request: HttpRequest, timeout: Duration) -> Result<HttpResponse, HttpError> {
        let mut builder = Request::builder();
        builder.method(method(&request.method)).uri(request.url);
        for (name, value) in request.headers {
            builder.header(name, value);
        }
        // A declared length: wasi-http otherwise streams the body chunked.
        if !request.body.is_empty() {
            builder.header("content-length", request.body.len().to_string());
        }
        let outgoing = builder.body(request.body).build();
        let response = std::pin::pin!(send::<_, Response>(outgoing));
        match select(response, std::pin::pin!(sleep(timeout))).await {
            Either::Left((Ok(response), _)) => Ok(HttpResponse {
                status: *response.status(),
                headers: response
                    .headers()
                    .map(|(n, v)| (n.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                    .collect(),
                body: response.into_body(),
            }),
            Either::Left((Err(e), _)) => Err(from_send_error(e)),
            Either::Right(_) => Err(HttpError::Timeout),
        }
    }
}

fn method(name: &str) -> Method {
    match name {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "PATCH" => Method::Patch,
        "DELETE" => Method::Delete,
        "HEAD" => Method::Head,
        "OPTIONS" => Method::Options,
        other => Method::Other(other.to_string()),
    }
}

fn from_send_error(error: SendError) -> HttpError {
    match error {
        SendError::Http(ErrorCode::HttpRequestDenied) => {
            HttpError::Denied("host is not in allowed_outbound_hosts".into())
        }
        SendError::Http(
            ErrorCode::ConnectionTimeout | ErrorCode::ConnectionReadTimeout | ErrorCode::HttpResponseTimeout,
        ) => HttpError::Timeout,
        // The variant's name only (`DnsError`, `ConnectionRefused`): its payload is the host's
        // internals, logged here and never put where a caller could read it.
        SendError::Http(code) => {
            let full = format!("{code:?}");
            eprintln!("outbound request failed: {full}");
            HttpError::Connection(full.split('(').next().unwrap_or("connection error").to_string())
        }
        other => {
            eprintln!("outbound request failed: {other}");
            HttpError::Connection("the request could not be sent".into())
        }
    }
}
