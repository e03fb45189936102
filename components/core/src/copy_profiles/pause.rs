//! `POST /admin/copy-trading/pause` and `/resume` (admin token): runbook 000 "Pause Copy
//! Trading for All Users" / "Resume Copy Trading", for everyone or one user, each one statement
//! with its audit entry.

use serde::Deserialize;
use serde_json::json;

use super::settings::PAUSED_BY_USER;
use crate::api::{invalid, parse_json_object, ApiError, ErrorCode, Request, Response};
use crate::auth::require_admin;
use crate::ports::{Db, Platform, SqlValue};

/// The optional body: whose profiles (everyone's when absent) and why.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Scope {
    user_id: Option<String>,
    reason: Option<String>,
}

/// `paused_reason` of an operator's pause given no reason.
const PAUSED_BY_ADMIN: &str = "ADMIN";

/// The reason of a revoked server wallet's hold, which only a rotation lifts.
const REVOKED: &str = "SERVER_WALLET_REVOKED";

/// Longest reason kept.
const MAX_REASON_LEN: usize = 200;

// A hold on everyone (`*`) or on one user, and every profile in its scope that was copying or
// was paused by its user taken over by it (the user's own switch, `paused_by_user`, is kept for
// the resume). Profiles already held for another reason keep it. Nothing is written for an
// unknown user (the audit row would name a user that does not exist): the caller gets 404.
// `count` is the profiles that stopped copying.
const PAUSE_SQL: &str = "\
WITH target AS (
  SELECT $1::text IS NULL OR EXISTS (SELECT 1 FROM users WHERE id = $1::text) AS known
), hold AS (
  INSERT INTO copy_trading_holds (scope, reason, kind)
  SELECT coalesce($1::text, '*'), $2::text, 'ADMIN' FROM target WHERE known
  ON CONFLICT (scope, kind) DO UPDATE SET reason = EXCLUDED.reason
  RETURNING scope
), changed AS (
  UPDATE copy_profiles SET status = 'PAUSED', paused_reason = $2::text
  WHERE (status = 'ENABLED' OR paused_reason = 'USER') AND ($1::text IS NULL OR user_id = $1::text)
    AND (SELECT known FROM target)
  RETURNING paused_by_user
), audit AS (
  INSERT INTO audit_logs (user_id, action, actor, details)
  SELECT $1::text, 'COPY_TRADING_PAUSED', 'admin', jsonb_build_object('userId', $1::text,
         'count', (SELECT count(*) FROM changed WHERE NOT paused_by_user), 'reason', $2::text)
  FROM target WHERE known
)
SELECT (SELECT known FROM target) AS known, false AS everyone_held,
       (SELECT count(*) FROM changed WHERE NOT paused_by_user) AS count";

// Lifts the operators' holds in scope (everyone's: every ADMIN hold; one user's: theirs) and
// gives each profile no remaining hold covers its user's own switch back: profiles the user
// paused stay paused, an operator lifting an incident pause must not restart copying that the
// user chose to stop. A revoked server wallet's pause is lifted by rotating the wallet, not here.
// One user cannot be resumed while everyone is paused (`everyone_held`): nothing is written.
// `count` is the profiles copying again.
const RESUME_SQL: &str = "\
WITH target AS (
  SELECT $1::text IS NULL OR EXISTS (SELECT 1 FROM users WHERE id = $1::text) AS known,
         $1::text IS NOT NULL AND EXISTS (SELECT 1 FROM copy_trading_holds WHERE scope = '*' AND kind = 'ADMIN') AS everyone_held
), go AS (
  SELECT known AND NOT everyone_held AS ok FROM target
), lifted AS (
  DELETE FROM copy_trading_holds
  WHERE kind = 'ADMIN' AND ($1::text IS NULL OR scope = $1::text) AND (SELECT ok FROM go)
  RETURNING scope
), changed AS (
  UPDATE copy_profiles p
  SET status = CASE WHEN p.paused_by_user THEN 'PAUSED' ELSE 'ENABLED' END,
      paused_reason = CASE WHEN p.paused_by_user THEN $3::text END
  WHERE p.status = 'PAUSED' AND p.paused_reason IS DISTINCT FROM $3::text
    AND p.paused_reason IS DISTINCT FROM 'SERVER_WALLET_REVOKED'
    AND ($1::text IS NULL OR p.user_id = $1::text) AND (SELECT ok FROM go)
    AND NOT EXISTS (SELECT 1 FROM copy_trading_holds h WHERE h.scope IN (p.user_id, '*')
                    AND NOT (h.kind = 'ADMIN' AND ($1::text IS NULL OR h.scope = $1::text)))
  RETURNING p.paused_by_user
), audit AS (
  INSERT INTO audit_logs (user_id, action, actor, details)
  SELECT $1::text, 'COPY_TRADING_RESUMED', 'admin', jsonb_build_object('userId', $1::text,
         'count', (SELECT count(*) FROM changed WHERE NOT paused_by_user), 'reason', $2::text)
  FROM go WHERE ok
)
SELECT (SELECT known FROM target) AS known, (SELECT everyone_held FROM target) AS everyone_held,
       (SELECT count(*) FROM changed WHERE NOT paused_by_user) AS count";

