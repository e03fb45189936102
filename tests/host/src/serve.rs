//! `mirror-host up`: an HTTP/1 server in front of [`Host::handle`] plus the cron scheduler,
//! until ctrl-c.

use std::convert::Infallible;
use std::net::SocketAddr;

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::Host;

pub(crate) async fn serve(host: Host, addr: SocketAddr) -> anyhow::Result<()> {
    let listener = TcpListener::bind(addr).await.with_context(|| format!("Unable to listen on {addr}"))?;
    tracing::info!("Serving http://{}", listener.local_addr()?);
    let scheduler = tokio::spawn(crate::cron::run_scheduler(host.clone()));
    let accept = async {
        loop {
            let (stream, client) = listener.accept().await?;
            let host = host.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| respond(host.clone(), client, req));
                if let Err(e) =
                    hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await
                {
                    tracing::warn!("Error serving HTTP connection: {e:?}");
                }
            });
        }
    };
    let result: anyhow::Result<()> = tokio::select! {
        r = accept => r,
        r = tokio::signal::ctrl_c() => r.context("waiting for ctrl-c"),
    };
    scheduler.abort();
    tracing::info!("mirror-host stopped");
    result
}

async fn respond(
    host: Host,
    client: SocketAddr,
    req: http::Request<Incoming>,
) -> Result<http::Response<Full<Bytes>>, Infallible> {
    let (mut parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            tracing::warn!("Error reading request body: {e}");
            let mut bad = http::Response::new(Full::new(Bytes::new()));
            *bad.status_mut() = http::StatusCode::BAD_REQUEST;
            return Ok(bad);
        }
    };
    parts.extensions.insert(client);
    let invocation = host.handle(http::Request::from_parts(parts, body)).await;
    Ok(invocation.output.map(Full::new))
}
