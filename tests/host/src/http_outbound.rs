//! Outbound `wasi:http`: every request is checked against the component's
//! `allowed_outbound_hosts` (URL under the default scheme `https`, as Spin does) before it is
//! sent; a refused one fails with `HttpRequestDenied`, which the guest sees as the error of its
//! request. Requests to the app itself (relative URLs, `self`) are not supported here.

use std::sync::Arc;

use http_body_util::BodyExt;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

use crate::allowed_hosts::AllowedHosts;
use crate::counters::{Counters, Trip};

/// The `wasi:http` hooks of one invocation.
pub(crate) struct OutboundHttp {
    pub policy: Arc<Result<AllowedHosts, String>>,
    pub counters: Arc<Counters>,
    pub component: Arc<str>,
}

type SendResult = Result<(http::Response<WasiBody>, Box<dyn Future<Output = Result<(), Error>> + Send>), Error>;

impl OutboundHttp {
    fn check(&self, request: &http::Request<WasiBody>) -> Result<(), Error> {
        let policy = match self.policy.as_ref() {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(component = %self.component, "allowed_outbound_hosts unusable: {e}");
                return Err(Error::HttpRequestDenied);
            }
        };
        let uri = request.uri();
        let host = uri.authority().map(|a| a.host()).unwrap_or_default();
        if host.is_empty() || host == "self.alt" {
            if policy.allows_relative(&["http", "https"]) {
                tracing::error!(component = %self.component, "requests to the app itself are not supported by mirror-host");
                return Err(Error::HttpRequestUriInvalid);
            }
            return Err(Error::HttpRequestDenied);
        }
        match policy.allows_url(&uri.to_string(), "https") {
            Ok(true) => Ok(()),
            _ => {
                tracing::info!(component = %self.component, "outbound request to {}://{} denied by allowed_outbound_hosts",
                    uri.scheme_str().unwrap_or("https"), uri.authority().map(|a| a.as_str()).unwrap_or(""));
                Err(Error::HttpRequestDenied)
            }
        }
    }
}

impl WasiHttpHooks for OutboundHttp {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> Box<dyn Future<Output = SendResult> + Send> {
        let checked = self.check(&request);
        if checked.is_ok() {
            self.counters.add(Trip::Http);
        }
        Box::new(async move {
            checked?;
            let (response, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
            let io: Box<dyn Future<Output = Result<(), Error>> + Send> = Box::new(io);
            Ok((response.map(BodyExt::boxed_unsync), io))
        })
    }
}
