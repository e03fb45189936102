//! `GET /balance-allowance?asset_type=COLLATERAL|CONDITIONAL&token_id=&signature_type=` (L2):
//! the scripted balance of the wallet the key trades for — the key's address for types 0 and
//! 3, its Polymarket proxy or Safe for types 1 and 2 — with unlimited allowances to the V2
//! exchanges, in the V2 shape `{"balance", "allowances": {spender: amount}}`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::endpoint::Endpoint;
use super::state::Shared;
use super::wallet_factories::{proxy_of, safe_of};
use super::BalanceAsset;

const UNLIMITED: &str = "115792089237316195423570985008687907853269984665640564039457584007913129639935";

pub(crate) async fn balance_allowance(
    State(shared): State<Arc<Shared>>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let endpoint = Endpoint::Balance;
    if let Some(answer) = shared.enter(endpoint).await {
        return answer;
    }
    let key = match shared.l2(endpoint, &headers, "GET", uri.path(), b"") {
        Ok(key) => key,
        Err(rejection) => return *rejection,
    };
    let asset = match (params.get("asset_type").map(String::as_str), params.get("token_id")) {
        (Some("COLLATERAL"), _) => BalanceAsset::Collateral,
        (Some("CONDITIONAL"), Some(token)) if !token.is_empty() => BalanceAsset::Conditional(token.clone()),
        _ => return shared.reject(endpoint, 400, "Invalid asset type"),
    };
    let wallet = match params.get("signature_type").map(String::as_str).unwrap_or("0") {
        "0" | "3" => key.address,
        "1" => proxy_of(key.address),
        "2" => safe_of(key.address),
        _ => return shared.reject(endpoint, 400, "Invalid signature_type"),
    };
    let balance = shared.state.lock().unwrap().balance(&shared.config, wallet, asset);
    Json(json!({
        "balance": balance.to_string(),
        "allowances": {
            "0xE111180000d2663C0091e4f400237545B87B996B": UNLIMITED,
            "0xe2222d279d744050d28e00520010520000310F59": UNLIMITED,
            "0xd91E80cF2E7be2e162c6513ceD06f1dD0dA35296": UNLIMITED,
        },
    }))
    .into_response()
}
