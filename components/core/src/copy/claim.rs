//! Claiming copy attempts: `FOR UPDATE SKIP LOCKED` and a lease, in one statement that also
//! returns everything executing them needs (profile, leader event, the signed order if one was
//! persisted, the day's volume so far). Any number of ticks may claim at once; each attempt goes
//! to one of them, and an attempt whose tick died is claimed again once its lease expires.

use serde_json::Value;

use super::trades::TradeSide;
use crate::copy_profiles::{settings_from_row, Settings, SizingMode, Status};
use crate::money::parse_micro;
use crate::ports::{Db, DbError, Row, SqlValue};
use crate::text_enum::text_enum;
use crate::trading::{OrderStatus, StoredProxy};
use crate::trading_account::SetupStatus;

/// How a profile sizes copies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sizing {
    /// This many USD micro-units per copy.
    FixedUsd(i128),
    /// The leader's size × bps / 10 000.
    LeaderRatio(i128),
    /// BUY: this share (bps) of the follower's collateral; SELL: of the follower's position.
    BalancePercent(i128),
}

/// A profile's guards; amounts in USD micro-units.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Guards {
    pub min_order: Option<i128>,
    pub max_order: Option<i128>,
    pub max_position_per_market: Option<i128>,
    pub max_daily_volume: Option<i128>,
    pub max_price_deviation_bps: Option<i128>,
    pub market_allowlist: Vec<String>,
    pub market_denylist: Vec<String>,
    pub buy_only: bool,
    pub binary_only: bool,
}

/// A profile as execution reads it: the stored settings, with amounts in i128 micro-units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub enabled: bool,
    pub sizing: Sizing,
    pub guards: Guards,
}

impl From<&Settings> for Profile {
    fn from(s: &Settings) -> Profile {
        let amount = |v: Option<i64>| v.map(i128::from);
        let ratio = i128::from(s.ratio_bps.unwrap_or(0));
        Profile {
            enabled: s.status == Status::Enabled,
            sizing: match s.sizing_mode {
                SizingMode::FixedUsd => Sizing::FixedUsd(i128::from(s.fixed_amount.unwrap_or(0))),
                SizingMode::LeaderRatio => Sizing::LeaderRatio(ratio),
                SizingMode::BalancePercent => Sizing::BalancePercent(ratio),
            },
            guards: Guards {
                min_order: amount(s.min_order_amount),
                max_order: amount(s.max_order_amount),
                max_position_per_market: amount(s.max_position_per_market),
                max_daily_volume: amount(s.max_daily_volume),
                max_price_deviation_bps: amount(s.max_price_deviation_bps),
                market_allowlist: s.market_allowlist.clone(),
                market_denylist: s.market_denylist.clone(),
                buy_only: s.buy_only,
                binary_only: s.binary_only,
            },
        }
    }
}

text_enum! {
    /// The status of an attempt a claim takes: never signed yet, or signed and maybe posted.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum ClaimedStatus {
        Pending = "PENDING",
        Signed = "SIGNED",
    }
}

/// The leader's fill being copied; quantities in micro-units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub id: String,
    pub side: TradeSide,
    pub asset: String,
    pub condition_id: String,
    pub size: i128,
    pub price: i128,
    pub outcome_index: Option<i64>,
    pub market_slug: Option<String>,
    pub traded_at_ms: i64,
}

/// An order persisted for the attempt (signed, or a would-be order in DRY mode).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredOrder {
    pub id: String,
    pub status: OrderStatus,
    pub order_hash: String,
    /// `{"order": {... "signature"}, "orderType": ...}`: what is posted, owner aside.
    pub signed_order: Value,
}

/// One claimed attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimedAttempt {
    pub id: String,
    pub user_id: String,
    pub status: ClaimedStatus,
    /// Claims so far, this one included.
    pub attempts: i64,
    /// `None` when the profile was deleted after the fan-out.
    pub profile: Option<Profile>,
    /// The profile's id, `None` as `profile` is.
    pub profile_id: Option<String>,
    pub event: Event,
    pub order: Option<StoredOrder>,
    /// USD micro-units this profile committed in the last 24 hours.
    pub daily_used: i128,
    /// The user's PROXY wallet (a Safe or a deposit wallet), if they have one.
    pub proxy_wallet: Option<StoredProxy>,
    /// Where the user's account setup stands, if they started one.
    pub account_setup: Option<SetupStatus>,
}

