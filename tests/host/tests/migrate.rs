//! The sqlx-compatible migrator.
mod common;

use std::path::{Path, PathBuf};

use common::{fresh_database, unique};
use mirror_test_host::migrate::migrate;
use sha2::{Digest, Sha384};

fn dir_with(files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(unique("mirror-host-migrations"));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, sql) in files {
        std::fs::write(dir.join(name), sql).unwrap();
    }
    dir
}

const FILES: &[(&str, &str)] = &[
    ("10_add_index.sql", "CREATE INDEX orders_user ON orders (user_id);\nINSERT INTO users (name) VALUES ('c');"),
    (
        "2_create_orders.up.sql",
        "CREATE TABLE orders (id serial PRIMARY KEY, user_id int REFERENCES users (id));\n-- many statements\nINSERT INTO users (name) VALUES ('b');",
    ),
    ("2_create_orders.down.sql", "DROP TABLE orders;"),
    (
        "1_create_users.sql",
        "CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL);\nINSERT INTO users (name) VALUES ('a');",
    ),
    ("README.md", "not a migration"),
];

async fn client(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    client
}

#[tokio::test]
async fn applies_in_version_order_once_and_records_like_sqlx() {
    let url = fresh_database().await;
    let dir = dir_with(FILES);
    assert_eq!(migrate(&url, &dir).await.unwrap(), vec![1, 2, 10]);
    assert_eq!(migrate(&url, &dir).await.unwrap(), Vec::<i64>::new());
    let db = client(&url).await;
    let names: Vec<String> =
        db.query("SELECT name FROM users ORDER BY id", &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(names, ["a", "b", "c"]);
    let rows = db
        .query(
            "SELECT version, description, success, checksum, execution_time FROM _sqlx_migrations ORDER BY version",
            &[],
        )
        .await
        .unwrap();
    let got: Vec<(i64, String, bool)> = rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect();
    assert_eq!(
        got,
        [(1, "create users".into(), true), (2, "create orders".into(), true), (10, "add index".into(), true)]
    );
    let checksum: Vec<u8> = rows[0].get(3);
    assert_eq!(checksum, Sha384::digest(FILES[3].1.as_bytes()).to_vec());
    assert!(rows.iter().all(|r| r.get::<_, i64>(4) > 0));
}

#[tokio::test]
async fn refuses_a_changed_applied_migration() {
    let url = fresh_database().await;
    let dir = dir_with(FILES);
    migrate(&url, &dir).await.unwrap();
    std::fs::write(dir.join("1_create_users.sql"), "CREATE TABLE users (id int);").unwrap();
    let err = migrate(&url, &dir).await.unwrap_err().to_string();
    assert!(err.contains("migration 1 was previously applied but has been modified"), "{err}");
    std::fs::remove_file(dir.join("1_create_users.sql")).unwrap();
    let err = migrate(&url, &dir).await.unwrap_err().to_string();
    assert!(err.contains("migration 1 was previously applied but is missing"), "{err}");
}

#[tokio::test]
async fn a_failing_migration_is_rolled_back_whole() {
    let url = fresh_database().await;
    let dir = dir_with(&[
        ("1_ok.sql", "CREATE TABLE a (x int);"),
        ("2_bad.sql", "CREATE TABLE b (x int);\nSELECT no_such_function();"),
    ]);
    let err = format!("{:#}", migrate(&url, &dir).await.unwrap_err());
    assert!(err.contains("while executing migration 2 (bad)"), "{err}");
    let db = client(&url).await;
    let versions: Vec<i64> =
        db.query("SELECT version FROM _sqlx_migrations", &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(versions, [1]);
    let b: Option<String> = db.query_one("SELECT to_regclass('b')::text", &[]).await.unwrap().get(0);
    assert_eq!(b, None);
}

#[tokio::test]
async fn concurrent_migrators_apply_each_file_once() {
    let url = fresh_database().await;
    let dir = dir_with(FILES);
    let runs = futures::future::join_all((0..4).map(|_| migrate(&url, Path::new(&dir)))).await;
    let mut applied: Vec<i64> = runs.into_iter().flat_map(|r| r.unwrap()).collect();
    applied.sort();
    assert_eq!(applied, [1, 2, 10]);
    let db = client(&url).await;
    let users: i64 = db.query_one("SELECT count(*) FROM users", &[]).await.unwrap().get(0);
    assert_eq!(users, 3);
}
