use serde::de::DeserializeOwned;

use super::{ApiError, ErrorCode};

/// Largest request body a route accepts.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Parses a JSON body into `T`; any problem is a VALIDATION_ERROR naming the field
/// (`unknown field`, wrong type, missing field) and nothing else of the input.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::new(ErrorCode::PayloadTooLarge, format!("body exceeds {MAX_BODY_BYTES} bytes")));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let parsed: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let reason = match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => "malformed JSON".to_string(),
            _ => describe(&inner.to_string()),
        };
        let field = if path == "." || path == "?" { String::new() } else { format!("`{path}`: ") };
        ApiError::new(ErrorCode::ValidationError, format!("{field}{reason}"))
    })?;
    deserializer
        .end()
        .map_err(|_| ApiError::new(ErrorCode::ValidationError, "malformed JSON: trailing characters"))?;
    Ok(parsed)
}

/// Parses a body that must be a JSON object into `T`. serde also fills a struct from an array,
/// field by position (and from `[]` when every field has a default): refused here.
pub fn parse_json_object<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let parsed = parse_json(body)?;
    if body.trim_ascii_start().first() != Some(&b'{') {
        return Err(ApiError::new(ErrorCode::ValidationError, "body must be a JSON object"));
    }
    Ok(parsed)
}

/// serde's message without the position suffix and without echoing the input string.
fn describe(message: &str) -> String {
    let message = message.split(" at line ").next().unwrap_or(message);
    match (message.find("string \""), message.rfind("\", expected")) {
        (Some(start), Some(end)) if end > start => format!("{}string{}", &message[..start], &message[end + 1..]),
        _ => message.to_string(),
    }
}

/// A validation error naming `field`.
pub fn invalid(field: &str, reason: &str) -> ApiError {
    ApiError::new(ErrorCode::ValidationError, format!("`{field}`: {reason}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Body {
        nonce: String,
        issued_at: i64,
    }

    fn message(body: &str) -> String {
        parse_json::<Body>(body.as_bytes()).unwrap_err().message
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(message("{"), "malformed JSON");
        assert_eq!(message(r#"{"nonce":"abc","issuedAt":"soon"}"#), "`issuedAt`: invalid type: string, expected i64");
        assert!(message(r#"{"nonce":"abc","issuedAt":1,"extra":1}"#).contains("unknown field `extra`"));
        assert!(message(r#"{"nonce":"abc"}"#).contains("missing field `issuedAt`"));
        assert_eq!(message(r#"{"nonce":"a","issuedAt":1} x"#), "malformed JSON: trailing characters");
        let big = format!(r#"{{"nonce":"{}","issuedAt":1}}"#, "a".repeat(MAX_BODY_BYTES));
        assert_eq!(parse_json::<Body>(big.as_bytes()).unwrap_err().status(), 413);
    }

    #[test]
    fn an_object_body_cannot_be_given_as_an_array() {
        assert!(parse_json::<Body>(br#"["abc", 1]"#).is_ok(), "serde's positional form");
        let err = parse_json_object::<Body>(br#"["abc", 1]"#).unwrap_err();
        assert_eq!((err.code, err.message.as_str()), (ErrorCode::ValidationError, "body must be a JSON object"));
        assert!(parse_json_object::<Body>(br#" {"nonce":"abc","issuedAt":1}"#).is_ok());
    }
}
