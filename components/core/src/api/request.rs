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
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
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

    #[test]
    fn bearer_token_is_read_case_insensitively_and_rejects_other_schemes() {
        assert_eq!(with_auth("Bearer abc").bearer_token(), Some("abc"));
        assert_eq!(with_auth("bearer  abc ").bearer_token(), Some("abc"));
        assert_eq!(with_auth("Basic abc").bearer_token(), None);
        assert_eq!(with_auth("Bearer ").bearer_token(), None);
        assert_eq!(Request::default().bearer_token(), None);
    }
}
