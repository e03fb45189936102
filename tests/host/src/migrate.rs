//! A migrator compatible with `sqlx migrate run` for Postgres: same files, same
//! `_sqlx_migrations` bookkeeping, same advisory lock, so either tool can take over from the
//! other.
//!
//! Files are `migrations/<VERSION>_<DESCRIPTION>.sql` (or `.up.sql`; `.down.sql` files are
//! ignored). Each runs with the simple-query protocol in its own transaction, together with
//! its `_sqlx_migrations` row, unless its first line is `-- no-transaction`. The checksum is
//! the SHA-384 of the file's text; a changed checksum of an applied migration is an error, as
//! is an applied migration whose file is gone or one left half-applied.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use sha2::{Digest, Sha384};
use tokio_postgres::config::SslMode;
use tokio_postgres::{Client, Config, NoTls};

/// A migration file.
#[derive(Debug)]
struct Migration {
    version: i64,
    description: String,
    sql: String,
    checksum: Vec<u8>,
    no_tx: bool,
}

/// Applies the pending migrations of `dir` to the database at `database_url`, in version
/// order, and returns the versions applied by this call.
pub async fn migrate(database_url: &str, dir: &Path) -> anyhow::Result<Vec<i64>> {
    let migrations = resolve(dir)?;
    let client = connect(database_url).await?;
    let lock_id = lock_id(&client).await?;
    client.execute("SELECT pg_advisory_lock($1)", &[&lock_id]).await.context("taking the migration lock")?;
    let result = run(&client, &migrations).await;
    let unlocked = client.execute("SELECT pg_advisory_unlock($1)", &[&lock_id]).await;
    let applied = result?;
    unlocked.context("releasing the migration lock")?;
    Ok(applied)
}

fn resolve(dir: &Path) -> anyhow::Result<Vec<Migration>> {
    let mut migrations = Vec::new();
    let entries = std::fs::read_dir(dir).with_context(|| format!("reading migrations in {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if !path.is_file() {
            continue;
        }
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let Some((version, rest)) = name.split_once('_') else {
            continue;
        };
        if !rest.ends_with(".sql") || rest.ends_with(".down.sql") {
            continue;
        }
        let version: i64 =
            version.parse().with_context(|| format!("migration {name:?}: the version is not a number"))?;
        let description = rest.trim_end_matches(".up.sql").trim_end_matches(".sql").replace('_', " ");
        let sql = std::fs::read_to_string(&path).with_context(|| format!("reading migration {}", path.display()))?;
        migrations.push(Migration {
            version,
            description,
            checksum: Sha384::digest(sql.as_bytes()).to_vec(),
            no_tx: sql.starts_with("-- no-transaction"),
            sql,
        });
    }
    migrations.sort_by_key(|m| m.version);
    if let Some(pair) = migrations.windows(2).find(|w| w[0].version == w[1].version) {
        bail!("two migrations have version {}", pair[0].version);
    }
    Ok(migrations)
}

async fn connect(database_url: &str) -> anyhow::Result<Client> {
    let config: Config = database_url.parse().context("parsing the database URL")?;
    if config.get_ssl_mode() == SslMode::Require {
        bail!("sslmode=require is not supported by the migrator, which has no TLS: use sslmode=disable");
    }
    let (client, connection) = config.connect(NoTls).await.context("connecting to Postgres")?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!("migrator connection closed: {e}");
        }
    });
    Ok(client)
}

/// sqlx's lock id: a constant times the CRC-32 of the database name.
async fn lock_id(client: &Client) -> anyhow::Result<i64> {
    let name: String = client.query_one("SELECT current_database()", &[]).await?.get(0);
    Ok(0x3d32ad9e * i64::from(crc32fast::hash(name.as_bytes())))
}

async fn run(client: &Client, migrations: &[Migration]) -> anyhow::Result<Vec<i64>> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
                version BIGINT PRIMARY KEY,
                description TEXT NOT NULL,
                installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
                success BOOLEAN NOT NULL,
                checksum BYTEA NOT NULL,
                execution_time BIGINT NOT NULL
            )",
        )
        .await
        .context("creating _sqlx_migrations")?;
    let dirty = client
        .query_opt("SELECT version FROM _sqlx_migrations WHERE success = false ORDER BY version LIMIT 1", &[])
        .await?;
    if let Some(row) = dirty {
        let version: i64 = row.get(0);
        bail!("migration {version} is partially applied; fix and remove row from `_sqlx_migrations` table");
    }
    let applied: Vec<(i64, Vec<u8>)> = client
        .query("SELECT version, checksum FROM _sqlx_migrations ORDER BY version", &[])
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    for (version, _) in &applied {
        if !migrations.iter().any(|m| m.version == *version) {
            bail!("migration {version} was previously applied but is missing in the resolved migrations");
        }
    }
    let mut done = Vec::new();
    for m in migrations {
        match applied.iter().find(|(v, _)| *v == m.version) {
            Some((_, checksum)) if *checksum != m.checksum => {
                bail!("migration {} was previously applied but has been modified", m.version)
            }
            Some(_) => continue,
            None => {
                apply(client, m).await?;
                done.push(m.version);
            }
        }
    }
    Ok(done)
}

async fn apply(client: &Client, m: &Migration) -> anyhow::Result<()> {
    let start = Instant::now();
    let record = "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
                  VALUES ($1, $2, TRUE, $3, -1)";
    let failed = || format!("while executing migration {} ({})", m.version, m.description);
    if m.no_tx {
        client.batch_execute(&m.sql).await.with_context(failed)?;
        client.execute(record, &[&m.version, &m.description, &m.checksum]).await?;
    } else {
        client.batch_execute("BEGIN").await?;
        let result = async {
            client.batch_execute(&m.sql).await.with_context(failed)?;
            client.execute(record, &[&m.version, &m.description, &m.checksum]).await?;
            client.batch_execute("COMMIT").await?;
            anyhow::Ok(())
        }
        .await;
        if result.is_err() {
            let _ = client.batch_execute("ROLLBACK").await;
        }
        result?;
    }
    let nanos = i64::try_from(start.elapsed().as_nanos()).unwrap_or(i64::MAX);
    client.execute("UPDATE _sqlx_migrations SET execution_time = $1 WHERE version = $2", &[&nanos, &m.version]).await?;
    tracing::info!("applied migration {} ({})", m.version, m.description);
    Ok(())
}
