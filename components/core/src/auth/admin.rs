//! Admin authentication: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time.

use subtle::ConstantTimeEq;

use crate::api::{ApiError, ErrorCode, Request};
use crate::ports::Config;
use crate::settings;

/// Admits the request if it carries the admin token: 401 without a bearer token, 403 with a
/// wrong one, a configuration error (not an open door) when no token is configured.
pub fn require_admin(request: &Request, config: &dyn Config) -> Result<(), ApiError> {
    let expected = settings::text(config, settings::ADMIN_TOKEN)?;
    let presented =
        request.bearer_token().ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, "admin bearer token required"))?;
    if bool::from(presented.as_bytes().ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::Forbidden, "admin token rejected"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::ConfigError;

    struct Token(Option<&'static str>);

    impl Config for Token {
        fn get(&self, name: &str) -> Result<String, ConfigError> {
            self.0.map(String::from).ok_or_else(|| ConfigError::Missing(name.into()))
        }
    }

    fn request(auth: Option<&str>) -> Request {
        Request {
            headers: auth.map(|a| vec![("authorization".into(), a.into())]).unwrap_or_default(),
            ..Request::default()
        }
    }

    #[test]
    fn admin_token_gate() {
        let cfg = Token(Some("s3cret"));
        assert_eq!(require_admin(&request(Some("Bearer s3cret")), &cfg), Ok(()));
        assert_eq!(require_admin(&request(None), &cfg).unwrap_err().status(), 401);
        assert_eq!(require_admin(&request(Some("Bearer s3cre")), &cfg).unwrap_err().status(), 403);
        assert_eq!(require_admin(&request(Some("Bearer s3cretX")), &cfg).unwrap_err().status(), 403);
        let err = require_admin(&request(Some("Bearer s3cret")), &Token(None)).unwrap_err();
        assert_eq!((err.status(), err.code), (500, ErrorCode::ConfigurationError));
        assert!(err.message.contains("admin_token"));
    }
}
