use std::fmt;

use crate::time::Timestamp;

/// A value crossing the database port, as a parameter or in a result row.
#[derive(Clone, Debug, PartialEq)]
pub enum SqlValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    Bytes(Vec<u8>),
    Json(serde_json::Value),
    /// A `timestamp` (without time zone) read or bound as UTC. Spin's Postgres interface cannot
    /// read or bind `timestamptz` directly: select `col AT TIME ZONE 'UTC'`, or epoch numbers.
    Timestamp(Timestamp),
    /// `numeric`, kept as its exact decimal text.
    Decimal(String),
}

/// The rows a query returned.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<SqlValue>>,
}

/// One row, with its values looked up by column name.
pub struct Row<'a> {
    columns: &'a [String],
    values: &'a [SqlValue],
}

impl Rows {
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|values| Row { columns: &self.columns, values })
    }

    pub fn first(&self) -> Option<Row<'_>> {
        self.iter().next()
    }
}

impl<'a> Row<'a> {
    pub fn get(&self, column: &str) -> Result<&'a SqlValue, DbError> {
        self.columns
            .iter()
            .position(|c| c == column)
            .map(|i| &self.values[i])
            .ok_or_else(|| DbError::Conversion(format!("no column `{column}`")))
    }

    pub fn int(&self, column: &str) -> Result<i64, DbError> {
        self.opt_int(column)?.ok_or_else(|| null(column))
    }

    /// An integer, or `None` for NULL; any other value is an error, never a default.
    pub fn opt_int(&self, column: &str) -> Result<Option<i64>, DbError> {
        match self.get(column)? {
            SqlValue::Int(v) => Ok(Some(*v)),
            SqlValue::Null => Ok(None),
            other => Err(DbError::Conversion(format!("`{column}` is not an integer: {other:?}"))),
        }
    }

    pub fn text(&self, column: &str) -> Result<String, DbError> {
        self.opt_text(column)?.ok_or_else(|| null(column))
    }

    /// Text, or `None` for NULL; any other value is an error.
    pub fn opt_text(&self, column: &str) -> Result<Option<String>, DbError> {
        match self.get(column)? {
            SqlValue::Text(s) => Ok(Some(s.clone())),
            SqlValue::Null => Ok(None),
            other => Err(DbError::Conversion(format!("`{column}` is not text: {other:?}"))),
        }
    }

    /// Text read into a domain value by `parse` (a status, a side): text it does not know is an
    /// error naming the column and the value.
    pub fn parsed<T>(&self, column: &str, parse: impl FnOnce(&str) -> Option<T>) -> Result<T, DbError> {
        let text = self.text(column)?;
        parse(&text).ok_or_else(|| DbError::Conversion(format!("`{column}` holds an unknown value {text:?}")))
    }

    /// A `numeric` as its exact decimal text, or `None` for NULL.
    pub fn opt_decimal(&self, column: &str) -> Result<Option<String>, DbError> {
        match self.get(column)? {
            SqlValue::Decimal(d) => Ok(Some(d.clone())),
            SqlValue::Null => Ok(None),
            other => Err(DbError::Conversion(format!("`{column}` is not numeric: {other:?}"))),
        }
    }

    /// `bytea`, or `None` for NULL; any other value is an error.
    pub fn opt_bytes(&self, column: &str) -> Result<Option<Vec<u8>>, DbError> {
        match self.get(column)? {
            SqlValue::Bytes(b) => Ok(Some(b.clone())),
            SqlValue::Null => Ok(None),
            other => Err(DbError::Conversion(format!("`{column}` is not bytes: {other:?}"))),
        }
    }

    pub fn bool(&self, column: &str) -> Result<bool, DbError> {
        match self.get(column)? {
            SqlValue::Bool(b) => Ok(*b),
            SqlValue::Null => Err(null(column)),
            other => Err(DbError::Conversion(format!("`{column}` is not a boolean: {other:?}"))),
        }
    }

    /// A `jsonb` value, or `None` for NULL.
    pub fn opt_json(&self, column: &str) -> Result<Option<serde_json::Value>, DbError> {
        match self.get(column)? {
            SqlValue::Json(v) => Ok(Some(v.clone())),
            SqlValue::Null => Ok(None),
            other => Err(DbError::Conversion(format!("`{column}` is not jsonb: {other:?}"))),
        }
    }

    pub fn json(&self, column: &str) -> Result<serde_json::Value, DbError> {
        self.opt_json(column)?.ok_or_else(|| null(column))
    }

    pub fn float(&self, column: &str) -> Result<f64, DbError> {
        match self.get(column)? {
            SqlValue::Float(v) => Ok(*v),
            SqlValue::Int(v) => Ok(*v as f64),
            other => Err(DbError::Conversion(format!("`{column}` is not a number: {other:?}"))),
        }
    }
}

fn null(column: &str) -> DbError {
    DbError::Conversion(format!("`{column}` is NULL"))
}

/// Why a database call failed.
#[derive(Clone, Debug, PartialEq)]
pub enum DbError {
    /// The database could not be reached.
    Unavailable(String),
    /// The server rejected the statement; `code` is the SQLSTATE when known.
    Query { code: Option<String>, message: String },
    /// A value could not be converted between Postgres and core types.
    Conversion(String),
}

impl DbError {
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, DbError::Query { code: Some(code), .. } if code == "23505")
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbError::Unavailable(m) => write!(f, "database unavailable: {m}"),
            DbError::Query { code: Some(c), message } => write!(f, "query failed ({c}): {message}"),
            DbError::Query { code: None, message } => write!(f, "query failed: {message}"),
            DbError::Conversion(m) => write!(f, "value conversion failed: {m}"),
        }
    }
}

/// Postgres. Each call is one round trip; connections are opened on first use.
pub trait Db {
    fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Rows, DbError>;
    fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<u64, DbError>;
}
