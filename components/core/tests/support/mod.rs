//! core's `Redis` port on a real Redis, for tests of the Lua scripts. Replies are flattened the
//! way Spin's Redis interface flattens them. Each `TestRedis` gets a database of its own.
// Shared by the signing tests and the signing bench, each of which uses part of it.
#![allow(dead_code)]

use std::sync::Mutex;

use mirror_core::ports::{Redis, RedisArg, RedisError, RedisValue};
use mirror_core::signing::SigningLimits;

/// The runbook's signing numbers: 30/user and 300 global per minute; 10 failures in 5 minutes
/// open the breaker for 2 minutes; 3 probes, 3 successes to close.
pub fn runbook_limits() -> SigningLimits {
    SigningLimits {
        user_limit: 30,
        global_limit: 300,
        window_ms: 60_000,
        failure_threshold: 10,
        failure_window_ms: 300_000,
        open_ms: 120_000,
        half_open_probes: 3,
        successes_to_close: 3,
    }
}

pub struct TestRedis {
    url: String,
    connection: Mutex<redis::Connection>,
}

impl TestRedis {
    /// A fresh, empty database on the test Redis (`MIRROR_TEST_REDIS_URL`, set by `make test`).
    pub fn fresh() -> TestRedis {
        let base = std::env::var("MIRROR_TEST_REDIS_URL")
            .expect("MIRROR_TEST_REDIS_URL is not set: run the suites with `make test`");
        let mut zero = redis::Client::open(format!("{base}/0")).unwrap().get_connection().unwrap();
        let n: u64 = redis::cmd("INCR").arg("mirror:test:next-db").query(&mut zero).unwrap();
        let url = format!("{base}/{}", 1 + n % 1023);
        let redis = TestRedis::connect(&url);
        redis::cmd("FLUSHDB").exec(&mut redis.connection.lock().unwrap()).unwrap();
        redis
    }

    /// Another connection to the same database, as another instance of a component would have.
    pub fn another(&self) -> TestRedis {
        TestRedis::connect(&self.url)
    }

    fn connect(url: &str) -> TestRedis {
        let connection = redis::Client::open(url).unwrap().get_connection().unwrap();
        TestRedis { url: url.to_string(), connection: Mutex::new(connection) }
    }

    pub fn hget(&self, key: &str, field: &str) -> Option<String> {
        redis::cmd("HGET").arg(key).arg(field).query(&mut self.connection.lock().unwrap()).unwrap()
    }
}

impl Redis for TestRedis {
    fn execute(&self, command: &str, args: &[RedisArg]) -> Result<Vec<RedisValue>, RedisError> {
        let mut cmd = redis::cmd(command);
        for arg in args {
            match arg {
                RedisArg::Int(i) => cmd.arg(*i),
                RedisArg::Bytes(b) => cmd.arg(b.as_slice()),
            };
        }
        let value: redis::Value =
            cmd.query(&mut self.connection.lock().unwrap()).map_err(|e| RedisError::Command(e.to_string()))?;
        let mut out = Vec::new();
        flatten(value, &mut out);
        Ok(out)
    }
}

fn flatten(value: redis::Value, out: &mut Vec<RedisValue>) {
    match value {
        redis::Value::Nil => out.push(RedisValue::Nil),
        redis::Value::Int(i) => out.push(RedisValue::Int(i)),
        redis::Value::BulkString(b) => out.push(RedisValue::Bytes(b)),
        redis::Value::SimpleString(s) => out.push(RedisValue::Status(s)),
        redis::Value::Okay => out.push(RedisValue::Status("OK".into())),
        redis::Value::Boolean(b) => out.push(RedisValue::Int(b.into())),
        redis::Value::Array(items) | redis::Value::Set(items) => items.into_iter().for_each(|v| flatten(v, out)),
        other => panic!("unexpected reply {other:?}"),
    }
}