/// Profile leases are taken in id order: two claims sharing profiles then lock them in the same
/// order instead of each waiting for a row the other holds (a deadlock). Attempts recorded
/// together (one delivery or poll) are taken and returned in the leader's trade order, so a
/// SELL is copied after the BUY that opened its position.
const CLAIM_SQL: &str = "\
WITH candidates AS (
  SELECT ca.id, ca.copy_profile_id FROM copy_attempts ca
  JOIN leader_events le ON le.id = ca.leader_event_id
  WHERE ca.status IN ('PENDING', 'SIGNED') AND ca.next_attempt_at <= now()
    AND (ca.lease_expires_at IS NULL OR ca.lease_expires_at < now())
    AND ($3::jsonb IS NULL OR ca.leader_event_id IN (SELECT jsonb_array_elements_text($3::jsonb)))
    AND NOT EXISTS (SELECT 1 FROM copy_profile_leases l WHERE l.copy_profile_id = ca.copy_profile_id
                    AND l.lease_owner <> $1 AND l.lease_expires_at > now())
  ORDER BY ca.next_attempt_at, ca.created_at, le.traded_at, ca.id
  LIMIT $2
  FOR UPDATE OF ca SKIP LOCKED
), profiles AS (
  INSERT INTO copy_profile_leases (copy_profile_id, lease_owner, lease_expires_at)
  SELECT DISTINCT copy_profile_id, $1, now() + $4::int8 * interval '1 millisecond'
  FROM candidates WHERE copy_profile_id IS NOT NULL
  ORDER BY copy_profile_id
  ON CONFLICT (copy_profile_id) DO UPDATE SET lease_owner = EXCLUDED.lease_owner, lease_expires_at = EXCLUDED.lease_expires_at
  WHERE copy_profile_leases.lease_expires_at <= now() OR copy_profile_leases.lease_owner = EXCLUDED.lease_owner
  RETURNING copy_profile_id
), claimable AS (
  SELECT id FROM candidates
  WHERE copy_profile_id IS NULL OR copy_profile_id IN (SELECT copy_profile_id FROM profiles)
), claimed AS (
  UPDATE copy_attempts ca
  SET lease_owner = $1, lease_expires_at = now() + $4::int8 * interval '1 millisecond', attempts = ca.attempts + 1
  FROM claimable WHERE ca.id = claimable.id
  RETURNING ca.id, ca.user_id, ca.status, ca.attempts, ca.copy_profile_id, ca.leader_event_id, ca.created_at
)
SELECT c.id, c.user_id, c.status AS attempt_status, c.attempts::int8 AS attempts,
  cp.id AS profile_id, cp.leader_address,
  -- A hold stops its users' copying whatever a profile row says (one created while the hold was
  -- being placed may still read ENABLED).
  CASE WHEN EXISTS (SELECT 1 FROM copy_trading_holds h WHERE h.scope IN (c.user_id, '*')) THEN 'PAUSED' ELSE cp.status END AS status,
  cp.paused_reason, cp.paused_by_user, cp.sizing_mode, cp.fixed_amount,
  cp.ratio_bps::int8 AS ratio_bps,
  cp.min_order_amount, cp.max_order_amount, cp.max_position_per_market, cp.max_daily_volume,
  cp.max_price_deviation_bps::int8 AS max_price_deviation_bps,
  to_jsonb(cp.market_allowlist) AS market_allowlist, to_jsonb(cp.market_denylist) AS market_denylist,
  cp.buy_only, cp.binary_only,
  le.id AS event_id, le.side AS event_side, le.asset, le.condition_id, le.size::text AS event_size,
  le.price::text AS event_price, le.outcome_index::int8 AS outcome_index, le.market_slug,
  (extract(epoch FROM le.traded_at) * 1000)::int8 AS traded_at_ms,
  o.id AS order_id, o.status AS order_status, o.order_hash, o.signed_order,
  (SELECT coalesce(sum(a.amount), 0)::int8 FROM copy_attempts a
    WHERE a.copy_profile_id = c.copy_profile_id AND a.id <> c.id
      AND a.status IN ('SIGNED', 'SUBMITTED', 'FILLED') AND a.created_at > now() - interval '1 day') AS daily_used,
  (SELECT w.address FROM wallets w WHERE w.user_id = c.user_id AND w.type = 'PROXY') AS proxy_wallet,
  (SELECT w.proxy_type FROM wallets w WHERE w.user_id = c.user_id AND w.type = 'PROXY') AS proxy_type,
  (SELECT ta.status FROM trading_accounts ta WHERE ta.user_id = c.user_id) AS account_setup
