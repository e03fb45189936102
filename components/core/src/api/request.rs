use super::body::{invalid, quoted};
use super::ApiError;

/// An incoming request as a component sees it, independent of Spin's types.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// Path without the query string.
    pub path: String,
    pub query: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// A HEAD request as the GET it stands for, and whether it was one: HEAD is answered as GET
    /// without a body (RFC 9110 §9.3.2), so no handler needs to know it.
    pub fn head_as_get(mut self) -> (Request, bool) {
        let head = self.method == "HEAD";
        if head {
            self.method = "GET".into();
        }
        (self, head)
    }

    /// The query string's parameters: only the `allowed` names, each at most once; anything
    /// else is a VALIDATION_ERROR naming it, as every route answers an unknown parameter.
    pub fn query_params(&self, allowed: &[&str]) -> Result<Vec<(String, String)>, ApiError> {
        let mut params: Vec<(String, String)> = Vec::new();
        for pair in self.query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            if !allowed.contains(&name) {
                let known = if allowed.is_empty() {
                    "this route takes none".to_string()
                } else {
                    format!("use {}", allowed.join(", "))
                };
                return Err(invalid(&quoted(name), &format!("unknown query parameter ({known})")));
            }
            if params.iter().any(|(n, _)| n == name) {
                return Err(invalid(name, "given more than once"));
            }
            params.push((name.to_string(), value.to_string()));
        }
        Ok(params)
    }

    /// Admits the request if its method is one of `allowed` (405 with `Allow` otherwise).
    pub fn require_method(&self, allowed: &[&str]) -> Result<(), ApiError> {
        if allowed.contains(&self.method.as_str()) {
            Ok(())
        } else {
            Err(ApiError::method_not_allowed(allowed))
        }
    }

    /// The token of an `Authorization: Bearer <token>` header.
    pub fn bearer_token(&self) -> Option<&str> {
        let value = self.header("authorization")?.trim();
        let (scheme, token) = value.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_auth(value: &str) -> Request {
        Request { headers: vec![("authorization".into(), value.into())], ..Request::default() }
    }

    fn with_query(query: &str) -> Request {
        Request { query: query.into(), ..Request::default() }
    }

    #[test]
    fn query_parameters_are_the_allowed_ones_once_and_unknown_names_are_quoted_short() {
        let params = with_query("limit=5&before=x").query_params(&["limit", "before"]).unwrap();
        assert_eq!(params, vec![("limit".into(), "5".into()), ("before".into(), "x".into())]);
        assert!(with_query("limit=5&limit=6").query_params(&["limit"]).unwrap_err().message.starts_with("`limit`"));
        let long = "x".repeat(20_000);
        let err = with_query(&format!("{long}=1")).query_params(&["limit"]).unwrap_err();
        assert!(err.message.len() < 120 && err.message.contains("unknown query parameter"), "{}", err.message);
        assert!(with_query("").query_params(&[]).unwrap().is_empty());
        assert!(with_query("a=1").query_params(&[]).unwrap_err().message.contains("takes none"));
    }

    #[test]
    fn bearer_token_is_read_case_insensitively_and_rejects_other_schemes() {
        assert_eq!(with_auth("Bearer abc").bearer_token(), Some("abc"));
        assert_eq!(with_auth("bearer  abc ").bearer_token(), Some("abc"));
        assert_eq!(with_auth("Basic abc").bearer_token(), None);
        assert_eq!(with_auth("Bearer ").bearer_token(), None);
        assert_eq!(Request::default().bearer_token(), None);
    }
}
