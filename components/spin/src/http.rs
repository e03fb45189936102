//! The wrapper every HTTP component uses: Spin request in, core handler, Spin response out.

use mirror_core::api;
use spin_sdk::http::{Request, Response};

use crate::SpinPlatform;

/// Runs `handler` with fresh ports and the request in core's shape.
pub async fn respond(
    request: Request,
    handler: impl AsyncFnOnce(&SpinPlatform, api::Request) -> api::Response,
) -> Response {
    let platform = SpinPlatform::new();
    let (request, head) = to_core(request).head_as_get();
    let path = request.path.clone();
    let response = handler(&platform, request).await;
    let response = if head { response.without_body() } else { response };
    if let Some(line) = &response.log {
        eprintln!("{} {}: {line}", response.status, path);
    }
    let mut builder = Response::builder();
    builder.status(response.status);
    for (name, value) in response.headers {
        builder.header(name, value);
    }
    builder.body(response.body).build()
}

fn to_core(request: Request) -> api::Request {
    api::Request {
        method: request.method().to_string(),
        path: request.path().to_string(),
        query: request.query().to_string(),
        headers: request
            .headers()
            .map(|(n, v)| (n.to_ascii_lowercase(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: request.into_body(),
    }
}
