//! `copy_profiles` rows: every change is one statement that also writes its audit entry, and
//! every statement is scoped to the calling user, so another user's profile is simply not found.

use serde_json::{json, Value};

use super::settings::{Settings, SizingMode, Status};
use crate::api::{ApiError, ErrorCode};
use crate::money::format_micro;
use crate::ports::{Db, DbError, Row, SqlValue};
use crate::time::Timestamp;

/// A stored profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredProfile {
    pub id: String,
    pub settings: Settings,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// `updated_at` in microseconds: an update applies only if the row is still this version.
    version: i64,
}

/// The columns every statement returns, the same for `FROM copy_profiles` and for a CTE's
/// `RETURNING *`. Spin's Postgres cannot read `timestamptz` or `text[]`: epoch numbers and jsonb.
macro_rules! profile_columns {
    () => {
        "id, leader_address, status, paused_reason, paused_by_user, sizing_mode, fixed_amount, ratio_bps::int8 AS ratio_bps,
         min_order_amount, max_order_amount, max_position_per_market, max_daily_volume,
         max_price_deviation_bps::int8 AS max_price_deviation_bps,
         to_jsonb(market_allowlist) AS market_allowlist, to_jsonb(market_denylist) AS market_denylist,
         buy_only, binary_only,
         (extract(epoch FROM created_at) * 1000)::int8 AS created_at_ms,
         (extract(epoch FROM updated_at) * 1000)::int8 AS updated_at_ms,
         (extract(epoch FROM updated_at) * 1000000)::int8 AS version"
    };
}

/// `$1`..`$16` of the insert and the update: the settings, in column order.
fn settings_params(s: &Settings) -> Vec<SqlValue> {
    let int = |v: Option<i64>| v.map_or(SqlValue::Null, SqlValue::Int);
    vec![
        SqlValue::Text(s.leader_address.clone()),
        SqlValue::Text(s.status.as_str().into()),
        s.paused_reason.clone().map_or(SqlValue::Null, SqlValue::Text),
        SqlValue::Text(s.sizing_mode.as_str().into()),
        int(s.fixed_amount),
        int(s.ratio_bps),
        int(s.min_order_amount),
        int(s.max_order_amount),
        int(s.max_position_per_market),
        int(s.max_daily_volume),
        int(s.max_price_deviation_bps),
        SqlValue::Json(json!(s.market_allowlist)),
        SqlValue::Json(json!(s.market_denylist)),
        SqlValue::Bool(s.buy_only),
        SqlValue::Bool(s.binary_only),
        SqlValue::Bool(s.paused_by_user),
    ]
}

// A profile created while a hold covers its user starts PAUSED with the hold's reason.
const INSERT_SQL: &str = concat!(
    "WITH hold AS (
  SELECT reason FROM copy_trading_holds WHERE scope IN ($17, '*') ORDER BY scope = '*', kind LIMIT 1
), profile AS (
  INSERT INTO copy_profiles (leader_address, status, paused_reason, sizing_mode, fixed_amount, ratio_bps,
    min_order_amount, max_order_amount, max_position_per_market, max_daily_volume, max_price_deviation_bps,
    market_allowlist, market_denylist, buy_only, binary_only, paused_by_user, user_id)
  VALUES ($1, CASE WHEN EXISTS (SELECT 1 FROM hold) THEN 'PAUSED' ELSE $2 END, coalesce((SELECT reason FROM hold), $3::text),
    $4, $5::int8, $6::int8, $7::int8, $8::int8, $9::int8, $10::int8, $11::int8,
    ARRAY(SELECT jsonb_array_elements_text($12::jsonb)), ARRAY(SELECT jsonb_array_elements_text($13::jsonb)),
    $14, $15, $16, $17)
  RETURNING *
), audit AS (
  INSERT INTO audit_logs (user_id, action, actor, details)
  SELECT user_id, 'COPY_PROFILE_CREATED', 'user', jsonb_build_object('profileId', id, 'leaderAddress', leader_address)
  FROM profile
)
SELECT ",
    profile_columns!(),
    " FROM profile"
);