/// Runs the pause or resume; 404 for an unknown `userId`.
pub async fn handle_admin(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    require_admin(request, platform.config())?;
    request.require_method(&["POST"])?;
    request.query_params(&[])?;
    let action = match request.path.trim_end_matches('/') {
        "/admin/copy-trading/pause" => "paused",
        "/admin/copy-trading/resume" => "resumed",
        _ => return Err(ApiError::new(ErrorCode::NotFound, "use /admin/copy-trading/pause or /resume")),
    };
    let scope = parse_scope(&request.body)?;
    let user = scope.user_id.map_or(SqlValue::Null, SqlValue::Text);
    let (sql, params) = if action == "paused" {
        let reason = scope.reason.unwrap_or_else(|| PAUSED_BY_ADMIN.to_string());
        (PAUSE_SQL, vec![user, SqlValue::Text(reason)])
    } else {
        let reason = scope.reason.map_or(SqlValue::Null, SqlValue::Text);
        (RESUME_SQL, vec![user, reason, SqlValue::Text(PAUSED_BY_USER.into())])
    };
    let count = changed_count(platform.db(), sql, &params)?;
    Ok(Response::json(200, &json!({ action: count })))
}

/// An empty body is everyone, with the default reason.
fn parse_scope(body: &[u8]) -> Result<Scope, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Scope::default());
    }
    let scope: Scope = parse_json_object(body)?;
    if scope.user_id.as_deref().is_some_and(|id| id.trim().is_empty()) {
        return Err(invalid("userId", "must not be empty"));
    }
    if let Some(reason) = scope.reason.as_deref() {
        if reason.trim().is_empty() || reason.chars().count() > MAX_REASON_LEN || reason.chars().any(char::is_control) {
            return Err(invalid("reason", "must be 1 to 200 characters of text"));
        }
        if reason == PAUSED_BY_USER || reason == REVOKED {
            return Err(invalid("reason", "`USER` and `SERVER_WALLET_REVOKED` are reserved"));
        }
    }
    Ok(scope)
}

fn changed_count(db: &impl Db, sql: &str, params: &[SqlValue]) -> Result<i64, ApiError> {
    let rows = db.query(sql, params)?;
    let row =
        rows.first().ok_or_else(|| ApiError::new(ErrorCode::InternalError, "pause statement returned nothing"))?;
    if !row.bool("known")? {
        return Err(ApiError::new(ErrorCode::NotFound, "no such user"));
    }
    if row.bool("everyone_held")? {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "everyone's copy trading is paused: resume everyone (no userId) to lift it",
        ));
    }
    Ok(row.int("count")?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_is_optional_and_checked_when_present() {
        assert!(parse_scope(b"").unwrap().user_id.is_none());
        assert_eq!(parse_scope(br#"{"userId":"u1"}"#).unwrap().user_id.as_deref(), Some("u1"));
        assert!(parse_scope(br#"{"userId":""}"#).unwrap_err().message.starts_with("`userId`"));
        assert!(parse_scope(br#"{"reason":"USER"}"#).unwrap_err().message.starts_with("`reason`"));
        assert!(parse_scope(br#"{"user":"u1"}"#).unwrap_err().message.contains("unknown field"));
        assert!(parse_scope(br#"["u1"]"#).is_err(), "positional fields");
    }
}
