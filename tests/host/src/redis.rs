//! `fermyon:spin/redis@2.0.0` on real Redis. Connections are pooled per address across
//! invocations (a guest's `open` takes one, its drop gives it back), so `open` is cheap and no
//! two invocations share a connection at once (`MULTI` stays per guest, as on Spin).
//!
//! Results follow Spin: errors are `other(message)` except a type error on `sadd`; a denied
//! address is `invalid-address`; `execute` flattens nested arrays and maps booleans to
//! integers, doubles and big numbers to their text, `OK` to `status("OK")`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use redis::aio::MultiplexedConnection;
use redis::{AsyncCommands, Value};
use wasmtime::component::Resource;

use crate::counters::Trip;
use crate::state::State;
use crate::state::fermyon::spin::redis::{self as r, Error, RedisParameter, RedisResult};

/// Idle connections per address.
#[derive(Default)]
pub(crate) struct RedisPools(Arc<Mutex<HashMap<String, Vec<MultiplexedConnection>>>>);

/// The host side of a guest's `connection` resource: returned to its pool when dropped.
pub struct RedisConnection {
    conn: MultiplexedConnection,
    address: String,
    pools: Arc<Mutex<HashMap<String, Vec<MultiplexedConnection>>>>,
    /// Ran a command that changes connection state (`MULTI`, `SELECT`, ...): not reused.
    dirty: bool,
}

/// Commands after which a connection is closed instead of going back to the pool.
const STATEFUL: &[&str] = &[
    "MULTI",
    "WATCH",
    "SELECT",
    "SUBSCRIBE",
    "PSUBSCRIBE",
    "SSUBSCRIBE",
    "MONITOR",
    "CLIENT",
    "AUTH",
    "HELLO",
    "RESET",
    "READONLY",
    "READWRITE",
];

impl Drop for RedisConnection {
    fn drop(&mut self) {
        if self.dirty {
            return;
        }
        if let Ok(mut pools) = self.pools.lock() {
            pools.entry(self.address.clone()).or_default().push(self.conn.clone());
        }
    }
}

impl RedisPools {
    async fn take(&self, address: &str) -> Result<RedisConnection, Error> {
        let idle = self.0.lock().expect("redis pools lock").get_mut(address).and_then(Vec::pop);
        let conn = match idle {
            Some(c) => c,
            None => redis::Client::open(address)
                .map_err(|_| Error::InvalidAddress)?
                .get_multiplexed_async_connection()
                .await
                .map_err(other)?,
        };
        Ok(RedisConnection { conn, address: address.to_owned(), pools: self.0.clone(), dirty: false })
    }
}

fn other(e: impl std::fmt::Display) -> Error {
    Error::Other(e.to_string())
}

impl State {
    /// The connection of `res`, counting one round trip.
    fn redis(&mut self, res: &Resource<RedisConnection>) -> Result<&mut MultiplexedConnection, Error> {
        Ok(&mut self.redis_connection(res)?.conn)
    }

    fn redis_connection(&mut self, res: &Resource<RedisConnection>) -> Result<&mut RedisConnection, Error> {
        self.counters.add(Trip::Redis);
        self.table.get_mut(res).map_err(|_| Error::Other("could not find connection for resource".into()))
    }
}

impl r::Host for State {}

impl r::HostConnection for State {
    async fn open(&mut self, address: String) -> Result<Resource<RedisConnection>, Error> {
        let allowed = self.policy().and_then(|p| p.allows_url(&address, "redis")).map_err(other)?;
        if !allowed {
            return Err(Error::InvalidAddress);
        }
        let conn = self.shared.redis.take(&address).await?;
        self.counters.add(Trip::RedisConnection);
        self.table.push(conn).map_err(|_| Error::TooManyConnections)
    }

    async fn publish(
        &mut self,
        res: Resource<RedisConnection>,
        channel: String,
        payload: Vec<u8>,
    ) -> Result<(), Error> {
        self.redis(&res)?.publish::<_, _, ()>(&channel, &payload).await.map_err(other)
    }

