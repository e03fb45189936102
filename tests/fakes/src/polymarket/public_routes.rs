//! The CLOB's unauthenticated routes: health, exchange version, tick size, neg-risk flag, book.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::endpoint::Endpoint;
use super::market::Market;
use super::state::{now_millis, Shared};

type Params = Query<HashMap<String, String>>;

pub(crate) async fn ok(State(shared): State<Arc<Shared>>) -> Response {
    if let Some(answer) = shared.enter(Endpoint::Ok).await {
        return answer;
    }
    Json("OK").into_response()
}

/// `{"version": N}`: the reference client reads `response.version` and signs for it.
pub(crate) async fn version(State(shared): State<Arc<Shared>>) -> Response {
    if let Some(answer) = shared.enter(Endpoint::Version).await {
        return answer;
    }
    Json(json!({ "version": shared.exchange_version.load(std::sync::atomic::Ordering::SeqCst) })).into_response()
}

pub(crate) async fn tick_size(State(shared): State<Arc<Shared>>, Query(params): Params) -> Response {
    market_route(&shared, Endpoint::TickSize, &params, |m| {
        // The real answer is a JSON number.
        let tick: f64 = m.tick_size.parse().expect("tick size");
        json!({ "minimum_tick_size": tick })
    })
    .await
}

pub(crate) async fn neg_risk(State(shared): State<Arc<Shared>>, Query(params): Params) -> Response {
    market_route(&shared, Endpoint::NegRisk, &params, |m| json!({ "neg_risk": m.neg_risk })).await
}

pub(crate) async fn book(State(shared): State<Arc<Shared>>, Query(params): Params) -> Response {
    market_route(&shared, Endpoint::Book, &params, |m| m.book_json(now_millis())).await
}

/// A route answering from the market named by `?token_id=`, with the real CLOB's errors.
async fn market_route(
    shared: &Shared,
    endpoint: Endpoint,
    params: &HashMap<String, String>,
    answer: impl FnOnce(&Market) -> serde_json::Value,
) -> Response {
    if let Some(answer) = shared.enter(endpoint).await {
        return answer;
    }
    let Some(token_id) = params.get("token_id").filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
    else {
        return shared.reject(endpoint, 400, "Invalid token id");
    };
    let market = shared.state.lock().unwrap().markets.get(token_id).cloned();
    match market {
        Some(market) => Json(answer(&market)).into_response(),
        None if endpoint == Endpoint::Book => {
            shared.reject(endpoint, 404, "No orderbook exists for the requested token id")
        }
        None => shared.reject(endpoint, 404, "market not found"),
    }
}
