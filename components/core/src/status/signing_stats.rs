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

const SQL: &str = "\
SELECT count(*)::int8 AS total,
       count(*) FILTER (WHERE status = 'FAILED')::int8 AS failed,
       COALESCE(round(avg(EXTRACT(EPOCH FROM (updated_at - created_at)) * 1000)
                FILTER (WHERE status = 'SUCCEEDED')), 0)::int8 AS avg_ms
FROM signing_requests
WHERE created_at > NOW() - INTERVAL '1 hour'";

impl SigningStats {
    /// One Postgres round trip.
    pub fn read(db: &impl Db) -> Result<Self, DbError> {
        let rows = db.query(SQL, &[])?;
        let row = rows.first().ok_or_else(|| DbError::Conversion("signing stats returned no row".into()))?;
        Ok(SigningStats {
            total_requests_1h: row.int("total")?,
            failed_requests_1h: row.int("failed")?,
            avg_latency_ms: row.int("avg_ms")?,
        })
    }
}
