//! The Data API (`data-api.polymarket.com`) over scripted trades. `GET /trades` hides maker
//! fills unless `takerOnly=false` — the real default is true — so a trade scripted with
//! `"maker": true` (a marker the fake strips) is seen only by callers that ask for maker fills.
//! `GET /activity` and `GET /positions` are derived from the same trades.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::endpoint::Endpoint;
use super::state::Shared;

type Params = Query<HashMap<String, String>>;

pub(crate) async fn trades(State(shared): State<Arc<Shared>>, Query(params): Params) -> Response {
    let endpoint = Endpoint::DataTrades;
    if let Some(answer) = shared.enter(endpoint).await {
        return answer;
    }
    let Some((limit, offset)) = page(&params, 100, 10_000) else {
        return shared.reject(endpoint, 400, "limit must be between 0 and 10000");
    };
    let taker_only = params.get("takerOnly").is_none_or(|v| v != "false");
    let markets: Option<Vec<&str>> = params.get("market").map(|m| m.split(',').collect());
    let rows: Vec<Value> = newest_first(&shared, params.get("user"))
        .into_iter()
        .filter(|t| !(taker_only && t.get("maker") == Some(&Value::Bool(true))))
        .filter(|t| markets.as_ref().is_none_or(|ms| ms.iter().any(|m| field_eq(t, "conditionId", m))))
        .filter(|t| params.get("side").is_none_or(|side| field_eq(t, "side", side)))
        .skip(offset)
        .take(limit)
        .map(strip_marker)
        .collect();
    Json(rows).into_response()
}

pub(crate) async fn activity(State(shared): State<Arc<Shared>>, Query(params): Params) -> Response {
    let endpoint = Endpoint::DataActivity;
    if let Some(answer) = shared.enter(endpoint).await {
        return answer;
    }
    let Some(user) = params.get("user") else {
        return shared.reject(endpoint, 400, "user is required");
    };
    let Some((limit, offset)) = page(&params, 100, 500) else {
        return shared.reject(endpoint, 400, "limit must be between 0 and 500");
    };
    let rows: Vec<Value> = newest_first(&shared, Some(user))
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|trade| {
            let usdc = number(&trade, "size") * number(&trade, "price");
            let mut row = strip_marker(trade);
            row["type"] = json!("TRADE");
            row["usdcSize"] = json!(usdc);
            row
        })
        .collect();
    Json(rows).into_response()
}

/// Net size per asset from the user's trades, in the real positions shape.
pub(crate) async fn positions(State(shared): State<Arc<Shared>>, Query(params): Params) -> Response {
    let endpoint = Endpoint::DataPositions;
    if let Some(answer) = shared.enter(endpoint).await {
        return answer;
    }
    let Some(user) = params.get("user") else {
        return shared.reject(endpoint, 400, "user is required");
    };
    let mut by_asset: BTreeMap<String, (Value, f64, f64)> = BTreeMap::new();
    for trade in newest_first(&shared, Some(user)).into_iter().rev() {
        let asset = trade.get("asset").and_then(Value::as_str).unwrap_or_default().to_owned();
        let (size, price) = (number(&trade, "size"), number(&trade, "price"));
        let entry = by_asset.entry(asset).or_insert_with(|| (trade.clone(), 0.0, 0.0));
        if field_eq(&trade, "side", "BUY") {
            entry.2 += size * price;
            entry.1 += size;
        } else {
            entry.2 -= if entry.1 > 0.0 { entry.2 / entry.1 * size } else { 0.0 };
            entry.1 -= size;
        }
    }
    let rows: Vec<Value> = by_asset
        .into_iter()
        .filter(|(_, (_, size, _))| *size > 0.0)
        .map(|(asset, (trade, size, cost))| {
            let avg = cost / size;
            json!({
                "proxyWallet": trade["proxyWallet"],
                "asset": asset,
                "conditionId": trade["conditionId"],
                "size": size,
                "avgPrice": avg,
                "initialValue": cost,
                "currentValue": cost,
                "cashPnl": 0.0,
                "percentPnl": 0.0,
                "totalBought": size,
                "realizedPnl": 0.0,
                "curPrice": avg,
                "redeemable": false,
                "mergeable": false,
                "title": trade["title"],
                "slug": trade["slug"],
                "eventSlug": trade["eventSlug"],
                "outcome": trade["outcome"],
                "outcomeIndex": trade["outcomeIndex"],
                "oppositeOutcome": "",
                "oppositeAsset": "",
                "endDate": "",
                "negativeRisk": false,
            })
        })
        .collect();
    Json(rows).into_response()
}

/// `(limit, offset)`, or `None` when limit is above the endpoint's maximum or unparsable.
fn page(params: &HashMap<String, String>, default_limit: usize, max_limit: usize) -> Option<(usize, usize)> {
    let limit = params.get("limit").map_or(Some(default_limit), |l| l.parse().ok())?;
    let offset = params.get("offset").map_or(Some(0), |o| o.parse().ok())?;
    (limit <= max_limit).then_some((limit, offset))
}

/// The user's (or everyone's) trades, newest timestamp first; of equal timestamps the one
/// pushed last comes first.
fn newest_first(shared: &Shared, user: Option<&String>) -> Vec<Value> {
    let state = shared.state.lock().unwrap();
    let mut trades: Vec<Value> =
        state.trades.iter().rev().filter(|t| user.is_none_or(|u| field_eq(t, "proxyWallet", u))).cloned().collect();
    trades.sort_by_key(|t| std::cmp::Reverse(t.get("timestamp").and_then(Value::as_u64).unwrap_or(0)));
    trades
}

fn field_eq(trade: &Value, field: &str, wanted: &str) -> bool {
    trade.get(field).and_then(Value::as_str).is_some_and(|v| v.eq_ignore_ascii_case(wanted))
}

fn number(trade: &Value, field: &str) -> f64 {
    match trade.get(field) {
        Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0),
        Some(Value::String(s)) => s.parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

fn strip_marker(trade: Value) -> Value {
    match trade {
        Value::Object(mut fields) => {
            fields.remove("maker");
            Value::Object(fields)
        }
        other => other,
    }
}
