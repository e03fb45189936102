use serde_json::json;

use crate::api::{render, Request, Response};

/// `GET /health` and `GET /healthz`: the component ran; touches nothing else.
pub fn liveness(request: &Request) -> Response {
    let checked = request.require_method(&["GET"]).and_then(|()| request.query_params(&[]));
    render(checked.map(|_| Response::json(200, &json!({ "status": "ok" }))))
}
