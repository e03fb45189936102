//! The polling path of leader ingestion (the webhook is the push path; polling is the
//! fallback that never misses): every followed leader's recent fills from the Data API,
//! including maker fills (`takerOnly=false`), from a per-leader cursor.

use std::time::Duration;

use serde_json::Value;

use super::ingest::{record, Recorded, Source};
use super::trades::{parse_trade, LeaderTrade};
use crate::api::ApiError;
use crate::ports::{Db, DbError, Http, HttpRequest, Platform, SqlValue};
use crate::settings;

/// What one polling pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Polled {
    pub leaders: usize,
    pub failed_leaders: usize,
    pub fills_seen: usize,
    #[serde(flatten)]
    pub recorded: Recorded,
}

const LEADERS_SQL: &str = "\
SELECT l.leader_address, (extract(epoch FROM c.last_trade_at))::int8 AS cursor_secs
FROM (SELECT DISTINCT leader_address FROM copy_profiles WHERE status = 'ENABLED') l
LEFT JOIN leader_cursors c ON c.leader_address = l.leader_address
ORDER BY l.leader_address";

/// Cursors are written in address order, so racing ticks lock them in the same order.
const CURSORS_SQL: &str = "\
INSERT INTO leader_cursors (leader_address, last_trade_at)
SELECT key, to_timestamp(value::int8) FROM jsonb_each_text($1::jsonb)
ORDER BY key
ON CONFLICT (leader_address) DO UPDATE
SET last_trade_at = GREATEST(leader_cursors.last_trade_at, EXCLUDED.last_trade_at), updated_at = now()";

/// Polls every followed leader at once. Postgres: 3 statements (leaders, record, cursors)
/// however many leaders and followers; HTTP: one call per leader, concurrently.
pub async fn poll_leaders(platform: &impl Platform) -> Result<Polled, ApiError> {
    let config = platform.config();
    let data_url = settings::base_url(config, settings::POLYMARKET_DATA_URL)?;
    let limit: u32 = settings::positive(config, settings::LEADER_POLL_LIMIT)? as u32;
    let timeout = settings::millis(config, settings::POLYMARKET_TIMEOUT_MS)?;

    let leaders = platform.db().query(LEADERS_SQL, &[])?;
    let leaders = leaders
        .iter()
        .map(|r| Ok((r.text("leader_address")?, r.opt_int("cursor_secs")?)))
        .collect::<Result<Vec<(String, Option<i64>)>, DbError>>()?;
    let fetches =
        leaders.iter().map(|(leader, cursor)| fetch_fills(platform.http(), &data_url, leader, *cursor, limit, timeout));
    let results = futures::future::join_all(fetches).await;

    let mut polled = Polled { leaders: leaders.len(), ..Polled::default() };
    let mut fills: Vec<LeaderTrade> = Vec::new();
    let mut cursors = serde_json::Map::new();
    for ((leader, _), result) in leaders.iter().zip(results) {
        match result {
            Some(batch) => {
                if let Some(newest) = batch.iter().map(|t| t.traded_at_secs).max() {
                    cursors.insert(leader.clone(), Value::from(newest));
                }
                fills.extend(batch);
            }
            None => polled.failed_leaders += 1,
        }
    }
    polled.fills_seen = fills.len();
    polled.recorded = record(platform.db(), &fills, Source::Poll)?;
    if !cursors.is_empty() {
        platform.db().execute(CURSORS_SQL, &[SqlValue::Json(Value::Object(cursors))])?;
    }
    Ok(polled)
}

/// One leader's fills at or after the cursor (fills of the cursor's own second are fetched
/// again: the fill key makes them no-ops). `None` when the Data API did not answer usefully.
async fn fetch_fills(
    http: &impl Http,
    data_url: &str,
    leader: &str,
    cursor_secs: Option<i64>,
    limit: u32,
    timeout: Duration,
) -> Option<Vec<LeaderTrade>> {
    let url = format!("{data_url}/trades?user={leader}&takerOnly=false&limit={limit}&offset=0");
    let response = http.send(HttpRequest::get(url), timeout).await.ok()?;
    if response.status != 200 {
        return None;
    }
    let body: Value = serde_json::from_slice(&response.body).ok()?;
    let trades = body.as_array()?;
    Some(
        trades
            .iter()
            .enumerate()
            .filter_map(|(i, t)| parse_trade(i, t).ok())
            .filter(|t| t.leader == leader && cursor_secs.is_none_or(|c| t.traded_at_secs >= c))
            .collect(),
    )
}
