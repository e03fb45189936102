//! `POST /auth/api-key` (create) and `GET /auth/derive-api-key` (derive): one key per
//! (address, nonce). Creating a second time fails with "Could not create api key" and deriving
//! a key never created with "Could not derive api key!" (400s, per Polymarket's error-code
//! reference); clients fall back from one to the other.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE;
use base64::Engine;
use serde_json::json;

use super::endpoint::Endpoint;
use super::l1_auth;
use super::state::{IssuedKey, Shared};
use super::ApiCreds;

pub(crate) async fn create(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let (address, nonce) = match authenticate(&shared, &headers).await {
        Ok(proved) => proved,
        Err(rejection) => return rejection,
    };
    let creds = {
        let mut state = shared.state.lock().unwrap();
        if state.keys.iter().any(|k| k.address == address && k.nonce == nonce) {
            None
        } else {
            let creds = new_creds();
            state.keys.push(IssuedKey { address, nonce, creds: creds.clone() });
            Some(creds)
        }
    };
    match creds {
        Some(creds) => answer(&creds),
        None => shared.reject(Endpoint::Auth, 400, "Could not create api key"),
    }
}

pub(crate) async fn derive(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let (address, nonce) = match authenticate(&shared, &headers).await {
        Ok(proved) => proved,
        Err(rejection) => return rejection,
    };
    let existing = {
        let state = shared.state.lock().unwrap();
        state.keys.iter().find(|k| k.address == address && k.nonce == nonce).map(|k| k.creds.clone())
    };
    match existing {
        Some(creds) => answer(&creds),
        None => shared.reject(Endpoint::Auth, 400, "Could not derive api key!"),
    }
}

async fn authenticate(
    shared: &Shared,
    headers: &HeaderMap,
) -> Result<(alloy_primitives::Address, alloy_primitives::U256), Response> {
    if let Some(answer) = shared.enter(Endpoint::Auth).await {
        return Err(answer);
    }
    l1_auth::authenticate(headers, shared.config.chain_id, shared.rpc.as_ref())
        .await
        .ok_or_else(|| shared.reject(Endpoint::Auth, 401, "Invalid L1 Request headers"))
}

fn answer(creds: &ApiCreds) -> Response {
    Json(json!({ "apiKey": creds.api_key, "secret": creds.secret, "passphrase": creds.passphrase })).into_response()
}

/// A UUID-shaped key, a base64url secret of 32 random bytes, a 64-hex-digit passphrase — the
/// shapes the real CLOB issues.
fn new_creds() -> ApiCreds {
    let random = |n: usize| {
        let mut bytes = vec![0u8; n];
        getrandom::getrandom(&mut bytes).expect("randomness");
        bytes
    };
    let id = alloy_primitives::hex::encode(random(16));
    ApiCreds {
        api_key: format!("{}-{}-{}-{}-{}", &id[..8], &id[8..12], &id[12..16], &id[16..20], &id[20..]),
        secret: URL_SAFE.encode(random(32)),
        passphrase: alloy_primitives::hex::encode(random(32)),
    }
}
