//! The fake's endpoints, as tests name them to script failures and count requests, and how a
//! scripted `Behaviour` turns into an answer.

use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::json_rpc::error_reply;
use crate::Behaviour;

/// One route of the CLOB or the Data API; `Any` scripts or counts all of them at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `GET /` and `GET /ok`.
    Ok,
    Version,
    Book,
    TickSize,
    NegRisk,
    /// `POST /auth/api-key` and `GET /auth/derive-api-key`.
    Auth,
    PostOrder,
    PostOrders,
    /// `GET /data/order/{orderID}`.
    OrderStatus,
    /// `DELETE /order`.
    CancelOrder,
    /// `GET /balance-allowance`.
    Balance,
    DataTrades,
    DataActivity,
    DataPositions,
    Any,
}

impl Endpoint {
    /// The name `rejected()` reports the endpoint under.
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Ok => "GET /",
            Endpoint::Version => "GET /version",
            Endpoint::Book => "GET /book",
            Endpoint::TickSize => "GET /tick-size",
            Endpoint::NegRisk => "GET /neg-risk",
            Endpoint::Auth => "auth",
            Endpoint::PostOrder => "POST /order",
            Endpoint::PostOrders => "POST /orders",
            Endpoint::OrderStatus => "GET /data/order",
            Endpoint::CancelOrder => "DELETE /order",
            Endpoint::Balance => "GET /balance-allowance",
            Endpoint::DataTrades => "GET /trades",
            Endpoint::DataActivity => "GET /activity",
            Endpoint::DataPositions => "GET /positions",
            Endpoint::Any => "any",
        }
    }
}

/// What a scripted behaviour does to one request: answer in place of the endpoint, or let the
/// endpoint answer, perhaps after a wait.
pub(crate) enum Scripted {
    Answer(Response),
    Proceed { after: Option<Duration> },
}

pub(crate) fn scripted(behaviour: Behaviour) -> Scripted {
    match behaviour {
        Behaviour::Healthy => Scripted::Proceed { after: None },
        Behaviour::Delay(d) => Scripted::Proceed { after: Some(d) },
        Behaviour::Status(code) => {
            let status = StatusCode::from_u16(code).expect("status");
            Scripted::Answer((status, Json(json!({ "error": "scripted failure" }))).into_response())
        }
        // The CDN in front of Polymarket answers rate limits itself, in this shape.
        Behaviour::RateLimited { retry_after_secs } => Scripted::Answer(
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, retry_after_secs.to_string())],
                Json(json!({ "error": "Too Many Requests" })),
            )
                .into_response(),
        ),
        Behaviour::Garbage => Scripted::Answer((StatusCode::OK, "<html>maintenance</html>").into_response()),
        Behaviour::RpcError { code, message } => {
            Scripted::Answer(Json(error_reply(&Value::Null, code, message)).into_response())
        }
    }
}
