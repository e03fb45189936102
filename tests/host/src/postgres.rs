//! `spin:postgres/postgres@4.0.0` on real Postgres, through `tokio-postgres` connection pools
//! kept per address across invocations (like Spin 3: `deadpool-postgres`, recycled "clean", so
//! no session state leaks from one invocation to the next).

#![allow(clippy::result_large_err)] // the error type is the WIT interface's, as in Spin

mod convert;

use std::collections::HashMap;
use std::sync::Mutex;

use futures::TryStreamExt;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Config, NoTls};
use wasmtime::component::Resource;

use crate::counters::Trip;
use crate::state::State;
use crate::state::spin::postgres::postgres::{self as pg, Column, DbError, Error, ParameterValue, QueryError, RowSet};

/// Largest number of connections kept per address.
const POOL_SIZE: usize = 64;

/// One pool per connection string.
#[derive(Default)]
pub(crate) struct PgPools(Mutex<HashMap<String, Pool>>);

impl PgPools {
    fn get_or_create(&self, address: &str, config: Config) -> anyhow::Result<Pool> {
        let mut pools = self.0.lock().expect("pg pools lock");
        if let Some(pool) = pools.get(address) {
            return Ok(pool.clone());
        }
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Clean });
        let pool = Pool::builder(manager).max_size(POOL_SIZE).build()?;
        pools.insert(address.to_owned(), pool.clone());
        Ok(pool)
    }
}

/// The host side of a guest's `connection` resource.
pub struct PgConnection(deadpool_postgres::Object);

impl State {
    /// The allow-list check Spin makes: every TCP host of the connection string, as
    /// `host[:port]` under the `postgres` scheme.
    fn check_pg_address(&self, config: &Config) -> Result<(), Error> {
        let ports = config.get_ports();
        for (i, host) in config.get_hosts().iter().enumerate() {
            let Host::Tcp(name) = host else {
                return Err(Error::ConnectionFailed("Unix sockets are not supported on WebAssembly".into()));
            };
            let port = ports.get(i).or(if ports.len() == 1 { ports.first() } else { None });
            let url = match port {
                Some(p) => format!("{name}:{p}"),
                None => name.clone(),
            };
            match self.policy().and_then(|p| p.allows_url(&url, "postgres")) {
                Ok(true) => {}
                Ok(false) => {
                    return Err(Error::ConnectionFailed(format!("address postgres://{url} is not permitted")));
                }
                Err(e) => return Err(Error::Other(e.to_string())),
            }
        }
        Ok(())
    }

    fn pg_client(&mut self, conn: &Resource<PgConnection>) -> Result<&mut deadpool_postgres::Object, Error> {
        self.table.get_mut(conn).map(|c| &mut c.0).map_err(|_| Error::ConnectionFailed("no connection found".into()))
    }
}

impl pg::Host for State {}

impl pg::HostConnection for State {
    async fn open(&mut self, address: String) -> Result<Resource<PgConnection>, Error> {
        let config: Config =
            address.parse().map_err(|e: tokio_postgres::Error| Error::ConnectionFailed(e.to_string()))?;
        self.check_pg_address(&config)?;
        if config.get_ssl_mode() == SslMode::Require {
            return Err(Error::ConnectionFailed(
                "sslmode=require is not supported by mirror-host, which has no TLS: use sslmode=disable".into(),
            ));
        }
        let pool =
            self.shared.pg.get_or_create(&address, config).map_err(|e| Error::ConnectionFailed(format!("{e:?}")))?;
        let client = pool.get().await.map_err(|e| Error::ConnectionFailed(format!("{e:?}")))?;
        self.counters.add(Trip::PostgresConnection);
        self.table.push(PgConnection(client)).map_err(|_| Error::ConnectionFailed("too many connections".into()))
    }

    async fn query(
        &mut self,
        conn: Resource<PgConnection>,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> Result<RowSet, Error> {
        let params = to_params(&params).map_err(|e| Error::BadParameter(format!("{e:?}")))?;
        let counters = self.counters.clone();
        let client = self.pg_client(&conn)?;
        counters.add(Trip::Postgres);
        // As Spin: an error while preparing or binding carries its SQLSTATE in `db-error`; one
        // raised while the rows are read (a unique violation from `INSERT … RETURNING`, a
        // deadlock) reaches the guest only as the text of Spin's own error value.
        let stream = client
            .query_raw(&statement, params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)))
            .await
            .map_err(query_failed)?;
        let rows: Vec<tokio_postgres::Row> = stream.try_collect().await.map_err(|e| as_spin_text(query_failed(e)))?;
        // Spin reports no columns at all for an empty result.
        let Some(first) = rows.first() else {
            return Ok(RowSet { columns: vec![], rows: vec![] });
        };
        let columns = first
            .columns()
            .iter()
            .map(|c| Column { name: c.name().to_owned(), data_type: convert::data_type(c.type_()) })
            .collect();
        let rows = rows
            .iter()
            .map(|row| (0..row.len()).map(|i| convert::db_value(row, i)).collect())
            .collect::<anyhow::Result<_>>()
            .map_err(|e| Error::QueryFailed(QueryError::Text(format!("{e:?}"))))?;
        Ok(RowSet { columns, rows })
    }

    async fn execute(
        &mut self,
        conn: Resource<PgConnection>,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> Result<u64, Error> {
        let params = to_params(&params).map_err(|e| Error::ValueConversionFailed(format!("{e:?}")))?;
        let counters = self.counters.clone();
        let client = self.pg_client(&conn)?;
        counters.add(Trip::Postgres);
        client.execute(&statement, &refs(&params)).await.map_err(query_failed)
    }

    async fn drop(&mut self, conn: Resource<PgConnection>) -> wasmtime::Result<()> {
        self.table.delete(conn)?;
        Ok(())
    }
}

type Params = Vec<Box<dyn ToSql + Send + Sync>>;

fn to_params(values: &[ParameterValue]) -> anyhow::Result<Params> {
    values.iter().map(convert::parameter).collect()
}

fn refs(params: &Params) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect()
}

/// How Spin 4.x words an error met while reading a query's rows: its own error value turned
/// into an `anyhow::Error` and Debug-formatted into `query-error::text`.
fn as_spin_text(error: Error) -> Error {
    Error::QueryFailed(QueryError::Text(format!("{:?}", anyhow::Error::from(error))))
}

/// A failed statement: `db-error` with the SQLSTATE when the server reported one.
fn query_failed(e: tokio_postgres::Error) -> Error {
    let as_text = format!("{e:?}");
    let Some(db) = e.as_db_error() else {
        return Error::QueryFailed(QueryError::Text(as_text));
    };
    let mut extras = Vec::new();
    let mut extra = |name: &str, value: Option<String>| {
        if let Some(v) = value {
            extras.push((name.to_owned(), v));
        }
    };
    extra("column", db.column().map(str::to_owned));
    extra("constraint", db.constraint().map(str::to_owned));
    extra("routine", db.routine().map(str::to_owned));
    extra("hint", db.hint().map(str::to_owned));
    extra("table", db.table().map(str::to_owned));
    extra("datatype", db.datatype().map(str::to_owned));
    extra("schema", db.schema().map(str::to_owned));
    extra("file", db.file().map(str::to_owned));
    extra("line", db.line().map(|l| l.to_string()));
    extra("where_", db.where_().map(str::to_owned));
    Error::QueryFailed(QueryError::DbError(DbError {
        as_text,
        severity: db.severity().to_owned(),
        code: db.code().code().to_owned(),
        message: db.message().to_owned(),
        detail: db.detail().map(str::to_owned),
        extras,
    }))
}