FROM claimed c
JOIN leader_events le ON le.id = c.leader_event_id
LEFT JOIN copy_profiles cp ON cp.id = c.copy_profile_id
LEFT JOIN orders o ON o.copy_attempt_id = c.id
ORDER BY c.created_at, le.traded_at, c.id";

/// Claims up to `limit` due attempts (of these events only, when given) for `lease_ms`, with
/// their profiles: a profile another pass holds is left alone, so limits spanning a profile's
/// attempts are checked by one pass at a time. One Postgres round trip.
pub fn claim(
    db: &impl Db,
    lease_owner: &str,
    limit: i64,
    lease_ms: i64,
    events: Option<&[String]>,
) -> Result<Vec<ClaimedAttempt>, DbError> {
    let filter = match events {
        Some(ids) => SqlValue::Json(Value::from(ids.to_vec())),
        None => SqlValue::Null,
    };
    let rows = db.query(
        CLAIM_SQL,
        &[SqlValue::Text(lease_owner.into()), SqlValue::Int(limit), filter, SqlValue::Int(lease_ms)],
    )?;
    rows.iter().map(|row| attempt(&row)).collect()
}

fn attempt(row: &Row<'_>) -> Result<ClaimedAttempt, DbError> {
    let profile = match row.opt_text("profile_id")? {
        Some(_) => Some(Profile::from(&settings_from_row(row)?)),
        None => None,
    };
    let decimal = |column: &str| -> Result<i128, DbError> {
        parse_micro(&row.text(column)?).ok_or_else(|| DbError::Conversion(format!("`{column}` is not a decimal")))
    };
    let order = match row.opt_text("order_id")? {
        Some(id) => Some(StoredOrder {
            id,
            status: row.parsed("order_status", OrderStatus::parse)?,
            order_hash: row.text("order_hash")?,
            signed_order: row.json("signed_order")?,
        }),
        None => None,
    };
    Ok(ClaimedAttempt {
        id: row.text("id")?,
        user_id: row.text("user_id")?,
        status: row.parsed("attempt_status", ClaimedStatus::parse)?,
        attempts: row.int("attempts")?,
        profile,
        profile_id: row.opt_text("profile_id")?,
        event: Event {
            id: row.text("event_id")?,
            side: row.parsed("event_side", TradeSide::parse)?,
            asset: row.text("asset")?,
            condition_id: row.text("condition_id")?,
            size: decimal("event_size")?,
            price: decimal("event_price")?,
            outcome_index: row.opt_int("outcome_index")?,
            market_slug: row.opt_text("market_slug")?,
            traded_at_ms: row.int("traded_at_ms")?,
        },
        order,
        daily_used: i128::from(row.int("daily_used")?),
        proxy_wallet: StoredProxy::from_row(row)?,
        account_setup: match row.opt_text("account_setup")? {
            Some(text) => Some(
                SetupStatus::parse(&text)
                    .ok_or_else(|| DbError::Conversion(format!("trading_accounts.status {text:?}")))?,
            ),
            None => None,
        },
    })
}

/// Gives back the profiles a pass leased, locking them in id order as claims do. One Postgres
/// round trip.
pub fn release_profiles(db: &impl Db, lease_owner: &str) -> Result<u64, DbError> {
    db.execute(RELEASE_SQL, &[SqlValue::Text(lease_owner.into())])
}

const RELEASE_SQL: &str = "\
DELETE FROM copy_profile_leases WHERE copy_profile_id IN (
  SELECT copy_profile_id FROM copy_profile_leases WHERE lease_owner = $1 ORDER BY copy_profile_id FOR UPDATE
) AND lease_owner = $1";
