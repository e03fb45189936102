//! One scripted market (an outcome token): its tick size, neg-risk flag, minimum size and book,
//! and the amount rules the CLOB holds orders on it to.

use alloy_primitives::keccak256;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::decimal::{from_raw, to_raw, ONE};

/// A price level: raw price and raw size.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Level {
    pub price: u64,
    pub size: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct Market {
    pub token_id: String,
    /// The condition the token belongs to; scripted markets get a stable made-up one.
    pub condition_id: String,
    pub tick_size: String,
    /// Ticks per whole unit of price: every Polymarket tick size is 1/n.
    ticks_per_unit: u64,
    pub neg_risk: bool,
    pub min_order_size: u64,
    pub bids: Vec<Level>,
    pub asks: Vec<Level>,
}

/// Why an order's amounts do not fit the market.
pub(crate) enum AmountError {
    OffTick { price: String },
    BelowMinimum { size: String },
}

impl Market {
    pub(crate) fn new(
        token_id: &str,
        tick_size: &str,
        neg_risk: bool,
        min_order_size: &str,
        bids: &[(&str, &str)],
        asks: &[(&str, &str)],
    ) -> Market {
        let tick = to_raw(tick_size).filter(|t| *t > 0 && ONE.is_multiple_of(*t)).expect("tick size such as 0.01");
        let levels = |side: &[(&str, &str)]| -> Vec<Level> {
            side.iter()
                .map(|(price, size)| Level {
                    price: to_raw(price).expect("level price"),
                    size: to_raw(size).expect("level size"),
                })
                .collect()
        };
        // The real book lists bids ascending and asks descending: the best level comes last.
        let mut bids = levels(bids);
        bids.sort_by_key(|l| l.price);
        let mut asks = levels(asks);
        asks.sort_by_key(|l| std::cmp::Reverse(l.price));
        Market {
            token_id: token_id.to_owned(),
            condition_id: keccak256(token_id.as_bytes()).to_string(),
            tick_size: tick_size.to_owned(),
            ticks_per_unit: ONE / tick,
            neg_risk,
            min_order_size: to_raw(min_order_size).expect("min order size"),
            bids,
            asks,
        }
    }

    /// Decimal places an amount may carry at this tick size, as the reference clients round:
    /// 0.1 → 3, 0.01 → 4, 0.005 and 0.001 → 5, 0.0025 and 0.0001 → 6.
    fn amount_decimals(&self) -> u32 {
        match self.ticks_per_unit {
            0..=10 => 3,
            11..=100 => 4,
            101..=1000 => 5,
            _ => 6,
        }
    }

    /// Checks an order of `shares` for `collateral` (both raw): amounts carry no more decimals
    /// than the clients produce, the price collateral/shares is on the tick grid within
    /// [tick, 1 − tick] — up to the last-digit rounding of the derived amount that market
    /// orders carry — and the size is at least the market's minimum.
    pub(crate) fn check_amounts(&self, collateral: u64, shares: u64) -> Result<(), AmountError> {
        let unit = 10u64.pow(6 - self.amount_decimals());
        let n = u128::from(self.ticks_per_unit);
        let (c, s) = (u128::from(collateral), u128::from(shares));
        let off_tick = || AmountError::OffTick { price: price_text(collateral, shares) };
        if s == 0 || !collateral.is_multiple_of(unit) || !shares.is_multiple_of(unit) {
            return Err(off_tick());
        }
        // The nearest allowed grid price k/n (1 ≤ k ≤ n − 1), and how far collateral is from
        // shares × k/n, scaled by n; under one amount unit is rounding, more is off the grid.
        let k = ((c * n + s / 2) / s).clamp(1, n - 1);
        if (c * n).abs_diff(s * k) >= u128::from(unit) * n {
            return Err(off_tick());
        }
        if shares < self.min_order_size {
            return Err(AmountError::BelowMinimum { size: from_raw(shares) });
        }
        Ok(())
    }

    /// Whether an order at collateral/shares would trade at once against the book.
    pub(crate) fn crosses(&self, buy: bool, collateral: u64, shares: u64) -> bool {
        let (c, s) = (u128::from(collateral) * u128::from(ONE), u128::from(shares));
        if buy {
            self.asks.iter().any(|ask| u128::from(ask.price) * s <= c)
        } else {
            self.bids.iter().any(|bid| u128::from(bid.price) * s >= c)
        }
    }

    /// `GET /book` as the real CLOB answers it.
    pub(crate) fn book_json(&self, timestamp_ms: u128) -> Value {
        let levels = |levels: &[Level]| -> Vec<Value> {
            levels.iter().map(|l| json!({ "price": from_raw(l.price), "size": from_raw(l.size) })).collect()
        };
        let mut book = json!({
            "market": self.condition_id,
            "asset_id": self.token_id,
            "timestamp": timestamp_ms.to_string(),
            "hash": "",
            "bids": levels(&self.bids),
            "asks": levels(&self.asks),
            "min_order_size": from_raw(self.min_order_size),
            "tick_size": self.tick_size,
            "neg_risk": self.neg_risk,
            "last_trade_price": "",
        });
        // The real hash is a digest of the book summary; clients only compare it for change.
        book["hash"] = json!(format!("{:x}", Sha256::digest(book.to_string().as_bytes())));
        book
    }
}

/// collateral/shares as a decimal, to six places, for error messages.
fn price_text(collateral: u64, shares: u64) -> String {
    if shares == 0 {
        return "0".to_owned();
    }
    let raw = u128::from(collateral) * u128::from(ONE) / u128::from(shares);
    from_raw(u64::try_from(raw).unwrap_or(u64::MAX))
}
