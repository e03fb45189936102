//! `GET|POST /admin/execution-mode`: read or set `exec_mode` (runbook 003) — the body is the
//! runbook's own document, `{"mode":"LIVE|DRY","emergency_stop":bool}`, the same value
//! `redis-cli SET exec_mode ...` writes. Takes effect on the next invocation.

use serde_json::json;

use super::exec_mode::ExecMode;
use crate::api::{parse_json_object, ApiError, ErrorCode, Request, Response};
use crate::auth::require_admin;
use crate::ports::{Db, Platform, Redis, SqlValue};
use crate::redis_keys::EXEC_MODE;

pub fn handle(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    require_admin(request, platform.config())?;
    request.query_params(&[])?;
    match request.method.as_str() {
        "GET" => {
            let reply = platform.redis().execute("GET", &[EXEC_MODE.into()])?;
            let stored = reply.first().and_then(|v| v.text());
            let mode = ExecMode::resolve(stored.as_deref(), platform.config())?;
            let source = if stored.is_some() { "redis" } else { "variables" };
            Ok(Response::json(
                200,
                &json!({ "mode": mode.mode, "emergency_stop": mode.emergency_stop, "source": source }),
            ))
        }
        "POST" => {
            let mode: ExecMode = parse_json_object(&request.body)?;
            let document =
                serde_json::to_string(&mode).map_err(|_| ApiError::new(ErrorCode::InternalError, "encode"))?;
            platform.redis().execute("SET", &[EXEC_MODE.into(), document.as_str().into()])?;
            platform.db().execute(
                "INSERT INTO audit_logs (action, actor, details) VALUES ('EXECUTION_MODE_CHANGED', 'admin', $1)",
                &[SqlValue::Json(json!({ "mode": mode.mode, "emergency_stop": mode.emergency_stop }))],
            )?;
            Ok(Response::json(
                200,
                &json!({ "mode": mode.mode, "emergency_stop": mode.emergency_stop, "source": "redis" }),
            ))
        }
        _ => Err(ApiError::method_not_allowed(&["GET", "POST"])),
    }
}