const UPDATE_SQL: &str = concat!(
    "WITH profile AS (
  UPDATE copy_profiles SET leader_address = $1, status = $2, paused_reason = $3::text, sizing_mode = $4,
    fixed_amount = $5::int8, ratio_bps = $6::int8, min_order_amount = $7::int8, max_order_amount = $8::int8,
    max_position_per_market = $9::int8, max_daily_volume = $10::int8, max_price_deviation_bps = $11::int8,
    market_allowlist = ARRAY(SELECT jsonb_array_elements_text($12::jsonb)),
    market_denylist = ARRAY(SELECT jsonb_array_elements_text($13::jsonb)),
    buy_only = $14, binary_only = $15, paused_by_user = $16
  WHERE id = $17 AND user_id = $18 AND (extract(epoch FROM updated_at) * 1000000)::int8 = $19::int8
  RETURNING *
), audit AS (
  INSERT INTO audit_logs (user_id, action, actor, details)
  SELECT user_id, 'COPY_PROFILE_UPDATED', 'user', jsonb_build_object('profileId', id, 'status', status)
  FROM profile
)
SELECT ",
    profile_columns!(),
    " FROM profile"
);

const DELETE_SQL: &str = "\
WITH profile AS (
  DELETE FROM copy_profiles WHERE id = $1 AND user_id = $2
  RETURNING id, user_id, leader_address
), audit AS (
  INSERT INTO audit_logs (user_id, action, actor, details)
  SELECT user_id, 'COPY_PROFILE_DELETED', 'user', jsonb_build_object('profileId', id, 'leaderAddress', leader_address)
  FROM profile
)
SELECT id FROM profile";

/// Every address that is the user's own, lowercase: server wallets (current and past) and
/// Phase 1 wallets. The copy pipeline must never make a user follow themselves.
const OWN_ADDRESSES_SQL: &str = "\
SELECT lower(address) AS address FROM server_wallets WHERE user_id = $1 AND address IS NOT NULL
UNION SELECT lower(address) FROM wallets WHERE user_id = $1";

fn conflict_on_duplicate(e: DbError) -> ApiError {
    if e.is_unique_violation() {
        ApiError::new(ErrorCode::Conflict, "you already follow this leader: update that copy profile instead")
    } else {
        ApiError::from(e)
    }
}

/// Creates the profile and its COPY_PROFILE_CREATED entry; CONFLICT if the user already follows
/// this leader.
pub fn insert(db: &impl Db, user_id: &str, settings: &Settings) -> Result<StoredProfile, ApiError> {
    let mut params = settings_params(settings);
    params.push(SqlValue::Text(user_id.into()));
    let rows = db.query(INSERT_SQL, &params).map_err(conflict_on_duplicate)?;
    let row =
        rows.first().ok_or_else(|| ApiError::new(ErrorCode::InternalError, "copy profile insert returned nothing"))?;
    Ok(from_row(&row)?)
}

/// The user's profiles, newest first.
pub fn list(db: &impl Db, user_id: &str) -> Result<Vec<StoredProfile>, ApiError> {
    let sql =
        concat!("SELECT ", profile_columns!(), " FROM copy_profiles WHERE user_id = $1 ORDER BY created_at DESC, id");
    let rows = db.query(sql, &[SqlValue::Text(user_id.into())])?;
    Ok(rows.iter().map(|r| from_row(&r)).collect::<Result<_, _>>()?)
}

/// The user's profile `id`, if it is theirs.
pub fn find(db: &impl Db, user_id: &str, id: &str) -> Result<Option<StoredProfile>, ApiError> {
    let sql = concat!("SELECT ", profile_columns!(), " FROM copy_profiles WHERE id = $1 AND user_id = $2");
    let rows = db.query(sql, &[SqlValue::Text(id.into()), SqlValue::Text(user_id.into())])?;
    Ok(rows.first().map(|r| from_row(&r)).transpose()?)
}

/// Replaces `current`'s settings and writes COPY_PROFILE_UPDATED; CONFLICT if the row changed
/// since it was read (a concurrent update would otherwise be silently undone) or if the new
/// leader is one the user already follows.
pub fn update(
    db: &impl Db,
    user_id: &str,
    current: &StoredProfile,
    settings: &Settings,
) -> Result<StoredProfile, ApiError> {
    let mut params = settings_params(settings);
    params.extend([SqlValue::Text(current.id.clone()), SqlValue::Text(user_id.into()), SqlValue::Int(current.version)]);
    let rows = db.query(UPDATE_SQL, &params).map_err(conflict_on_duplicate)?;
    let row = rows.first().ok_or_else(|| {
        ApiError::new(ErrorCode::Conflict, "copy profile changed or was deleted meanwhile: read it and retry")
    })?;
    Ok(from_row(&row)?)
}

