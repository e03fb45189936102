//! The L2 order routes: `POST /order`, `POST /orders` (a batch of at most 15, each answered in
//! place), `GET /data/order/{orderID}`, `DELETE /order` with `{"orderID"}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::decimal::from_raw;
use super::endpoint::Endpoint;
use super::placement::place;
use super::state::Shared;

/// The most orders one `POST /orders` may carry.
const BATCH_LIMIT: usize = 15;

pub(crate) async fn post_order(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let endpoint = Endpoint::PostOrder;
    if let Some(answer) = shared.enter(endpoint).await {
        return answer;
    }
    let key = match shared.l2(endpoint, &headers, "POST", uri.path(), &body) {
        Ok(key) => key,
        Err(rejection) => return *rejection,
    };
    let Ok(order) = serde_json::from_slice::<Value>(&body) else {
        return shared.reject(endpoint, 400, "Invalid order payload");
    };
    match place(&shared, &key, &order).await {
        Ok(accepted) => Json(accepted).into_response(),
        Err(refusal) => shared.reject(endpoint, refusal.status, &refusal.message),
    }
}

/// Per-order refusals come back in the 200 array as `errorMsg`, with `success` true as the real
/// CLOB sends them (`success` false means a server-side failure, not a refused order).
pub(crate) async fn post_orders(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let endpoint = Endpoint::PostOrders;
    if let Some(answer) = shared.enter(endpoint).await {
        return answer;
    }
    let key = match shared.l2(endpoint, &headers, "POST", uri.path(), &body) {
        Ok(key) => key,
        Err(rejection) => return *rejection,
    };
    let Ok(Value::Array(orders)) = serde_json::from_slice::<Value>(&body) else {
        return shared.reject(endpoint, 400, "Invalid order payload");
    };
    if orders.len() > BATCH_LIMIT {
        let message = format!("Too many orders in payload: {}, max allowed: {BATCH_LIMIT}", orders.len());
        return shared.reject(endpoint, 400, &message);
    }
    let mut answers = Vec::with_capacity(orders.len());
    for order in &orders {
        answers.push(match place(&shared, &key, order).await {
            Ok(accepted) => accepted,
            Err(refusal) => {
                shared.state.lock().unwrap().rejected.push((
                    endpoint.name().to_owned(),
                    refusal.status,
                    refusal.message.clone(),
                ));
                json!({
                    "errorMsg": refusal.message,
                    "orderID": "",
                    "takingAmount": "",
                    "makingAmount": "",
                    "status": "",
                    "success": true,
                })
            }
        });
    }
    Json(answers).into_response()
}

/// The order as the real `GET /data/order/{id}` reports it (`OpenOrder` in the reference
/// client); only the key that placed it sees it.
pub(crate) async fn order_status(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let endpoint = Endpoint::OrderStatus;
    if let Some(answer) = shared.enter(endpoint).await {
        return answer;
    }
    let key = match shared.l2(endpoint, &headers, "GET", uri.path(), b"") {
        Ok(key) => key,
        Err(rejection) => return *rejection,
    };
    if id.parse::<alloy_primitives::B256>().is_err() {
        return shared.reject(endpoint, 400, "Invalid orderID");
    }
    let found = {
        let state = shared.state.lock().unwrap();
        state.accepted.iter().find(|o| o.order_hash == id && o.owner_api_key == key.creds.api_key).and_then(|o| {
            Some((o.clone(), state.records.get(&id)?.clone(), state.markets.get(&o.token_id)?.condition_id.clone()))
        })
    };
    let Some((order, record, market)) = found else {
        return shared.reject(endpoint, 404, "order not found");
    };
    let price =
        from_raw(u64::try_from(u128::from(record.collateral) * 1_000_000 / u128::from(record.shares)).unwrap_or(0));
    Json(json!({
        "id": order.order_hash,
        "status": record.status,
        "owner": order.owner_api_key,
        "maker_address": order.maker,
        "market": market,
        "asset_id": order.token_id,
        "side": order.side,
        "original_size": from_raw(record.shares),
        "size_matched": from_raw(record.size_matched),
        "price": price,
        "associate_trades": [],
        "outcome": "",
        "created_at": record.created_at,
        "expiration": record.expiration.to_string(),
        "order_type": order.order_type,
    }))
    .into_response()
}

/// `{"canceled": [ids], "not_canceled": {id: reason}}`: only the key's own live orders cancel.
pub(crate) async fn cancel_order(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let endpoint = Endpoint::CancelOrder;
    if let Some(answer) = shared.enter(endpoint).await {
        return answer;
    }
    let key = match shared.l2(endpoint, &headers, "DELETE", uri.path(), &body) {
        Ok(key) => key,
        Err(rejection) => return *rejection,
    };
    let id = serde_json::from_slice::<Value>(&body).ok().and_then(|b| b.get("orderID")?.as_str().map(str::to_owned));
    let Some(id) = id else {
        return shared.reject(endpoint, 400, "Invalid order payload");
    };
    let canceled = {
        let mut state = shared.state.lock().unwrap();
        let owned = state.accepted.iter().any(|o| o.order_hash == id && o.owner_api_key == key.creds.api_key);
        match state.records.get_mut(&id) {
            Some(record) if owned && record.status == "LIVE" => {
                record.status = "CANCELED".to_owned();
                true
            }
            _ => false,
        }
    };
    if canceled {
        Json(json!({ "canceled": [id], "not_canceled": {} })).into_response()
    } else {
        Json(json!({ "canceled": [], "not_canceled": { id: "order can't be found - already canceled or matched" } }))
            .into_response()
    }
}
