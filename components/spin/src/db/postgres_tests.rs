//! The workarounds against a real Postgres (`MIRROR_TEST_PG_URL`, which `make test` exports):
//! every wrapped shape returns exactly the rows of the statement as written, and the text forms
//! of errors are read as the SQLSTATE the server sent.

use mirror_core::ports::{Rows, SqlValue};
use tokio_postgres::types::Type;
use tokio_postgres::{Client, GenericClient, NoTls};

use super::{one_row, sqlstate};

async fn connect() -> Client {
    let url = std::env::var("MIRROR_TEST_PG_URL").expect("MIRROR_TEST_PG_URL: run with `make test`");
    let (client, connection) = tokio_postgres::connect(&url, NoTls).await.expect("connect");
    tokio::spawn(connection);
    client
        .batch_execute(
            "CREATE TEMP TABLE t (id int8 PRIMARY KEY, v text);
             INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, NULL);",
        )
        .await
        .unwrap();
    client
}

fn value(row: &tokio_postgres::Row, i: usize) -> SqlValue {
    match *row.columns()[i].type_() {
        Type::INT8 => row.get::<_, Option<i64>>(i).map_or(SqlValue::Null, SqlValue::Int),
        Type::INT4 => row.get::<_, Option<i32>>(i).map_or(SqlValue::Null, |v| SqlValue::Int(v.into())),
        Type::TEXT => row.get::<_, Option<String>>(i).map_or(SqlValue::Null, SqlValue::Text),
        ref other => panic!("type {other} not used here"),
    }
}

async fn rows(client: &impl GenericClient, sql: &str) -> Rows {
    let statement = client.prepare(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    let found = client.query(&statement, &[]).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    Rows {
        columns: statement.columns().iter().map(|c| c.name().to_string()).collect(),
        rows: found.iter().map(|r| (0..r.len()).map(|i| value(r, i)).collect()).collect(),
    }
}

/// The statement's rows as written, and as the port reads them through the wrapper, inside a
/// transaction rolled back after each, so a data-modifying statement sees the same table twice.
async fn both_ways(client: &mut Client, sql: &str) -> (Rows, Rows) {
    let tx = client.transaction().await.unwrap();
    let plain = rows(&tx, sql).await;
    tx.rollback().await.unwrap();
    let tx = client.transaction().await.unwrap();
    let wrapped = one_row::unwrap(rows(&tx, &one_row::wrap(sql).unwrap()).await).unwrap();
    tx.rollback().await.unwrap();
    (plain, wrapped)
}

#[tokio::test]
async fn every_shape_the_app_sends_returns_its_own_rows() {
    let mut client = connect().await;
    for sql in [
        "SELECT id, v FROM t WHERE id > 100",
        "SELECT id, v FROM t ORDER BY id DESC",
        "SELECT v, id FROM t ORDER BY v NULLS FIRST LIMIT 2 -- a trailing comment",
        "SELECT count(*) AS n FROM t;",
        "SELECT id FROM t ORDER BY id FOR UPDATE SKIP LOCKED",
        "INSERT INTO t VALUES (1, 'x') ON CONFLICT (id) DO NOTHING RETURNING id",
        "INSERT INTO t VALUES (4, 'd') RETURNING id, v",
        "UPDATE t SET v = 'z' WHERE id IN (1, 2) RETURNING id, v",
        "DELETE FROM t WHERE id = 99 RETURNING id",
        "WITH gone AS (DELETE FROM t WHERE id = 3 RETURNING id) SELECT id FROM gone",
        "WITH up AS (UPDATE t SET v = 'w' WHERE id = 1 RETURNING id), \"in\" (id) AS MATERIALIZED (SELECT id FROM up) \
         INSERT INTO t SELECT id + 10, ')' FROM \"in\" RETURNING id, v",
        "WITH nothing AS (SELECT id FROM t WHERE false) UPDATE t SET v = $$ ( $$ WHERE id IN (SELECT id FROM nothing) RETURNING id",
    ] {
        let (plain, wrapped) = both_ways(&mut client, sql).await;
        assert_eq!(wrapped, plain, "{sql}");
    }
}

/// Spin 3.x put the driver's error into `query-error::text` as an `anyhow::Error`'s Debug form.
#[tokio::test]
async fn spin3s_text_of_a_unique_violation_gives_its_sqlstate() {
    let client = connect().await;
    let error = client.query("INSERT INTO t VALUES (1, 'again') RETURNING id", &[]).await.unwrap_err();
    let text = format!("{:?}", anyhow::Error::from(error));
    assert_eq!(sqlstate::from_text(&text).as_deref(), Some("23505"), "{text}");
}