/// Deletes the user's profile `id` and writes COPY_PROFILE_DELETED; false if it is not theirs.
/// Its copy attempts stay, with `copy_profile_id` NULL.
pub fn delete(db: &impl Db, user_id: &str, id: &str) -> Result<bool, ApiError> {
    let rows = db.query(DELETE_SQL, &[SqlValue::Text(id.into()), SqlValue::Text(user_id.into())])?;
    Ok(!rows.rows.is_empty())
}

/// The user's own addresses, lowercase.
pub fn own_addresses(db: &impl Db, user_id: &str) -> Result<Vec<String>, ApiError> {
    let rows = db.query(OWN_ADDRESSES_SQL, &[SqlValue::Text(user_id.into())])?;
    Ok(rows.iter().map(|r| r.text("address")).collect::<Result<_, _>>()?)
}

fn from_row(row: &Row<'_>) -> Result<StoredProfile, DbError> {
    Ok(StoredProfile {
        id: row.text("id")?,
        settings: settings_from_row(row)?,
        created_at_ms: row.int("created_at_ms")?,
        updated_at_ms: row.int("updated_at_ms")?,
        version: row.int("version")?,
    })
}

/// A profile's settings from a row carrying the `copy_profiles` columns by name (`ratio_bps`
/// and `max_price_deviation_bps` as int8, the market lists as jsonb). Also what the copy
/// pipeline's claim reads.
pub(crate) fn settings_from_row(row: &Row<'_>) -> Result<Settings, DbError> {
    let int = |c: &str| row.opt_int(c);
    let list = |c: &str| {
        serde_json::from_value::<Vec<String>>(row.json(c)?).map_err(|e| DbError::Conversion(format!("`{c}`: {e}")))
    };
    let sizing_mode = row.text("sizing_mode")?;
    let status = row.text("status")?;
    Ok(Settings {
        leader_address: row.text("leader_address")?,
        status: Status::parse(&status)
            .ok_or_else(|| DbError::Conversion(format!("unknown profile status `{status}`")))?,
        paused_reason: row.opt_text("paused_reason")?,
        paused_by_user: row.bool("paused_by_user")?,
        sizing_mode: SizingMode::parse(&sizing_mode)
            .ok_or_else(|| DbError::Conversion(format!("unknown sizing mode `{sizing_mode}`")))?,
        fixed_amount: int("fixed_amount")?,
        ratio_bps: int("ratio_bps")?,
        min_order_amount: int("min_order_amount")?,
        max_order_amount: int("max_order_amount")?,
        max_position_per_market: int("max_position_per_market")?,
        max_daily_volume: int("max_daily_volume")?,
        max_price_deviation_bps: int("max_price_deviation_bps")?,
        market_allowlist: list("market_allowlist")?,
        market_denylist: list("market_denylist")?,
        buy_only: row.bool("buy_only")?,
        binary_only: row.bool("binary_only")?,
    })
}

impl StoredProfile {
    /// The API's view: amounts as dollar strings, times as ISO-8601 UTC.
    pub fn to_json(&self) -> Value {
        let s = &self.settings;
        let usd = |units: Option<i64>| units.map(|u| format_micro(i128::from(u)));
        json!({
            "id": self.id,
            "leaderAddress": s.leader_address,
            "status": s.status.as_str(),
            "pausedReason": s.paused_reason,
            "sizingMode": s.sizing_mode.as_str(),
            "fixedAmountUsd": usd(s.fixed_amount),
            "ratioBps": s.ratio_bps,
            "minOrderUsd": usd(s.min_order_amount),
            "maxOrderUsd": usd(s.max_order_amount),
            "maxPositionPerMarketUsd": usd(s.max_position_per_market),
            "maxDailyVolumeUsd": usd(s.max_daily_volume),
            "maxPriceDeviationBps": s.max_price_deviation_bps,
            "marketAllowlist": s.market_allowlist,
            "marketDenylist": s.market_denylist,
            "buyOnly": s.buy_only,
            "binaryOnly": s.binary_only,
            "createdAt": Timestamp::from_millis(self.created_at_ms).to_string(),
            "updatedAt": Timestamp::from_millis(self.updated_at_ms).to_string(),
        })
    }
}
