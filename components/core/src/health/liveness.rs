use serde_json::json;

use crate::api::Response;

/// `GET /health` and `GET /healthz`: the component ran; touches nothing else.
pub fn liveness() -> Response {
    Response::json(200, &json!({ "status": "ok" }))
}
