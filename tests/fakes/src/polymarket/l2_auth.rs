//! L2 authentication: the HMAC-SHA256 every order and balance call carries, over
//! `timestamp + METHOD + path + body` (path without query string, body the exact bytes sent),
//! keyed with the base64url-decoded secret, URL-safe base64 with `=` padding.

use axum::http::HeaderMap;
use base64::engine::general_purpose::URL_SAFE;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::state::IssuedKey;

/// POLY_SIGNATURE for a request, as the reference clients compute it.
pub fn l2_signature(secret: &str, timestamp: &str, method: &str, path: &str, body: &[u8]) -> String {
    let key = URL_SAFE.decode(secret).expect("base64url secret");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("any key length");
    mac.update(timestamp.as_bytes());
    mac.update(method.as_bytes());
    mac.update(path.as_bytes());
    mac.update(body);
    URL_SAFE.encode(mac.finalize().into_bytes())
}

/// The issued key a request proves, or `None` (401 "Unauthorized/Invalid api key"): the key
/// exists, the passphrase is its own, POLY_ADDRESS is its owner and the HMAC matches.
pub(crate) fn authenticate<'k>(
    headers: &HeaderMap,
    keys: &'k [IssuedKey],
    method: &str,
    path: &str,
    body: &[u8],
) -> Option<&'k IssuedKey> {
    let text = |name: &str| headers.get(name)?.to_str().ok();
    let address: alloy_primitives::Address = text("POLY_ADDRESS")?.parse().ok()?;
    let api_key = text("POLY_API_KEY")?;
    let issued = keys.iter().find(|key| key.creds.api_key == api_key)?;
    let timestamp = text("POLY_TIMESTAMP")?;
    let valid = issued.creds.passphrase == text("POLY_PASSPHRASE")?
        && issued.address == address
        && text("POLY_SIGNATURE")? == l2_signature(&issued.creds.secret, timestamp, method, path, body);
    valid.then_some(issued)
}
