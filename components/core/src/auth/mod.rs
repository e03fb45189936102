//! Who is calling: end users by the JWT Dynamic issues them (RS256), admins by `ADMIN_TOKEN`.

mod admin;
mod jwt;
mod user;

pub use admin::require_admin;
pub use jwt::{verify_jwt, Claims, JwtSettings};
pub use user::{authenticate, User};
