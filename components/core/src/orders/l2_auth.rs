//! L2 authentication: the per-request HMAC that API credentials sign every trading call with.

use std::fmt;

use alloy_primitives::Address;
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::OrderError;

/// API credentials from `POST /auth/api-key` or `GET /auth/derive-api-key`
/// (`{apiKey, secret, passphrase}`).
#[derive(Clone, PartialEq, Eq)]
pub struct ApiCredentials {
    pub api_key: String,
    pub secret: String,
    pub passphrase: String,
}

/// Shows the key only: the secret and passphrase must not reach logs.
impl fmt::Debug for ApiCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiCredentials")
            .field("api_key", &self.api_key)
            .field("secret", &"<redacted>")
            .field("passphrase", &"<redacted>")
            .finish()
    }
}

/// The client maps `-`/`_` to `+`/`/` and pads before `atob`, so either alphabet and optional
/// padding decode; the standard alphabet after that mapping covers both.
const SECRET_DECODER: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// `POLY_SIGNATURE` of an L2 request: HMAC-SHA256, keyed with the base64-decoded `secret`, over
/// `timestamp + method + request_path + body`, as URL-safe base64 with `=` padding
/// (clob-client-v2 `buildPolyHmacSignature`). `body` must be the exact bytes sent (empty for
/// none); `request_path` is the path without the query string, which is not signed.
pub fn l2_signature(
    secret: &str,
    timestamp_secs: u64,
    method: &str,
    request_path: &str,
    body: &[u8],
) -> Result<String, OrderError> {
    let normalized: String = secret
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            other => other,
        })
        .collect();
    let key = SECRET_DECODER.decode(normalized).map_err(|_| OrderError::InvalidApiSecret)?;
    if key.is_empty() {
        return Err(OrderError::InvalidApiSecret);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes keys of any length");
    mac.update(timestamp_secs.to_string().as_bytes());
    mac.update(method.as_bytes());
    mac.update(request_path.as_bytes());
    mac.update(body);
    Ok(URL_SAFE.encode(mac.finalize().into_bytes()))
}

/// The L2 headers of a request (clob-client-v2 `createL2Headers`). `address` is the signing
/// wallet the credentials were created for, not the funder.
pub fn l2_headers(
    creds: &ApiCredentials,
    address: Address,
    timestamp_secs: u64,
    method: &str,
    request_path: &str,
    body: &[u8],
) -> Result<Vec<(String, String)>, OrderError> {
    Ok(vec![
        ("POLY_ADDRESS".into(), address.to_checksum(None)),
        ("POLY_SIGNATURE".into(), l2_signature(&creds.secret, timestamp_secs, method, request_path, body)?),
        ("POLY_TIMESTAMP".into(), timestamp_secs.to_string()),
        ("POLY_API_KEY".into(), creds.api_key.clone()),
        ("POLY_PASSPHRASE".into(), creds.passphrase.clone()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_secret_and_passphrase() {
        let creds = ApiCredentials { api_key: "key-1".into(), secret: "c2VjcmV0".into(), passphrase: "hunter2".into() };
        let shown = format!("{creds:?}");
        assert!(shown.contains("key-1"));
        assert!(!shown.contains("c2VjcmV0") && !shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn empty_or_malformed_secrets_are_refused() {
        for bad in ["", "not base64!", "a"] {
            assert_eq!(l2_signature(bad, 1, "GET", "/", b"").unwrap_err(), OrderError::InvalidApiSecret, "{bad:?}");
        }
    }
}
