//! core's `Redis` port on Spin's Redis interface (`fermyon:spin/redis@2.0.0`).

use std::cell::OnceCell;

use mirror_core::ports::{Redis, RedisArg, RedisError, RedisValue};
use spin_sdk::redis::{Connection, RedisParameter, RedisResult};

/// A connection opened on first use, from the `redis_url` variable.
pub struct SpinRedis {
    connection: OnceCell<Result<Connection, RedisError>>,
}

impl SpinRedis {
    pub fn new() -> Self {
        SpinRedis { connection: OnceCell::new() }
    }

    fn connection(&self) -> Result<&Connection, RedisError> {
        self.connection
            .get_or_init(|| {
                let url = spin_sdk::variables::get("redis_url")
                    .map_err(|_| RedisError::Unavailable("variable `redis_url` is not set".into()))?;
                Connection::open(&url).map_err(|e| RedisError::Unavailable(e.to_string()))
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl Redis for SpinRedis {
    fn execute(&self, command: &str, args: &[RedisArg]) -> Result<Vec<RedisValue>, RedisError> {
        let params: Vec<RedisParameter> = args
            .iter()
            .map(|a| match a {
                RedisArg::Int(i) => RedisParameter::Int64(*i),
                RedisArg::Bytes(b) => RedisParameter::Binary(b.clone()),
            })
            .collect();
        let reply = self.connection()?.execute(command, &params).map_err(|e| RedisError::Command(e.to_string()))?;
        Ok(reply
            .into_iter()
            .map(|r| match r {
                RedisResult::Nil => RedisValue::Nil,
                RedisResult::Status(s) => RedisValue::Status(s),
                RedisResult::Int64(i) => RedisValue::Int(i),
                RedisResult::Binary(b) => RedisValue::Bytes(b),
            })
            .collect())
    }
}
