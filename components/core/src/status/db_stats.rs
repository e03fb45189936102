use std::collections::HashMap;

use serde::Serialize;

use crate::ports::{Db, DbError};

/// `signingStats` of the status document: the last hour of `signing_requests`, computed the way
/// the runbook's own latency query does (average over SUCCEEDED rows).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SigningStats {
    pub total_requests_1h: i64,
    pub failed_requests_1h: i64,
    pub avg_latency_ms: i64,
}

/// The relayer's queue: rows waiting and in flight, the dead letters open, the last hour's
/// outcomes, and what each relayer address still has in flight (a retiring key's drain).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RelayerStats {
    pub pending: i64,
    pub submitted: i64,
    pub dlq_depth: i64,
    pub confirmed_1h: i64,
    pub failed_1h: i64,
    pub in_flight: HashMap<String, i64>,
}

impl RelayerStats {
    /// Confirmed out of settled in the last hour; `None` when nothing settled.
    pub fn success_rate_1h(&self) -> Option<f64> {
        let settled = self.confirmed_1h + self.failed_1h;
        (settled > 0).then(|| self.confirmed_1h as f64 / settled as f64)
    }
}

/// `moduleTxs` of the status document: module transactions waiting, in flight, refused and
/// failed (runbook "Module Transaction Monitoring").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModuleTxStats {
    pub pending: i64,
    pub submitted: i64,
    pub blocked: i64,
    pub failed: i64,
}

/// What `/system/status` reads from Postgres.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DbStats {
    pub signing: SigningStats,
    pub relayer: RelayerStats,
    pub module_txs: ModuleTxStats,
}

const SQL: &str = "\
SELECT s.total, s.failed, s.avg_ms, r.pending, r.submitted, r.confirmed_1h, r.failed_1h, d.dlq, f.in_flight,
       (SELECT count(*) FROM module_txs WHERE status = 'PENDING')::int8 AS module_pending,
       (SELECT count(*) FROM module_txs WHERE status = 'SUBMITTED')::int8 AS module_submitted,
       (SELECT count(*) FROM module_txs WHERE status = 'BLOCKED')::int8 AS module_blocked,
       (SELECT count(*) FROM module_txs WHERE status = 'FAILED')::int8 AS module_failed
FROM (
  SELECT count(*)::int8 AS total,
         count(*) FILTER (WHERE status = 'FAILED')::int8 AS failed,
         COALESCE(round(avg(EXTRACT(EPOCH FROM (updated_at - created_at)) * 1000)
                  FILTER (WHERE status = 'SUCCEEDED')), 0)::int8 AS avg_ms
  FROM signing_requests
  WHERE created_at > NOW() - INTERVAL '1 hour'
) s, (
  SELECT count(*) FILTER (WHERE status = 'PENDING')::int8 AS pending,
         count(*) FILTER (WHERE status = 'SUBMITTED')::int8 AS submitted,
         count(*) FILTER (WHERE status = 'CONFIRMED' AND updated_at > NOW() - INTERVAL '1 hour')::int8 AS confirmed_1h,
         count(*) FILTER (WHERE status = 'FAILED' AND updated_at > NOW() - INTERVAL '1 hour')::int8 AS failed_1h
  FROM relayer_txs
  WHERE status IN ('PENDING', 'SUBMITTED') OR updated_at > NOW() - INTERVAL '1 hour'
) r, (
  SELECT count(*)::int8 AS dlq FROM dead_letters WHERE resolved_at IS NULL
) d, (
  SELECT COALESCE(jsonb_object_agg(relayer_address, n), '{}'::jsonb) AS in_flight
  FROM (SELECT relayer_address, count(*) AS n FROM relayer_txs
        WHERE status IN ('PENDING', 'SUBMITTED') AND relayer_address IS NOT NULL GROUP BY relayer_address) x
) f";

impl DbStats {
    /// One Postgres round trip.
    pub fn read(db: &impl Db) -> Result<Self, DbError> {
        let rows = db.query(SQL, &[])?;
        let row = rows.first().ok_or_else(|| DbError::Conversion("status statistics returned no row".into()))?;
        let in_flight = row
            .json("in_flight")?
            .as_object()
            .map(|o| o.iter().filter_map(|(k, v)| Some((k.clone(), v.as_i64()?))).collect())
            .unwrap_or_default();
        Ok(DbStats {
            signing: SigningStats {
                total_requests_1h: row.int("total")?,
                failed_requests_1h: row.int("failed")?,
                avg_latency_ms: row.int("avg_ms")?,
            },
            relayer: RelayerStats {
                pending: row.int("pending")?,
                submitted: row.int("submitted")?,
                dlq_depth: row.int("dlq")?,
                confirmed_1h: row.int("confirmed_1h")?,
                failed_1h: row.int("failed_1h")?,
                in_flight,
            },
            module_txs: ModuleTxStats {
                pending: row.int("module_pending")?,
                submitted: row.int("module_submitted")?,
                blocked: row.int("module_blocked")?,
                failed: row.int("module_failed")?,
            },
        })
    }
}
