//! End-user JWT verification: RS256 against the environment's public key, with exp/nbf/iss/aud.

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use mirror_core::api::ErrorCode;
use mirror_core::auth::{verify_jwt, JwtSettings};
use serde_json::{json, Value};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/jwt/");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}{name}")).unwrap()
}

fn settings() -> JwtSettings {
    JwtSettings {
        public_key_pem: fixture("test-only-public.pem"),
        issuer: "app.dynamicauth.com/env-1".into(),
        audience: "https://mirror.test".into(),
    }
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

fn claims() -> Value {
    json!({
        "sub": "dyn-user-1", "email": "a@example.com", "iss": "app.dynamicauth.com/env-1",
        "aud": "https://mirror.test", "exp": now() + 600, "nbf": now() - 10,
        "verified_credentials": [
            { "format": "email", "email": "a@example.com" },
            { "format": "blockchain", "address": "0x00000000000000000000000000000000000000Aa", "chain": "eip155" }
        ]
    })
}

fn sign_with(key: &str, claims: &Value) -> String {
    encode(&Header::new(Algorithm::RS256), claims, &EncodingKey::from_rsa_pem(fixture(key).as_bytes()).unwrap())
        .unwrap()
}

fn token(claims: &Value) -> String {
    sign_with("test-only-private.pem", claims)
}

fn refused(token: &str) {
    let err = verify_jwt(token, &settings()).unwrap_err();
    assert_eq!((err.code, err.status()), (ErrorCode::Unauthorized, 401));
    assert!(token.is_empty() || !err.message.contains(token), "token echoed");
}

#[test]
fn valid_token_yields_claims_and_embedded_wallet() {
    let claims = verify_jwt(&token(&claims()), &settings()).unwrap();
    assert_eq!(claims.sub, "dyn-user-1");
    assert_eq!(claims.email.as_deref(), Some("a@example.com"));
    assert_eq!(claims.embedded_wallet(), Some("0x00000000000000000000000000000000000000Aa"));
}

#[test]
fn expired_not_yet_valid_wrong_issuer_and_audience_are_refused() {
    let mut expired = claims();
    expired["exp"] = json!(now() - 120);
    refused(&token(&expired));
    let mut early = claims();
    early["nbf"] = json!(now() + 600);
    refused(&token(&early));
    let mut issuer = claims();
    issuer["iss"] = json!("app.dynamicauth.com/another-env");
    refused(&token(&issuer));
    let mut audience = claims();
    audience["aud"] = json!("https://evil.test");
    refused(&token(&audience));
    let mut no_sub = claims();
    no_sub.as_object_mut().unwrap().remove("sub");
    refused(&token(&no_sub));
}

#[test]
fn wrong_key_alg_none_hmac_and_garbage_are_refused() {
    refused(&sign_with("test-only-other-private.pem", &claims()));
    // alg=none: a header and payload with an empty signature.
    let b64 = |v: &Value| base64url(v.to_string().as_bytes());
    refused(&format!("{}.{}.", b64(&json!({ "alg": "none", "typ": "JWT" })), b64(&claims())));
    // HS256 keyed with the public key text: the classic algorithm-confusion attack.
    let hs = encode(
        &Header::new(Algorithm::HS256),
        &claims(),
        &EncodingKey::from_secret(settings().public_key_pem.as_bytes()),
    )
    .unwrap();
    refused(&hs);
    for garbage in ["", "abc", "a.b.c", "....", "eyJhbGciOiJSUzI1NiJ9.e30"] {
        refused(garbage);
    }
    // A valid token with one payload byte changed.
    let mut parts: Vec<String> = token(&claims()).split('.').map(String::from).collect();
    let mut payload = claims();
    payload["sub"] = json!("dyn-user-2");
    parts[1] = b64(&payload);
    refused(&parts.join("."));
}

#[test]
fn a_malformed_public_key_is_a_configuration_error_naming_the_variable() {
    let mut s = settings();
    s.public_key_pem = "not a key".into();
    let err = verify_jwt(&token(&claims()), &s).unwrap_err();
    assert_eq!(err.code, ErrorCode::ConfigurationError);
    assert!(err.message.contains("dynamic_jwt_public_key"));
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (*b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// An array `iss` containing ours, an empty or 10,000-character `sub`, a NUL in a stored claim:
/// each was once accepted (and the NUL failed the upsert with a 503).
#[test]
fn claims_mirror_cannot_store_as_given_are_refused() {
    let mut cases = Vec::new();
    let mut c = claims();
    c["iss"] = json!(["app.dynamicauth.com/env-1", "evil"]);
    cases.push(("iss as an array", c));
    for sub in [json!(""), json!("   "), json!("x".repeat(10_000)), json!("dyn\u{0}user")] {
        let mut c = claims();
        c["sub"] = sub;
        cases.push(("sub", c));
    }
    let mut c = claims();
    c["email"] = json!("a\u{0}@example.com");
    cases.push(("email with NUL", c));
    let mut c = claims();
    c["email"] = json!(format!("{}@example.com", "a".repeat(400)));
    cases.push(("email too long", c));
    let mut c = claims();
    c["verified_credentials"][1]["address"] = json!("0x\u{0}");
    cases.push(("wallet with NUL", c));
    for (case, claims) in cases {
        let err = verify_jwt(&token(&claims), &settings()).unwrap_err();
        assert_eq!(err.code, ErrorCode::Unauthorized, "{case}");
    }
    let mut longest = claims();
    longest["sub"] = json!("x".repeat(128));
    assert!(verify_jwt(&token(&longest), &settings()).is_ok());
}
