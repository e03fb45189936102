//! core's `Db` port on Spin's Postgres interface (`spin:postgres/postgres@4.0.0`).

mod one_row;
#[cfg(test)]
mod postgres_tests;
mod sqlstate;

use std::cell::OnceCell;

use mirror_core::ports::{Db, DbError, Rows, SqlValue};
use mirror_core::time::Timestamp;
use spin_sdk::pg4::{Connection, DbValue, ParameterValue, PgError, QueryError};

/// A connection opened on first use, from the `database_url` variable.
pub struct SpinDb {
    connection: OnceCell<Result<Connection, DbError>>,
}

impl SpinDb {
    pub fn new() -> Self {
        SpinDb { connection: OnceCell::new() }
    }

    fn connection(&self) -> Result<&Connection, DbError> {
        self.connection
            .get_or_init(|| {
                let url = spin_sdk::variables::get("database_url")
                    .map_err(|_| DbError::Unavailable("variable `database_url` is not set".into()))?;
                Connection::open(&url).map_err(from_pg_error)
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl Db for SpinDb {
    fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Rows, DbError> {
        let params: Vec<ParameterValue> = params.iter().map(to_parameter).collect();
        let set = self.connection()?.query(&one_row::wrap(sql)?, &params).map_err(from_pg_error)?;
        let rows = set
            .rows
            .into_iter()
            .map(|row| row.into_iter().map(from_db_value).collect::<Result<Vec<_>, _>>())
            .collect::<Result<Vec<_>, _>>()?;
        one_row::unwrap(Rows { columns: set.columns.into_iter().map(|c| c.name).collect(), rows })
    }

    fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<u64, DbError> {
        let params: Vec<ParameterValue> = params.iter().map(to_parameter).collect();
        self.connection()?.execute(sql, &params).map_err(from_pg_error)
    }
}

fn to_parameter(value: &SqlValue) -> ParameterValue {
    match value {
        SqlValue::Null => ParameterValue::DbNull,
        SqlValue::Bool(b) => ParameterValue::Boolean(*b),
        SqlValue::Int(i) => ParameterValue::Int64(*i),
        SqlValue::Float(f) => ParameterValue::Floating64(*f),
        SqlValue::Text(s) => ParameterValue::Str(s.clone()),
        SqlValue::Bytes(b) => ParameterValue::Binary(b.clone()),
        SqlValue::Json(j) => ParameterValue::Jsonb(j.to_string().into_bytes()),
        SqlValue::Timestamp(t) => ParameterValue::Datetime(t.to_civil()),
        SqlValue::Decimal(d) => ParameterValue::Decimal(d.clone()),
    }
}

fn from_db_value(value: DbValue) -> Result<SqlValue, DbError> {
    Ok(match value {
        DbValue::DbNull => SqlValue::Null,
        DbValue::Boolean(b) => SqlValue::Bool(b),
        DbValue::Int8(i) => SqlValue::Int(i.into()),
        DbValue::Int16(i) => SqlValue::Int(i.into()),
        DbValue::Int32(i) => SqlValue::Int(i.into()),
        DbValue::Int64(i) => SqlValue::Int(i),
        DbValue::Floating32(f) => SqlValue::Float(f.into()),
        DbValue::Floating64(f) => SqlValue::Float(f),
        DbValue::Str(s) | DbValue::Uuid(s) => SqlValue::Text(s),
        DbValue::Binary(b) => SqlValue::Bytes(b),
        DbValue::Jsonb(bytes) => {
            SqlValue::Json(serde_json::from_slice(&bytes).map_err(|e| DbError::Conversion(format!("jsonb: {e}")))?)
        }
        DbValue::Datetime(civil) => SqlValue::Timestamp(Timestamp::from_civil(civil)),
        DbValue::Decimal(d) => SqlValue::Decimal(d),
        other => return Err(DbError::Conversion(format!("unsupported column value {other:?}"))),
    })
}

fn from_pg_error(error: PgError) -> DbError {
    match error {
        PgError::ConnectionFailed(m) => DbError::Unavailable(m),
        PgError::QueryFailed(QueryError::DbError(e)) => DbError::Query { code: Some(e.code), message: e.message },
        PgError::QueryFailed(QueryError::Text(m)) => DbError::Query { code: sqlstate::from_text(&m), message: m },
        PgError::BadParameter(m) | PgError::ValueConversionFailed(m) => DbError::Conversion(m),
        PgError::Other(m) => DbError::Query { code: None, message: m },
    }
}
