use serde_json::Value;

use super::ApiError;

/// An outgoing response as core builds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// A line for the component's log (an error's detail), never sent to the caller.
    pub log: Option<String>,
}

impl Response {
    pub fn json(status: u16, body: &Value) -> Self {
        Response {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
            log: None,
        }
    }

    /// A response with no body (`204 No Content`).
    pub fn empty(status: u16) -> Self {
        Response { status, headers: Vec::new(), body: Vec::new(), log: None }
    }

    /// The response to a HEAD request: the GET's status and headers, no body.
    pub fn without_body(mut self) -> Self {
        self.body.clear();
        self
    }

    /// With a line for the component's log.
    pub fn with_log(mut self, line: String) -> Self {
        self.log = Some(line);
        self
    }

    pub fn with_header(mut self, name: &str, value: String) -> Self {
        self.headers.push((name.into(), value));
        self
    }
}

/// A handler's result as the response to send: the error rendered in the one error format.
pub fn render(result: Result<Response, ApiError>) -> Response {
    result.unwrap_or_else(ApiError::into_response)
}
