use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{ApiError, ErrorCode};

/// Largest request body a route accepts.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Parses a JSON body into `T`; any problem is a VALIDATION_ERROR naming the field
/// (`unknown field`, wrong type, missing field) and nothing else of the input.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::new(ErrorCode::PayloadTooLarge, format!("body exceeds {MAX_BODY_BYTES} bytes")));
    }
    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        if let Some(path) = nul_path(&value, "") {
            let field = if path.is_empty() { "body".to_string() } else { quoted(&path) };
            return Err(invalid(&field, "must not contain NUL characters"));
        }
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let parsed: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let reason = match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => "malformed JSON".to_string(),
            _ => describe(&inner.to_string()),
        };
        let field = if path == "." || path == "?" { String::new() } else { format!("`{}`: ", quoted(&path)) };
        ApiError::new(ErrorCode::ValidationError, format!("{field}{reason}"))
    })?;
    deserializer.end().map_err(|_| ApiError::new(ErrorCode::ValidationError, "malformed JSON: trailing characters"))?;
    Ok(parsed)
}

/// Parses a body that must be a JSON object into `T`. serde also fills a struct from an array,
/// field by position (and from `[]` when every field has a default): refused here.
pub fn parse_json_object<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    // Said before any field is read: `[{"txId": …}]` is refused as what it is, not by its member.
    let not_object =
        body.len() <= MAX_BODY_BYTES && serde_json::from_slice::<Value>(body).is_ok_and(|value| !value.is_object());
    if not_object {
        return Err(ApiError::new(ErrorCode::ValidationError, "body must be a JSON object"));
    }
    parse_json(body)
}

/// Where the first NUL character is, in a string or an object key, as a field path
/// (`a.b[2]`): no Postgres text column can hold one, so a body with one is refused at the edge
/// for every route at once, instead of reaching a statement that fails (a 503 for the caller).
pub fn nul_path(value: &Value, at: &str) -> Option<String> {
    match value {
        Value::String(s) => s.contains('\0').then(|| at.to_string()),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| nul_path(v, &format!("{at}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(k, v)| {
            let here = if at.is_empty() { k.clone() } else { format!("{at}.{k}") };
            if k.contains('\0') {
                Some(if at.is_empty() { "body".to_string() } else { at.to_string() })
            } else {
                nul_path(v, &here)
            }
        }),
        _ => None,
    }
}

/// serde's message without the position suffix, without echoing the input string, and with an
/// unknown field's name quoted short (a 20,000-character name once came back whole).
fn describe(message: &str) -> String {
    let message = message.split(" at line ").next().unwrap_or(message);
    let message = match (message.find("string \""), message.rfind("\", expected")) {
        (Some(start), Some(end)) if end > start => format!("{}string{}", &message[..start], &message[end + 1..]),
        _ => message.to_string(),
    };
    const UNKNOWN: &str = "unknown field `";
    match message.find(UNKNOWN).map(|i| i + UNKNOWN.len()) {
        Some(start) => match message[start..].find('`') {
            Some(len) => {
                format!("{}{}{}", &message[..start], quoted(&message[start..start + len]), &message[start + len..])
            }
            None => message,
        },
        None => message,
    }
}

/// Longest part of the caller's own text an error quotes.
const MAX_QUOTED_CHARS: usize = 40;

/// The caller's text as an error may quote it: at most 40 characters, then `…`.
pub fn quoted(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// A validation error naming `field`.
/// The `limit` of an admin list when none is given, and the most one may ask for.
pub const DEFAULT_LIST_LIMIT: i64 = 100;
pub const MAX_LIST_LIMIT: i64 = 500;

/// An admin list's `?limit=`: 1 to `MAX_LIST_LIMIT`.
pub fn list_limit(value: &str) -> Result<i64, ApiError> {
    value
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=MAX_LIST_LIMIT).contains(n))
        .ok_or_else(|| invalid("limit", "must be an integer from 1 to 500"))
}

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
    fn an_unknown_fields_name_is_quoted_short() {
        let body = format!(r#"{{"nonce":"a","issuedAt":1,"{}":1}}"#, "y".repeat(20_000));
        let m = message(&body);
        assert!(m.len() < 200 && m.contains("unknown field `yyyy") && m.contains("…`"), "{m}");
    }

    #[test]
    fn a_nul_anywhere_is_refused_naming_where() {
        assert_eq!(message(r#"{"nonce":"a\u0000b","issuedAt":1}"#), "`nonce`: must not contain NUL characters");
        let nested: Result<Value, _> = parse_json(br#"{"a":{"b":["x","\u0000"]}}"#);
        assert_eq!(nested.unwrap_err().message, "`a.b[1]`: must not contain NUL characters");
        let key: Result<Value, _> = parse_json(br#"{"k\u0000":1}"#);
        assert_eq!(key.unwrap_err().message, "`body`: must not contain NUL characters");
        assert!(parse_json::<Value>(br#"{"a":"\\u0000"}"#).is_ok(), "an escaped backslash is not a NUL");
    }

    #[test]
    fn an_object_body_cannot_be_given_as_an_array() {
        assert!(parse_json::<Body>(br#"["abc", 1]"#).is_ok(), "serde's positional form");
        let err = parse_json_object::<Body>(br#"["abc", 1]"#).unwrap_err();
        assert_eq!((err.code, err.message.as_str()), (ErrorCode::ValidationError, "body must be a JSON object"));
        assert!(parse_json_object::<Body>(br#" {"nonce":"abc","issuedAt":1}"#).is_ok());
        let err = parse_json_object::<Body>(br#"[{"nonce":5}]"#).unwrap_err();
        assert_eq!(err.message, "body must be a JSON object", "the array is named, not its member");
    }
}
