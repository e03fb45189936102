//! `GET /health`: unauthenticated liveness; says which backend runs and nothing secret.

use axum::extract::State;
use axum::Json;
use serde_json::Value;

use super::AppState;

pub async fn health(State(state): State<AppState>) -> Json<Value> {
    let mut body = state.backend.health();
    body.insert("status".into(), Value::from("ok"));
    Json(Value::Object(body))
}
