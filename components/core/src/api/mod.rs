//! The HTTP shapes core handlers speak: a parsed request, a response, and the one error format
//! (`{"error": {"code", "message"}}`) every route uses.

mod error;
mod request;
mod response;

pub use error::{ApiError, ErrorCode};
pub use request::Request;
pub use response::Response;
