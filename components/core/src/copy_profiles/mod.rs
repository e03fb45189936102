//! Copy profiles: a user follows a leader, with a sizing rule and guards (`/copy-profiles[/{id}]`,
//! README "Copy profiles"). Users see and change only their own profiles; another user's id is
//! 404, as if it did not exist.

mod fields;
mod market;
mod pause;
mod settings;
mod store;

pub(crate) use settings::{Settings, SizingMode, Status};
pub(crate) use store::settings_from_row;

pub use pause::handle_admin;

use fields::ProfileFields;
use store::StoredProfile;

use serde_json::json;

use crate::api::{parse_json_object, ApiError, ErrorCode, Request, Response};
use crate::auth::{authenticate, User};
use crate::ports::{Db, Platform};

/// What a path under `/copy-profiles` names.
enum Target<'a> {
    Collection,
    Profile(&'a str),
}

fn target(path: &str) -> Option<Target<'_>> {
    let rest = path.strip_prefix("/copy-profiles")?.trim_end_matches('/');
    match rest.strip_prefix('/') {
        None if rest.is_empty() => Some(Target::Collection),
        Some(id) if !id.contains('/') => Some(Target::Profile(id)),
        _ => None,
    }
}

/// `GET`/`POST /copy-profiles`, `GET`/`PATCH`/`DELETE /copy-profiles/{id}` (user JWT).
pub async fn handle(platform: &impl Platform, request: &Request) -> Result<Response, ApiError> {
    request.query_params(&[])?;
    let user = authenticate(platform, request)?;
    let db = platform.db();
    let not_found = || ApiError::new(ErrorCode::NotFound, "no such copy profile");
    match (target(&request.path).ok_or_else(not_found)?, request.method.as_str()) {
        (Target::Collection, "GET") => {
            let profiles: Vec<_> = store::list(db, &user.id)?.iter().map(StoredProfile::to_json).collect();
            Ok(Response::json(200, &json!({ "copyProfiles": profiles })))
        }
        (Target::Collection, "POST") => {
            let fields: ProfileFields = parse_json_object(&request.body)?;
            let settings = fields.into_new()?.validated(&own_addresses(db, &user)?)?;
            Ok(Response::json(201, &store::insert(db, &user.id, &settings)?.to_json()))
        }
        (Target::Collection, _) => Err(ApiError::method_not_allowed(&["GET", "POST"])),
        (Target::Profile(id), "GET") => {
            Ok(Response::json(200, &store::find(db, &user.id, id)?.ok_or_else(not_found)?.to_json()))
        }
        (Target::Profile(id), "PATCH") => {
            let fields: ProfileFields = parse_json_object(&request.body)?;
            let current = store::find(db, &user.id, id)?.ok_or_else(not_found)?;
            let settings = fields.apply_to(current.settings.clone())?.validated(&own_addresses(db, &user)?)?;
            Ok(Response::json(200, &store::update(db, &user.id, &current, &settings)?.to_json()))
        }
        (Target::Profile(id), "DELETE") => match store::delete(db, &user.id, id)? {
            true => Ok(Response::empty(204)),
            false => Err(not_found()),
        },
        (Target::Profile(_), _) => Err(ApiError::method_not_allowed(&["GET", "PATCH", "DELETE"])),
    }
}

/// The caller's own addresses, lowercase: their wallets and the embedded wallet in their token.
fn own_addresses(db: &impl Db, user: &User) -> Result<Vec<String>, ApiError> {
    let mut own = store::own_addresses(db, &user.id)?;
    own.extend(user.embedded_wallet_address.as_deref().map(str::to_ascii_lowercase));
    Ok(own)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_the_collection_or_one_profile() {
        assert!(matches!(target("/copy-profiles"), Some(Target::Collection)));
        assert!(matches!(target("/copy-profiles/"), Some(Target::Collection)));
        assert!(matches!(target("/copy-profiles/abc"), Some(Target::Profile("abc"))));
        assert!(target("/copy-profiles/abc/def").is_none());
        assert!(target("/copy-profilesx").is_none());
    }
}
