//! One HTTP invocation: the request a component receives (with Spin's `spin-*` headers), the
//! `wasi:http/incoming-handler` call, and the response it produces.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use anyhow::{Context, anyhow};
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Uri};
use http_body_util::{BodyExt, Full};
use tokio::sync::oneshot;
use wasmtime_wasi_http::WasiHttpView;
use wasmtime_wasi_http::p2::bindings::Proxy;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;

use crate::Host;
use crate::counters::Counters;
use crate::routing::RouteMatch;

/// Runs the component of `route` on `req` and collects its response.
pub(crate) async fn invoke(
    host: &Host,
    route: &RouteMatch,
    req: http::Request<Bytes>,
    counters: Arc<Counters>,
) -> anyhow::Result<http::Response<Bytes>> {
    let req = prepare(route, req)?;
    let (mut store, instance) = host.instantiate(route.component(), counters).await?;
    let proxy = Proxy::new(&mut store, &instance)
        .map_err(|e| anyhow::Error::from(e).context("the component does not export wasi:http/incoming-handler"))?;
    let (tx, rx) = oneshot::channel();
    let (request, response_out) = {
        let mut http = store.data_mut().http();
        let request = http.new_incoming_request(Scheme::Http, req).map_err(anyhow::Error::from)?;
        (request, http.new_response_outparam(tx).map_err(anyhow::Error::from)?)
    };
    let guest = AbortOnDrop(tokio::spawn(async move {
        proxy
            .wasi_http_incoming_handler()
            .call_handle(&mut store, request, response_out)
            .await
            .map_err(anyhow::Error::from)
    }));
    match rx.await {
        Ok(Ok(response)) => {
            let (parts, body) = response.into_parts();
            let body =
                body.collect().await.map_err(|e| anyhow!("the component's response body failed: {e:?}"))?.to_bytes();
            if let Err(e) = guest.finish().await {
                tracing::warn!("component error after its response was complete: {e:?}");
            }
            Ok(http::Response::from_parts(parts, body))
        }
        Ok(Err(code)) => Err(anyhow!("the component responded with error {code:?}")),
        Err(_) => {
            guest.finish().await.context("guest invocation failed")?;
            Err(anyhow!("guest failed to produce a response prior to returning"))
        }
    }
}

/// The request as Spin hands it to a component: absolute URI (scheme `http`), the original
/// headers followed by the `spin-*` ones.
fn prepare(route: &RouteMatch, req: http::Request<Bytes>) -> anyhow::Result<http::Request<Full<Bytes>>> {
    let (mut parts, body) = req.into_parts();
    let client = parts.extensions.get::<SocketAddr>().copied().unwrap_or(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
    let host_header = parts
        .headers
        .get(http::header::HOST)
        .map(|h| h.to_str().context("'Host' header is not valid UTF-8"))
        .transpose()?
        .map(str::to_owned);
    let authority = parts
        .uri
        .authority()
        .map(|a| a.to_string())
        .or_else(|| host_header.clone())
        .unwrap_or_else(|| "localhost".to_owned());
    let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    let url_host = host_header.unwrap_or_else(|| "localhost".to_owned());
    for (name, value) in route.spin_headers("http", &url_host, &path_and_query, client) {
        if let (Ok(n), Ok(v)) = (name.parse::<HeaderName>(), HeaderValue::from_str(&value)) {
            parts.headers.append(n, v);
        }
    }
    parts.uri = Uri::builder()
        .scheme("http")
        .authority(authority)
        .path_and_query(path_and_query)
        .build()
        .context("building the request URI")?;
    Ok(http::Request::from_parts(parts, Full::new(body)))
}

/// The guest's task: aborted (its store dropped) if the invocation is abandoned.
struct AbortOnDrop(tokio::task::JoinHandle<anyhow::Result<()>>);

impl AbortOnDrop {
    async fn finish(mut self) -> anyhow::Result<()> {
        (&mut self.0).await.context("guest invocation panicked")?
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
