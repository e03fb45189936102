//! Per-invocation round-trip counters (docs/architecture.md §10).
//!
//! The counters live outside the `Store` (shared through an `Arc`) so that an invocation that
//! traps or times out still reports what it did before it stopped.

use std::sync::atomic::{AtomicU32, Ordering};

/// Round trips one invocation made to the outside world.
///
/// - `postgres`: each `query` / `execute` sent to the server;
/// - `postgres_connections`: each successful `connection.open`;
/// - `redis`: each Redis method call (`get`, `set`, ..., `execute`) sent to the server;
/// - `redis_connections`: each successful `connection.open`;
/// - `http`: each outbound request that passed `allowed_outbound_hosts` and was sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundTrips {
    pub postgres: u32,
    pub postgres_connections: u32,
    pub redis: u32,
    pub redis_connections: u32,
    pub http: u32,
}

/// What a counter counts.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Trip {
    Postgres,
    PostgresConnection,
    Redis,
    RedisConnection,
    Http,
}

/// The live, shared counters of one invocation.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    postgres: AtomicU32,
    postgres_connections: AtomicU32,
    redis: AtomicU32,
    redis_connections: AtomicU32,
    http: AtomicU32,
}

impl Counters {
    pub(crate) fn add(&self, trip: Trip) {
        let counter = match trip {
            Trip::Postgres => &self.postgres,
            Trip::PostgresConnection => &self.postgres_connections,
            Trip::Redis => &self.redis,
            Trip::RedisConnection => &self.redis_connections,
            Trip::Http => &self.http,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> RoundTrips {
        RoundTrips {
            postgres: self.postgres.load(Ordering::Relaxed),
            postgres_connections: self.postgres_connections.load(Ordering::Relaxed),
            redis: self.redis.load(Ordering::Relaxed),
            redis_connections: self.redis_connections.load(Ordering::Relaxed),
            http: self.http.load(Ordering::Relaxed),
        }
    }
}

impl std::fmt::Display for RoundTrips {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pg={} pg_conn={} redis={} redis_conn={} http={}",
            self.postgres, self.postgres_connections, self.redis, self.redis_connections, self.http
        )
    }
}
