use std::fmt;

/// An argument of a Redis command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedisArg {
    Int(i64),
    Bytes(Vec<u8>),
}

impl From<&str> for RedisArg {
    fn from(s: &str) -> Self {
        RedisArg::Bytes(s.as_bytes().to_vec())
    }
}

impl From<String> for RedisArg {
    fn from(s: String) -> Self {
        RedisArg::Bytes(s.into_bytes())
    }
}

impl From<i64> for RedisArg {
    fn from(v: i64) -> Self {
        RedisArg::Int(v)
    }
}

/// One element of a Redis reply. Nested arrays arrive flattened and booleans as integers, as
/// Spin's Redis interface delivers them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedisValue {
    Nil,
    Status(String),
    Int(i64),
    Bytes(Vec<u8>),
}

impl RedisValue {
    /// The value as text, if it is a string reply.
    pub fn text(&self) -> Option<String> {
        match self {
            RedisValue::Bytes(b) => String::from_utf8(b.clone()).ok(),
            RedisValue::Status(s) => Some(s.clone()),
            RedisValue::Int(i) => Some(i.to_string()),
            RedisValue::Nil => None,
        }
    }

    /// The value as an integer, accepting integer replies and decimal strings.
    pub fn int(&self) -> Option<i64> {
        match self {
            RedisValue::Int(i) => Some(*i),
            _ => self.text()?.trim().parse().ok(),
        }
    }
}

/// Why a Redis call failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedisError {
    Unavailable(String),
    Command(String),
}

impl fmt::Display for RedisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedisError::Unavailable(m) => write!(f, "redis unavailable: {m}"),
            RedisError::Command(m) => write!(f, "redis command failed: {m}"),
        }
    }
}

/// Redis. Each call is one round trip; the connection is opened on first use.
pub trait Redis {
    fn execute(&self, command: &str, args: &[RedisArg]) -> Result<Vec<RedisValue>, RedisError>;
}
