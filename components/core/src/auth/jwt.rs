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
/// and `aud`. Every failure is the same 401 to the caller; the reason is kept generic so a token
/// is never echoed.
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
    decode::<Claims>(token, &key, &validation)
        .map(|data| data.claims)
        .map_err(|_| ApiError::new(ErrorCode::Unauthorized, "invalid or expired token"))
}
