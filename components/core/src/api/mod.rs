//! The HTTP shapes core handlers speak: a parsed request, a response, and the one error format
//! (`{"error": {"code", "message"}}`) every route uses.

mod body;
mod error;
mod request;
mod response;

pub use body::{
    invalid, list_limit, nul_path, parse_json, parse_json_object, quoted, DEFAULT_LIST_LIMIT, MAX_BODY_BYTES,
};
pub use error::{ApiError, ErrorCode};
pub use request::Request;
pub use response::{render, Response};
