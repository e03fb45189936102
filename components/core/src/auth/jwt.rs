use jsonwebtoken::{decode, Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use crate::api::{ApiError, ErrorCode};
use crate::ports::Config;
use crate::settings;

/// How Dynamic's tokens for this environment are checked.
pub struct JwtSettings {
    pub public_key_pem: String,
    pub issuer: String,
    pub audience: String,
}

impl JwtSettings {
    pub fn from_config(config: &dyn Config) -> Result<Self, ApiError> {
        Ok(JwtSettings {
            public_key_pem: settings::text(config, settings::DYNAMIC_JWT_PUBLIC_KEY)?,
            issuer: settings::text(config, settings::DYNAMIC_JWT_ISSUER)?,
            audience: settings::text(config, settings::DYNAMIC_JWT_AUDIENCE)?,
        })
    }
}

/// The claims Mirror reads from a Dynamic end-user token.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    /// One issuer, as Dynamic issues it: an array of issuers is refused (the library's own
    /// check would take one that merely contains ours).
    pub iss: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub verified_credentials: Vec<VerifiedCredential>,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct VerifiedCredential {
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub format: Option<String>,
}

impl Claims {
    /// The user's embedded (blockchain) wallet, which signs binding proofs.
    pub fn embedded_wallet(&self) -> Option<&str> {
        self.verified_credentials
            .iter()
            .find(|c| c.format.as_deref() == Some("blockchain"))
            .and_then(|c| c.address.as_deref())
    }
}

/// Verifies signature (RS256 only: `none` and HMAC algorithms are refused), `exp`, `nbf`, `iss`
/// (one string) and `aud`, and that the claims Mirror stores can be stored: a non-empty `sub` of
/// at most 128 characters, bounded `email` and wallet address, no control characters (a NUL
/// would fail the users upsert). Every failure is the same 401 to the caller; the reason is kept
/// generic so a token is never echoed.
pub fn verify_jwt(token: &str, settings: &JwtSettings) -> Result<Claims, ApiError> {
    let key = DecodingKey::from_rsa_pem(settings.public_key_pem.as_bytes()).map_err(|_| {
        ApiError::new(ErrorCode::ConfigurationError, "variable `dynamic_jwt_public_key` is not an RSA public key (PEM)")
    })?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[&settings.issuer]);
    validation.set_audience(&[&settings.audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.validate_nbf = true;
    validation.leeway = 30;
    let refused = || ApiError::new(ErrorCode::Unauthorized, "invalid or expired token");
    let claims = decode::<Claims>(token, &key, &validation).map_err(|_| refused())?.claims;
    let storable = |text: &str, max: usize| text.chars().count() <= max && !text.chars().any(char::is_control);
    let sub_ok = !claims.sub.trim().is_empty() && storable(&claims.sub, MAX_SUB_CHARS);
    let email_ok = claims.email.as_deref().is_none_or(|e| storable(e, MAX_EMAIL_CHARS));
    let wallet_ok = claims.embedded_wallet().is_none_or(|a| storable(a, MAX_ADDRESS_CHARS));
    if sub_ok && email_ok && wallet_ok {
        Ok(claims)
    } else {
        Err(refused())
    }
}

/// Longest `sub` taken: Dynamic's user ids are UUIDs; this leaves room and stops 10 KB ones.
const MAX_SUB_CHARS: usize = 128;
/// RFC 5321's longest address.
const MAX_EMAIL_CHARS: usize = 320;
/// Longest wallet address of any chain Dynamic lists.
const MAX_ADDRESS_CHARS: usize = 128;
