use serde_json::json;

use crate::api::{render, Request, Response};
use crate::ports::Config;
use crate::relayer::RelayerKeys;

/// `GET /healthz`: the component ran; touches nothing else.
pub fn liveness(request: &Request) -> Response {
    let checked = request.require_method(&["GET"]).and_then(|()| request.query_params(&[]));
    render(checked.map(|_| Response::json(200, &json!({ "status": "ok" }))))
}

/// `GET /health`: liveness, and the address new transactions are sent from (runbook 004 "Verify
/// New Relayer": `curl /health | jq '.relayerAddress'`), derived from the configured key — `null`
/// when there is none. A malformed key is named, never shown, and does not fail liveness.
pub fn liveness_with_relayer(request: &Request, config: &dyn Config) -> Response {
    let checked = request.require_method(&["GET"]).and_then(|()| request.query_params(&[]));
    render(checked.map(|_| {
        let body = match RelayerKeys::current_address(config) {
            Ok(address) => json!({ "status": "ok", "relayerAddress": address.map(|a| a.to_checksum(None)) }),
            Err(e) => json!({ "status": "ok", "relayerAddress": null, "relayerError": e.to_string() }),
        };
        Response::json(200, &body)
    }))
}
