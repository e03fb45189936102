//! One probe per external service. A probe never fails: it reports what it saw.
//! Answered 2xx → healthy; answered otherwise, or too slow → degraded; unreachable → down.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::ServiceStatus;
use crate::ports::{Clock, Http, HttpError, HttpRequest, HttpResponse};

/// What one probe saw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProbeOutcome {
    pub status: ServiceStatus,
    pub latency_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub block_number: Option<u64>,
}

/// Dynamic's own health endpoint, `GET <dynamic_api_url>/api/v0/health`.
pub async fn dynamic(http: &impl Http, clock: &dyn Clock, base: &str, timeout: Duration) -> ProbeOutcome {
    probe(http, clock, HttpRequest::get(format!("{base}/api/v0/health")), timeout, |_| Ok(None)).await
}

/// The signer's own `GET <signer>/health`, for a signer running its `local` backend (development,
/// the sandbox): signing then depends on that process, not on Dynamic. Healthy only when the
/// signer says it runs the local backend, so a misconfiguration is not reported as healthy.
pub async fn local_signer(http: &impl Http, clock: &dyn Clock, base: &str, timeout: Duration) -> ProbeOutcome {
    probe(http, clock, HttpRequest::get(format!("{base}/health")), timeout, |response| {
        let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap_or_default();
        match body.get("backend").and_then(|b| b.as_str()) {
            Some("local") => Ok(None),
            Some(other) => Err(format!("the signer runs the {other} backend, not local")),
            None => Err("the signer's /health names no backend".to_string()),
        }
    })
    .await
}

/// The Polymarket CLOB's liveness endpoint, `GET <clob>/` (what the official clients call `get_ok`).
pub async fn polymarket(http: &impl Http, clock: &dyn Clock, base: &str, timeout: Duration) -> ProbeOutcome {
    probe(http, clock, HttpRequest::get(format!("{base}/")), timeout, |_| Ok(None)).await
}

/// The Polygon JSON-RPC endpoint, `eth_blockNumber`; healthy only with a well-formed block number.
pub async fn polygon_rpc(http: &impl Http, clock: &dyn Clock, url: &str, timeout: Duration) -> ProbeOutcome {
    let call = json!({ "jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": [] });
    probe(http, clock, HttpRequest::post_json(url, &call), timeout, parse_block_number).await
}

async fn probe(
    http: &impl Http,
    clock: &dyn Clock,
    request: HttpRequest,
    timeout: Duration,
    read: impl Fn(&HttpResponse) -> Result<Option<u64>, String>,
) -> ProbeOutcome {
    let started = clock.now_ms();
    let result = http.send(request, timeout).await;
    let latency_ms = (clock.now_ms() - started).max(0) as u64;
    let (status, detail, block_number) = match result {
        Ok(response) if (200..300).contains(&response.status) => match read(&response) {
            Ok(block) => (ServiceStatus::Healthy, None, block),
            Err(why) => (ServiceStatus::Degraded, Some(why), None),
        },
        Ok(response) => (ServiceStatus::Degraded, Some(format!("HTTP {}", response.status)), None),
        Err(HttpError::Timeout) => {
            (ServiceStatus::Degraded, Some(format!("timed out after {} ms", timeout.as_millis())), None)
        }
        Err(e) => (ServiceStatus::Down, Some(e.to_string()), None),
    };
    ProbeOutcome { status, latency_ms, detail, block_number }
}

fn parse_block_number(response: &HttpResponse) -> Result<Option<u64>, String> {
    let body: serde_json::Value =
        serde_json::from_slice(&response.body).map_err(|_| "RPC answered with invalid JSON".to_string())?;
    if let Some(error) = body.get("error") {
        let message = error.get("message").and_then(|m| m.as_str()).unwrap_or("unknown error");
        return Err(format!("RPC error: {message}"));
    }
    let hex = body
        .get("result")
        .and_then(|r| r.as_str())
        .and_then(|r| r.strip_prefix("0x"))
        .ok_or_else(|| "RPC result is not a hex quantity".to_string())?;
    u64::from_str_radix(hex, 16).map(Some).map_err(|_| "RPC result is not a hex quantity".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::future::Future;

    struct Scripted(Result<HttpResponse, HttpError>);

    impl Http for Scripted {
        fn send(&self, _: HttpRequest, _: Duration) -> impl Future<Output = Result<HttpResponse, HttpError>> {
            std::future::ready(self.0.clone())
        }
    }

    /// Each reading advances 7 ms, so every probe measures 7 ms.
    struct Ticking(Cell<i64>);

    impl Clock for Ticking {
        fn now_ms(&self) -> i64 {
            self.0.set(self.0.get() + 7);
            self.0.get()
        }
    }

    fn ok(status: u16, body: &str) -> Result<HttpResponse, HttpError> {
        Ok(HttpResponse { status, headers: vec![], body: body.as_bytes().to_vec() })
    }

    fn rpc(answer: Result<HttpResponse, HttpError>) -> ProbeOutcome {
        let clock = Ticking(Cell::new(0));
        futures::executor::block_on(polygon_rpc(&Scripted(answer), &clock, "http://rpc", Duration::from_secs(1)))
    }

    #[test]
    fn rpc_probe_reads_block_number() {
        let outcome = rpc(ok(200, r#"{"jsonrpc":"2.0","id":1,"result":"0x1b4"}"#));
        assert_eq!(
            outcome,
            ProbeOutcome { status: ServiceStatus::Healthy, latency_ms: 7, detail: None, block_number: Some(436) }
        );
    }

    #[test]
    fn rpc_probe_degrades_on_rpc_error_or_garbage() {
        let err = rpc(ok(200, r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"boom"}}"#));
        assert_eq!((err.status, err.detail.as_deref()), (ServiceStatus::Degraded, Some("RPC error: boom")));
        assert_eq!(rpc(ok(200, "<html>")).status, ServiceStatus::Degraded);
        assert_eq!(rpc(ok(200, r#"{"result":"12"}"#)).status, ServiceStatus::Degraded);
    }

    fn signer(answer: Result<HttpResponse, HttpError>) -> ProbeOutcome {
        let clock = Ticking(Cell::new(0));
        futures::executor::block_on(local_signer(&Scripted(answer), &clock, "http://signer", Duration::from_secs(1)))
    }

    #[test]
    fn local_signer_probe_is_healthy_only_for_a_signer_on_the_local_backend() {
        assert_eq!(signer(ok(200, r#"{"backend":"local","status":"ok"}"#)).status, ServiceStatus::Healthy);
        let dynamic = signer(ok(200, r#"{"backend":"dynamic","status":"ok"}"#));
        assert_eq!(
            (dynamic.status, dynamic.detail.as_deref()),
            (ServiceStatus::Degraded, Some("the signer runs the dynamic backend, not local"))
        );
        assert_eq!(signer(ok(200, "ok")).status, ServiceStatus::Degraded);
        assert_eq!(signer(Err(HttpError::Connection("refused".into()))).status, ServiceStatus::Down);
    }

    #[test]
    fn timeouts_degrade_and_unreachable_is_down() {
        assert_eq!(rpc(Err(HttpError::Timeout)).status, ServiceStatus::Degraded);
        assert_eq!(rpc(Err(HttpError::Connection("refused".into()))).status, ServiceStatus::Down);
        assert_eq!(rpc(Err(HttpError::Denied("not allowed".into()))).status, ServiceStatus::Down);
        assert_eq!(rpc(ok(503, "")).detail.as_deref(), Some("HTTP 503"));
    }
}
