use super::jwt::{verify_jwt, JwtSettings};
use crate::api::{ApiError, ErrorCode, Request};
use crate::ports::{Db, Platform, SqlValue};

/// An authenticated end user, as stored in `users`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub dynamic_user_id: String,
    pub email: Option<String>,
    pub embedded_wallet_address: Option<String>,
}

const UPSERT_SQL: &str = "\
INSERT INTO users (dynamic_user_id, email, embedded_wallet_address) VALUES ($1, $2, $3)
ON CONFLICT (dynamic_user_id) DO UPDATE
  SET email = COALESCE(EXCLUDED.email, users.email),
      embedded_wallet_address = COALESCE(EXCLUDED.embedded_wallet_address, users.embedded_wallet_address)
RETURNING id, dynamic_user_id, email, embedded_wallet_address";

/// Verifies the bearer JWT and upserts the `users` row from its claims. One Postgres round trip.
pub fn authenticate(platform: &impl Platform, request: &Request) -> Result<User, ApiError> {
    let token =
        request.bearer_token().ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, "bearer token required"))?;
    let claims = verify_jwt(token, &JwtSettings::from_config(platform.config())?)?;
    let optional = |v: Option<&str>| v.map_or(SqlValue::Null, |s| SqlValue::Text(s.to_string()));
    let rows = platform.db().query(
        UPSERT_SQL,
        &[SqlValue::Text(claims.sub.clone()), optional(claims.email.as_deref()), optional(claims.embedded_wallet())],
    )?;
    let row = rows.first().ok_or_else(|| ApiError::new(ErrorCode::InternalError, "user upsert returned nothing"))?;
    Ok(User {
        id: row.text("id")?,
        dynamic_user_id: row.text("dynamic_user_id")?,
        email: row.opt_text("email")?,
        embedded_wallet_address: row.opt_text("embedded_wallet_address")?,
    })
}
