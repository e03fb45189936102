//! A leader's fill as the Data API (`GET /trades`) and the webhook deliver it, parsed at the
//! edge, with the key that makes it one `leader_events` row however often it is delivered.

use std::collections::HashMap;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::money::{format_micro, json_micro};
use crate::text_enum::text_enum;

/// One fill of a leader. Quantities in micro-units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaderTrade {
    /// Lower-case `0x…` proxy wallet of the leader.
    pub leader: String,
    pub side: TradeSide,
    /// The outcome token id (decimal text).
    pub asset: String,
    pub condition_id: String,
    pub size: i128,
    pub price: i128,
    pub traded_at_secs: i64,
    pub outcome: Option<String>,
    pub outcome_index: Option<i64>,
    pub transaction_hash: String,
    pub market_slug: Option<String>,
    pub event_slug: Option<String>,
}

text_enum! {
    /// The side of a leader's fill, as the Data API spells it.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum TradeSide {
        Buy = "BUY",
        Sell = "SELL",
    }
}

/// Why a delivered trade was not usable; names the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TradeError {
    pub index: usize,
    pub field: &'static str,
}

impl std::fmt::Display for TradeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`trades[{}].{}` is missing or invalid", self.index, self.field)
    }
}

/// Latest `timestamp` a fill may carry: the end of year 9999, the last second Postgres's
/// `to_timestamp` and every client's date type agree on.
const MAX_TRADED_AT_SECS: i64 = 253_402_300_799;
/// Largest size taken: 10^12 shares, far past any real fill, so micro-units fit an i64.
const MAX_SIZE_MICRO: i128 = 1_000_000_000_000 * crate::money::ONE;

/// Parses one Data API trade object, admitting only what `leader_events` stores: a value
/// Postgres would refuse (an outcome index past int4, a NUL in a text) fails this trade here,
/// naming its field, instead of failing the statement that records the whole batch.
pub fn parse_trade(index: usize, value: &Value) -> Result<LeaderTrade, TradeError> {
    let err = |field| TradeError { index, field };
    let text = |field: &'static str| {
        value.get(field).and_then(Value::as_str).filter(|s| !s.contains('\0')).map(str::to_string)
    };
    let leader = text("proxyWallet").filter(|a| is_hex(a, 40)).ok_or(err("proxyWallet"))?.to_ascii_lowercase();
    let side = text("side").and_then(|s| TradeSide::parse(&s)).ok_or(err("side"))?;
    let asset = text("asset")
        .filter(|a| !a.is_empty() && a.len() <= 80 && a.bytes().all(|b| b.is_ascii_digit()))
        .ok_or(err("asset"))?;
    let condition_id = text("conditionId").filter(|c| is_hex(c, 64)).ok_or(err("conditionId"))?.to_ascii_lowercase();
    let size = value.get("size").and_then(json_micro).filter(|s| *s > 0 && *s <= MAX_SIZE_MICRO).ok_or(err("size"))?;
    let price =
        value.get("price").and_then(json_micro).filter(|p| *p > 0 && *p < crate::money::ONE).ok_or(err("price"))?;
    let traded_at_secs = value
        .get("timestamp")
        .and_then(Value::as_i64)
        .filter(|t| (1..=MAX_TRADED_AT_SECS).contains(t))
        .ok_or(err("timestamp"))?;
    let transaction_hash =
        text("transactionHash").filter(|h| is_hex(h, 64)).ok_or(err("transactionHash"))?.to_ascii_lowercase();
    // Optional: absent or null is none; anything else must be a value the column holds.
    let optional =
        |field: &'static str| -> Result<Option<&Value>, TradeError> { Ok(value.get(field).filter(|v| !v.is_null())) };
    let bounded = |field: &'static str| -> Result<Option<String>, TradeError> {
        optional(field)?
            .map(|v| v.as_str().filter(|s| s.len() <= 300 && !s.contains('\0')).map(str::to_string).ok_or(err(field)))
            .transpose()
    };
    let outcome_index = optional("outcomeIndex")?
        .map(|v| v.as_i64().filter(|i| (0..=i64::from(i32::MAX)).contains(i)).ok_or(err("outcomeIndex")))
        .transpose()?;
    Ok(LeaderTrade {
        leader,
        side,
        asset,
        condition_id,
        size,
        price,
        traded_at_secs,
        outcome: bounded("outcome")?,
        outcome_index,
        transaction_hash,
        market_slug: bounded("slug")?,
        event_slug: bounded("eventSlug")?,
    })
}

