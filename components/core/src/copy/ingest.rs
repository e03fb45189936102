//! Recording leader fills and fanning them out, in ONE statement whatever the number of fills
//! or followers: new fills become `leader_events` (the fill key makes a redelivered fill a
//! no-op), and each new event gets one `copy_attempts` row per enabled follower who followed
//! before the fill happened.

use super::trades::{as_rows, LeaderTrade};
use crate::ports::{Db, DbError, SqlValue};
use crate::text_enum::text_enum;

text_enum! {
    /// Where a fill came from (`leader_events.source`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Source {
        Poll = "POLL",
        Webhook = "WEBHOOK",
    }
}

/// What one recording did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Recorded {
    /// Fills seen for the first time.
    pub new_events: i64,
    /// Copy attempts created for them.
    pub new_attempts: i64,
    /// Ids of the new events that got attempts.
    #[serde(skip)]
    pub event_ids: Vec<String>,
}

/// Fills are inserted in fill-key order: deliveries overlapping in different orders (a webhook
/// retry and a poll) then never each wait for a fill the other is inserting (a deadlock).
const RECORD_SQL: &str = "\
WITH incoming AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(
    leader_address text, fill_key text, transaction_hash text, asset text, condition_id text,
    side text, size numeric, price numeric, outcome text, outcome_index int, market_slug text,
    event_slug text, traded_at int8)
), events AS (
  INSERT INTO leader_events (leader_address, fill_key, transaction_hash, asset, condition_id, side,
    size, price, outcome, outcome_index, market_slug, event_slug, source, traded_at)
  SELECT leader_address, fill_key, transaction_hash, asset, condition_id, side, size, price, outcome,
    outcome_index, market_slug, event_slug, $2, to_timestamp(traded_at)
  FROM incoming
  ORDER BY fill_key
  ON CONFLICT (fill_key) DO NOTHING
  RETURNING id, leader_address, side, traded_at
), attempts AS (
  INSERT INTO copy_attempts (user_id, copy_profile_id, leader_event_id, side)
  SELECT cp.user_id, cp.id, e.id, e.side
  FROM events e
  JOIN copy_profiles cp ON cp.leader_address = e.leader_address AND cp.status = 'ENABLED'
    AND e.traded_at >= date_trunc('second', cp.created_at)
  ON CONFLICT (user_id, leader_event_id) DO NOTHING
  RETURNING leader_event_id
)
SELECT (SELECT count(*) FROM events)::int8 AS new_events,
       (SELECT count(*) FROM attempts)::int8 AS new_attempts,
       (SELECT coalesce(jsonb_agg(DISTINCT leader_event_id), '[]'::jsonb) FROM attempts) AS event_ids";

/// Records fills and fans them out. One Postgres round trip.
pub fn record(db: &impl Db, trades: &[LeaderTrade], source: Source) -> Result<Recorded, DbError> {
    if trades.is_empty() {
        return Ok(Recorded::default());
    }
    let rows = db.query(RECORD_SQL, &[SqlValue::Json(as_rows(trades)), SqlValue::Text(source.as_str().into())])?;
    let row = rows.first().ok_or_else(|| DbError::Conversion("recording returned no row".into()))?;
    let event_ids =
        serde_json::from_value(row.json("event_ids")?).map_err(|e| DbError::Conversion(format!("event_ids: {e}")))?;
    Ok(Recorded { new_events: row.int("new_events")?, new_attempts: row.int("new_attempts")?, event_ids })
}
