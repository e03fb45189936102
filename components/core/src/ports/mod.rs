//! The small interfaces core is written against. `components/spin` implements them with
//! spin-sdk; tests implement them in memory.

mod clock;
mod config;
mod db;
mod http;
mod random;
mod redis;

pub use clock::Clock;
pub use config::{Config, ConfigError};
pub use db::{Db, DbError, Row, Rows, SqlValue};
pub use http::{Http, HttpError, HttpRequest, HttpResponse};
pub use random::Random;
pub use redis::{Redis, RedisArg, RedisError, RedisValue};

/// Everything one invocation of a component may touch.
pub trait Platform {
    type Db: Db;
    type Redis: Redis;
    type Http: Http;

    fn db(&self) -> &Self::Db;
    fn redis(&self) -> &Self::Redis;
    fn http(&self) -> &Self::Http;
    fn clock(&self) -> &dyn Clock;
    fn config(&self) -> &dyn Config;
    fn random(&self) -> &dyn Random;

    /// Waits without blocking the host (backoff between retries).
    fn sleep(&self, duration: std::time::Duration) -> impl std::future::Future<Output = ()>;
}