fn is_hex(text: &str, digits: usize) -> bool {
    text.len() == digits + 2 && text.starts_with("0x") && text[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// Fills carry no id: the key is (transactionHash, asset, side, size, price, occurrence), where
/// occurrence numbers identical fills of one transaction in delivery order. The same fill
/// delivered by the poller and the webhook gets the same key.
pub fn fill_keys(trades: &[LeaderTrade]) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    trades
        .iter()
        .map(|t| {
            let identity = format!(
                "{}|{}|{}|{}|{}",
                t.transaction_hash,
                t.asset,
                t.side.as_str(),
                format_micro(t.size),
                format_micro(t.price)
            );
            let occurrence = seen.entry(identity.clone()).or_insert(0);
            let key = format!("{identity}|{occurrence}");
            *occurrence += 1;
            Sha256::digest(key.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
        })
        .collect()
}

/// The trades as one JSON array parameter for the recording statement.
pub fn as_rows(trades: &[LeaderTrade]) -> Value {
    let keys = fill_keys(trades);
    Value::Array(
        trades
            .iter()
            .zip(keys)
            .map(|(t, key)| {
                json!({
                    "leader_address": t.leader,
                    "fill_key": key,
                    "transaction_hash": t.transaction_hash,
                    "asset": t.asset,
                    "condition_id": t.condition_id,
                    "side": t.side.as_str(),
                    "size": format_micro(t.size),
                    "price": format_micro(t.price),
                    "outcome": t.outcome,
                    "outcome_index": t.outcome_index,
                    "market_slug": t.market_slug,
                    "event_slug": t.event_slug,
                    "traded_at": t.traded_at_secs,
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trade(tx: &str, size: f64) -> Value {
        json!({
            "proxyWallet": "0xAbCdEf0000000000000000000000000000000001", "side": "BUY",
            "asset": "123456789", "conditionId": format!("0x{}", "ab".repeat(32)), "size": size,
            "price": 0.53, "timestamp": 1_763_800_000, "outcome": "Yes", "outcomeIndex": 0,
            "transactionHash": tx, "slug": "will-it", "eventSlug": "it"
        })
    }

    #[test]
    fn parses_a_data_api_trade_exactly() {
        let t = parse_trade(0, &trade(&format!("0x{}", "11".repeat(32)), 12.5)).unwrap();
        assert_eq!(t.leader, "0xabcdef0000000000000000000000000000000001");
        assert_eq!((t.size, t.price), (12_500_000, 530_000));
        assert_eq!(t.side, TradeSide::Buy);
    }

    #[test]
    fn names_the_bad_field() {
        let mut bad = trade(&format!("0x{}", "11".repeat(32)), 1.0);
        bad["price"] = json!(1.5);
        assert_eq!(parse_trade(3, &bad).unwrap_err().to_string(), "`trades[3].price` is missing or invalid");
        bad = trade("0x12", 1.0);
        assert_eq!(parse_trade(0, &bad).unwrap_err().field, "transactionHash");
    }

    /// What Postgres cannot hold fails the trade, naming the field, not the batch's statement.
    #[test]
    fn values_the_schema_cannot_hold_are_refused() {
        let tx = format!("0x{}", "11".repeat(32));
        for (field, bad) in [
            ("outcomeIndex", json!(2_147_483_648i64)),
            ("outcomeIndex", json!(-2_147_483_649i64)),
            ("outcomeIndex", json!(-1)),
            ("outcomeIndex", json!("1")),
            ("timestamp", json!(i64::MAX)),
            ("timestamp", json!(253_402_300_800i64)),
            ("outcome", json!("Y\u{0}es")),
            ("slug", json!("a\u{0}")),
            ("eventSlug", json!("\u{0}")),
            ("eventSlug", json!(7)),
            ("size", json!("1000000000001")),
        ] {
            let mut t = trade(&tx, 1.0);
            t[field] = bad.clone();
            assert_eq!(parse_trade(2, &t).unwrap_err(), TradeError { index: 2, field }, "{field} = {bad}");
        }
        let mut none = trade(&tx, 1.0);
        for field in ["outcomeIndex", "outcome", "slug", "eventSlug"] {
            none[field] = Value::Null;
        }
        let parsed = parse_trade(0, &none).unwrap();
        assert_eq!((parsed.outcome_index, parsed.outcome, parsed.market_slug), (None, None, None));
        let mut edge = trade(&tx, 1.0);
        edge["outcomeIndex"] = json!(i32::MAX);
        edge["timestamp"] = json!(253_402_300_799i64);
        assert!(parse_trade(0, &edge).is_ok());
    }

    #[test]
    fn identical_fills_in_one_transaction_get_distinct_keys_and_redelivery_the_same_ones() {
        let tx = format!("0x{}", "22".repeat(32));
        let batch: Vec<LeaderTrade> =
            [1.0, 1.0, 2.0].iter().map(|s| parse_trade(0, &trade(&tx, *s)).unwrap()).collect();
        let keys = fill_keys(&batch);
        assert_ne!(keys[0], keys[1]);
        assert_ne!(keys[0], keys[2]);
        assert_eq!(keys, fill_keys(&batch));
        assert_eq!(fill_keys(&batch[..1])[0], keys[0]);
    }
}
