use serde_json::json;

use crate::api::{ApiError, ErrorCode, Request, Response};
use crate::ports::{Db, Platform, Redis};

/// `GET /readyz`: 200 when Postgres and Redis both answer, else 503 naming what is down.
/// One Postgres and one Redis round trip.
pub fn readiness(platform: &impl Platform, request: &Request) -> Response {
    if let Err(e) = request.require_method(&["GET"]).and_then(|()| request.query_params(&[])) {
        return e.into_response();
    }
    let postgres = platform.db().query("SELECT 1", &[]).is_ok();
    let redis = platform.redis().execute("PING", &[]).is_ok();
    let checks = json!({ "postgres": up_down(postgres), "redis": up_down(redis) });
    if postgres && redis {
        return Response::json(200, &json!({ "status": "ready", "checks": checks }));
    }
    let down: Vec<&str> =
        [("postgres", postgres), ("redis", redis)].into_iter().filter(|(_, up)| !up).map(|(name, _)| name).collect();
    let error = ApiError::new(ErrorCode::ServiceUnavailable, format!("not ready: {} down", down.join(" and ")));
    Response::json(
        503,
        &json!({
            "status": "not_ready",
            "checks": checks,
            "error": { "code": error.code.as_str(), "message": error.message },
        }),
    )
}

fn up_down(up: bool) -> &'static str {
    if up {
        "up"
    } else {
        "down"
    }
}
