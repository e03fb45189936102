//! `spin:postgres/postgres@4.0.0` against real Postgres, with Spin's type mapping, as the guest
//! sees it (the guest reports `Debug` text of the spin-sdk 5.2 values).
mod common;

use common::{enc, get, json, load, services_vars};
use serde_json::Value;

/// `(type, first value)` of a column in the guest's description of a row-set.
fn col(body: &Value, name: &str) -> (String, String) {
    let c = &body[name];
    (c["type"].as_str().unwrap_or_default().to_owned(), c["values"][0].as_str().unwrap_or_default().to_owned())
}

async fn run(op: &str) -> Value {
    let host = load("services", &services_vars().await).await;
    json(&host.handle(get(&format!("/pg?op={op}"))).await)
}

#[tokio::test]
async fn reads_every_mapped_type() {
    let body = run("pg-types").await;
    for (name, ty, value) in [
        ("i2", "Int16", "Int16(1)"),
        ("i4", "Int32", "Int32(2)"),
        ("i8", "Int64", "Int64(3)"),
        ("f4", "Floating32", "Floating32(1.5)"),
        ("f8", "Floating64", "Floating64(2.25)"),
        ("t", "Str", "Str(\"txt\")"),
        ("vc", "Str", "Str(\"vc\")"),
        ("ch", "Str", "Str(\"ch \")"),
        ("b", "Boolean", "Boolean(true)"),
        ("bytes", "Binary", "Binary([1, 2, 255])"),
        ("d", "Date", "Date((2024, 2, 29))"),
        ("tm", "Time", "Time((3, 4, 5, 123456000))"),
        ("ts", "Datetime", "Datetime((2024, 2, 29, 3, 4, 5, 500000000))"),
        ("u", "Uuid", "Uuid(\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\")"),
        ("n", "Decimal", "Decimal(\"12.3450\")"),
        ("a4", "ArrayInt32", "ArrayInt32([Some(1), None, Some(3)])"),
        ("a8", "ArrayInt64", "ArrayInt64([Some(4)])"),
        ("at", "ArrayStr", "ArrayStr([Some(\"x\"), None])"),
        ("an", "ArrayDecimal", "ArrayDecimal([Some(\"1.5\"), None])"),
        ("iv", "Interval", "Interval(Interval { micros: 14706700000, days: 3, months: 14 })"),
        ("nul", "Str", "DbNull"),
        (
            "r4",
            "RangeInt32",
            "RangeInt32((Some((1, RangeBoundKind::Inclusive)), Some((5, RangeBoundKind::Exclusive))))",
        ),
        ("r8", "RangeInt64", "RangeInt64((None, Some((11, RangeBoundKind::Exclusive))))"),
        (
            "rn",
            "RangeDecimal",
            "RangeDecimal((Some((\"1.5\", RangeBoundKind::Inclusive)), Some((\"2.5\", RangeBoundKind::Inclusive))))",
        ),
        // Types without a mapping: their name, and the raw binary value.
        ("js", "Other(\"json\")", "Unsupported([123, 34, 107, 34, 58, 32, 49, 125])"),
        ("o", "Other(\"oid\")", "Unsupported([0, 0, 0, 42])"),
    ] {
        assert_eq!(col(&body, name), (format!("DbDataType::{ty}"), format!("DbValue::{value}")), "{name}");
    }
    // jsonb is re-serialised compactly.
    let (_, j) = col(&body, "j");
    let bytes: Vec<u8> = j
        .trim_start_matches("DbValue::Jsonb([")
        .trim_end_matches("])")
        .split(", ")
        .map(|b| b.parse().unwrap())
        .collect();
    assert_eq!(String::from_utf8(bytes).unwrap(), r#"{"a":null,"b":[1,2]}"#);
}

#[tokio::test]
async fn binds_every_parameter_type() {
    let body = run("pg-params").await;
    for (name, value) in [
        ("b", "Boolean(true)"),
        ("i2", "Int16(-2)"),
        ("i4", "Int32(-3)"),
        ("i8", "Int64(1099511627776)"),
        ("f4", "Floating32(0.5)"),
        ("f8", "Floating64(-1.25)"),
        ("t", "Str(\"héllo\")"),
        ("bytes", "Binary([0, 1, 255])"),
        ("d", "Date((2023, 12, 31))"),
        ("tm", "Time((23, 59, 58, 1000))"),
        ("ts", "Datetime((2023, 12, 31, 23, 59, 58, 7000))"),
        // `timestamp(s64)` binds seconds since the epoch as a timestamptz.
        ("tstz_epoch", "Int64(86400)"),
        ("u", "Uuid(\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\")"),
        ("j", "Jsonb([123, 34, 120, 34, 58, 91, 116, 114, 117, 101, 93, 125])"),
        ("n", "Decimal(\"-0.0100\")"),
        ("a4", "ArrayInt32([Some(1), None])"),
        ("a8", "ArrayInt64([Some(-1)])"),
        ("at", "ArrayStr([Some(\"a\"), None])"),
        ("an", "ArrayDecimal([Some(\"1.10\")])"),
        ("iv", "Interval(Interval { micros: 1500000, days: 2, months: 3 })"),
        ("nul", "DbNull"),
    ] {
        assert_eq!(col(&body, name).1, format!("DbValue::{value}"), "{name}");
    }
}

/// Spin declares timestamptz columns as `datetime` but reads them through a naive date-time,
/// which tokio-postgres refuses: reading one, or binding a `datetime` to one, fails the query.
/// `AT TIME ZONE 'UTC'` (a plain timestamp) is the way through, on Spin and here.
#[tokio::test]
async fn timestamptz_behaves_as_on_spin() {
    let body = run("pg-timestamptz").await;
    let read = body["read"].as_str().unwrap();
    assert!(read.starts_with("Err(Error::QueryFailed(QueryError::Text("), "{read}");
    assert!(read.contains("NaiveDateTime") && read.contains("timestamptz"), "{read}");
    let write = body["write_datetime"].as_str().unwrap();
    assert!(write.starts_with("Err(Error::QueryFailed(QueryError::Text("), "{write}");
    assert_eq!(
        col(&body["at_time_zone_utc"], "at"),
        ("DbDataType::Datetime".into(), "DbValue::Datetime((2024, 1, 1, 0, 0, 0, 0))".into())
    );
}

/// As on Spin 4.0.2: an error raised while a query's rows are read reaches the guest as the
/// text of Spin's own error value (a copy of what Spin answered to an out-of-range insert:
/// `Error::QueryFailed(QueryError::DbError(DbError { as-text: "…", severity: "ERROR", code:
/// "22003", … }))` followed by a backtrace when one was captured), not as `db-error`.
#[tokio::test]
async fn a_unique_violation_from_a_query_is_text_as_on_spin() {
    let body = run("pg-unique").await;
    let text = body["returningText"].as_str().unwrap_or_else(|| panic!("{}", body["returning"]));
    assert!(
        text.starts_with("Error::QueryFailed(QueryError::DbError(DbError { as-text: \"Error { kind: Db, cause: Some(DbError { severity: \\\"ERROR\\\", parsed_severity: Some(Error), code: SqlState(E23505)"),
        "{text}"
    );
    assert!(text.contains("\", severity: \"ERROR\", code: \"23505\", message: \"duplicate key value violates unique constraint \\\"uniq_pkey\\\"\""), "{text}");
}

#[tokio::test]
async fn unique_violation_carries_sqlstate_and_empty_results_have_no_columns() {
    let body = run("pg-unique").await;
    assert_eq!(body["first"], "Ok(1)");
    assert_eq!(body["code"], "23505");
    let second = body["second"].as_str().unwrap();
    assert!(second.starts_with("Err(Error::QueryFailed(QueryError::DbError(DbError {"), "{second}");
    assert!(second.contains("severity: \"ERROR\""), "{second}");
    assert!(second.contains("detail: Some(\"Key (k)=(a) already exists.\")"), "{second}");
    assert!(second.contains("(\"constraint\", \"uniq_pkey\")"), "{second}");
    assert_eq!(body["empty"], serde_json::json!({}));
}

#[tokio::test]
async fn open_enforces_allowed_hosts_and_sslmode() {
    let vars = services_vars().await;
    let pg_url = vars.iter().find(|(k, _)| *k == "pg_url").unwrap().1.clone();
    let host = load("services", &vars).await;
    let open = |url: String| {
        let host = host.clone();
        async move { json(&host.handle(get(&format!("/pg?op=pg-open&url={}", enc(&url)))).await) }
    };
    assert_eq!(open(pg_url.clone()).await, "Ok(())");
    // Same server, spelled `localhost`: not the allowed `127.0.0.1`.
    let port = url::Url::parse(&pg_url).unwrap().port().unwrap();
    let localhost = pg_url.replace("127.0.0.1", "localhost");
    assert_eq!(
        open(localhost).await,
        format!("Err(Error::ConnectionFailed(\"address postgres://localhost:{port} is not permitted\"))")
    );
    let other_port = pg_url.replace(&format!(":{port}/"), ":1/");
    assert_eq!(
        open(other_port).await,
        "Err(Error::ConnectionFailed(\"address postgres://127.0.0.1:1 is not permitted\"))"
    );
    let require = pg_url.replace("sslmode=disable", "sslmode=require");
    let err = open(require).await;
    assert!(err.as_str().unwrap().contains("sslmode=require is not supported"), "{err}");
    let err = open("hello".into()).await;
    assert!(err.as_str().unwrap().starts_with("Err(Error::ConnectionFailed("), "{err}");
}