    async fn get(&mut self, res: Resource<RedisConnection>, key: String) -> Result<Option<Vec<u8>>, Error> {
        self.redis(&res)?.get(&key).await.map_err(other)
    }

    async fn set(&mut self, res: Resource<RedisConnection>, key: String, value: Vec<u8>) -> Result<(), Error> {
        self.redis(&res)?.set::<_, _, ()>(&key, &value).await.map_err(other)
    }

    async fn incr(&mut self, res: Resource<RedisConnection>, key: String) -> Result<i64, Error> {
        self.redis(&res)?.incr(&key, 1).await.map_err(other)
    }

    async fn del(&mut self, res: Resource<RedisConnection>, keys: Vec<String>) -> Result<u32, Error> {
        self.redis(&res)?.del(&keys).await.map_err(other)
    }

    async fn sadd(&mut self, res: Resource<RedisConnection>, key: String, values: Vec<String>) -> Result<u32, Error> {
        self.redis(&res)?
            .sadd(&key, &values)
            .await
            .map_err(|e| if e.kind() == redis::ErrorKind::UnexpectedReturnType { Error::TypeError } else { other(e) })
    }

    async fn smembers(&mut self, res: Resource<RedisConnection>, key: String) -> Result<Vec<String>, Error> {
        self.redis(&res)?.smembers(&key).await.map_err(other)
    }

    async fn srem(&mut self, res: Resource<RedisConnection>, key: String, values: Vec<String>) -> Result<u32, Error> {
        self.redis(&res)?.srem(&key, &values).await.map_err(other)
    }

    async fn execute(
        &mut self,
        res: Resource<RedisConnection>,
        command: String,
        arguments: Vec<RedisParameter>,
    ) -> Result<Vec<RedisResult>, Error> {
        let mut cmd = redis::cmd(&command);
        for arg in arguments {
            match arg {
                RedisParameter::Int64(v) => cmd.arg(v),
                RedisParameter::Binary(v) => cmd.arg(v),
            };
        }
        let connection = self.redis_connection(&res)?;
        connection.dirty |= STATEFUL.iter().any(|c| c.eq_ignore_ascii_case(&command));
        let value: Value = cmd.query_async(&mut connection.conn).await.map_err(other)?;
        let mut results = Vec::new();
        flatten(value, &mut results).map_err(Error::Other)?;
        Ok(results)
    }

    async fn drop(&mut self, res: Resource<RedisConnection>) -> wasmtime::Result<()> {
        self.table.delete(res)?;
        Ok(())
    }
}

/// Spin's mapping of a reply to `execute`'s flat list of results.
fn flatten(value: Value, out: &mut Vec<RedisResult>) -> Result<(), String> {
    let unsupported = |what: &str| Err(format!("Could not convert Redis response: {what}"));
    match value {
        Value::Nil => out.push(RedisResult::Nil),
        Value::Int(v) => out.push(RedisResult::Int64(v)),
        Value::BulkString(b) => out.push(RedisResult::Binary(b)),
        Value::SimpleString(s) => out.push(RedisResult::Status(s)),
        Value::Okay => out.push(RedisResult::Status("OK".to_owned())),
        Value::Array(items) | Value::Set(items) => {
            for item in items {
                flatten(item, out)?;
            }
        }
        Value::Double(v) => out.push(RedisResult::Binary(v.to_string().into_bytes())),
        Value::Boolean(b) => out.push(RedisResult::Int64(i64::from(b))),
        Value::BigNumber(n) => out.push(RedisResult::Binary(n)),
        Value::Map(_) => return unsupported("Redis Map type is not supported"),
        Value::Attribute { .. } => return unsupported("Redis Attribute type is not supported"),
        Value::VerbatimString { .. } => {
            return unsupported("Redis string with format attribute is not supported");
        }
        Value::Push { .. } => return unsupported("Redis Pub/Sub types are not supported"),
        Value::ServerError(e) => return Err(format!("Server error: {e:?}")),
        _ => return unsupported("unknown Redis value"),
    }
    Ok(())
}
