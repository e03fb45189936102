use crate::api::{ApiError, ErrorCode, Request, Response};
use crate::auth::require_admin;
use crate::ports::Platform;

use super::{revoke, rotate};

/// `POST /admin/server-wallets/{userId}/rotate` and `.../revoke` (admin token).
pub async fn handle_admin(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    require_admin(request, platform.config())?;
    request.require_method(&["POST"])?;
    request.query_params(&[])?;
    let rest = request.path.strip_prefix("/admin/server-wallets/").unwrap_or_default();
    let (user_id, action) = rest
        .split_once('/')
        .filter(|(user, _)| !user.is_empty())
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "use /admin/server-wallets/{userId}/rotate or /revoke"))?;
    match action {
        "rotate" => {
            let wallet = rotate(platform, user_id, "admin").await?;
            Ok(Response::json(
                200,
                &serde_json::json!({ "userId": user_id, "address": wallet.wallet.address, "status": "READY" }),
            ))
        }
        "revoke" => {
            revoke(platform.db(), user_id, "admin")?;
            Ok(Response::json(
                200,
                &serde_json::json!({ "userId": user_id, "status": "FAILED", "copyTrading": "PAUSED" }),
            ))
        }
        _ => Err(ApiError::new(ErrorCode::NotFound, "unknown server wallet action")),
    }
}
