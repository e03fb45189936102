//! The Spin side of Mirror: core's ports implemented with spin-sdk 5.2, and the request and
//! tick wrappers that keep every component a few lines long. The only library that knows Spin.

mod clock;
mod config;
mod db;
pub mod http;
mod outbound;
mod platform;
mod random;
mod redis;
mod timer;

pub use platform::SpinPlatform;
