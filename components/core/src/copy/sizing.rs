//! Sizing a copy and applying the profile's guards: pure rules, every quantity in integer
//! micro-units (USD, shares, prices with 1.0 = 1 000 000). A skipped copy says why.

use serde::Serialize;

use super::claim::{Event, Profile, Sizing};
use super::trades::TradeSide;
use crate::money::{floor_to, mul_div_floor, ONE};
use crate::text_enum::text_enum;

text_enum! {
    /// Why a copy was not placed. Stored in `copy_attempts.skip_reason`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum SkipReason {
        ProfileDeleted = "PROFILE_DELETED",
        ProfilePaused = "PROFILE_PAUSED",
        EventTooOld = "EVENT_TOO_OLD",
        SellNotAllowed = "SELL_NOT_ALLOWED",
        MarketNotAllowed = "MARKET_NOT_ALLOWED",
        MarketDenied = "MARKET_DENIED",
        NonBinaryMarket = "NON_BINARY_MARKET",
        NoTradingAuthority = "NO_TRADING_AUTHORITY",
        /// The user's trading account setup has not finished (POST /me/trading-account).
        AccountNotReady = "ACCOUNT_NOT_READY",
        MarketNotFound = "MARKET_NOT_FOUND",
        NoLiquidity = "NO_LIQUIDITY",
        PriceDeviation = "PRICE_DEVIATION",
        InsufficientBalance = "INSUFFICIENT_BALANCE",
        NoPosition = "NO_POSITION",
        MaxPositionReached = "MAX_POSITION_REACHED",
        DailyVolumeExceeded = "DAILY_VOLUME_EXCEEDED",
        BelowMinSize = "BELOW_MIN_SIZE",
        BelowMinOrder = "BELOW_MIN_ORDER",
    }
}

/// Checks that need no market data: profile state, event age, side and market lists. Gives
/// back the profile that passed.
pub fn precheck<'a>(
    profile: Option<&'a Profile>,
    event: &Event,
    now_ms: i64,
    max_event_age_ms: i64,
) -> Result<&'a Profile, SkipReason> {
    let profile = profile.ok_or(SkipReason::ProfileDeleted)?;
    if !profile.enabled {
        return Err(SkipReason::ProfilePaused);
    }
    if now_ms - event.traded_at_ms > max_event_age_ms {
        return Err(SkipReason::EventTooOld);
    }
    let guards = &profile.guards;
    if guards.buy_only && event.side == TradeSide::Sell {
        return Err(SkipReason::SellNotAllowed);
    }
    let names = |list: &[String]| {
        list.iter().any(|m| *m == event.condition_id || Some(m.as_str()) == event.market_slug.as_deref())
    };
    if !guards.market_allowlist.is_empty() && !names(&guards.market_allowlist) {
        return Err(SkipReason::MarketNotAllowed);
    }
    if names(&guards.market_denylist) {
        return Err(SkipReason::MarketDenied);
    }
    // A Polymarket market is binary (outcome 0 or 1); anything else is a market shape we do
    // not copy unless the profile allows it.
    if guards.binary_only && !matches!(event.outcome_index, Some(0) | Some(1)) {
        return Err(SkipReason::NonBinaryMarket);
    }
    Ok(profile)
}

/// The market as the book shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Market {
    pub best_bid: Option<i128>,
    pub best_ask: Option<i128>,
    pub min_order_size: i128,
}

/// The follower's holdings, when they were read (`None`: not read, so not enforced — only
/// in DRY mode, which cannot authenticate to the CLOB without signing).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Holdings {
    pub collateral: Option<i128>,
    pub position: Option<i128>,
}

/// What to place: a limit order at the top of the book.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sized {
    pub buy: bool,
    pub price: i128,
    /// Shares, rounded down to 2 decimals (the CLOB's size precision).
    pub size: i128,
    /// USD committed: size × price.
    pub notional: i128,
}

/// Which holdings `decide` needs for this copy.
pub fn needs(profile: &Profile, buy: bool) -> (bool, bool) {
    let collateral = buy && matches!(profile.sizing, Sizing::BalancePercent(_));
    let position = !buy || profile.guards.max_position_per_market.is_some();
    (collateral, position)
}

/// Sizes the copy and applies the guards, reducing where a guard allows less and skipping
/// where nothing sensible is left.
pub fn decide(
    profile: &Profile,
    event: &Event,
    daily_used: i128,
    market: Market,
    holdings: Holdings,
) -> Result<Sized, SkipReason> {
    let buy = event.side == TradeSide::Buy;
    let price = if buy { market.best_ask } else { market.best_bid }.ok_or(SkipReason::NoLiquidity)?;
    if price <= 0 || price >= ONE {
        return Err(SkipReason::NoLiquidity);
    }
    let guards = &profile.guards;
    if let Some(bps) = guards.max_price_deviation_bps {
        if (price - event.price).abs() * 10_000 > bps * event.price {
            return Err(SkipReason::PriceDeviation);
        }
    }
    let shares_for = |usd: i128| mul_div_floor(usd, ONE, price).unwrap_or(0);
    let mut size = match profile.sizing {
        Sizing::FixedUsd(usd) => shares_for(usd),
        Sizing::LeaderRatio(bps) => event.size * bps / 10_000,
        Sizing::BalancePercent(bps) if buy => match holdings.collateral {
            Some(collateral) => shares_for(collateral * bps / 10_000),
            None => shares_for(event.size * price / ONE),
        },
        Sizing::BalancePercent(bps) => match holdings.position {
            Some(position) => position * bps / 10_000,
            None => event.size,
        },
    };
    if let Some(max) = guards.max_order {
        size = size.min(shares_for(max));
    }
    if buy {
        if let Some(collateral) = holdings.collateral {
            if collateral <= 0 {
                return Err(SkipReason::InsufficientBalance);
            }
            size = size.min(shares_for(collateral));
        }
        if let (Some(max), Some(position)) = (guards.max_position_per_market, holdings.position) {
            let room = max - position * price / ONE;
            if room <= 0 {
                return Err(SkipReason::MaxPositionReached);
            }
            size = size.min(shares_for(room));
        }
    } else if let Some(position) = holdings.position {
        // Sells never exceed the position: reduced to it, skipped without one.
        if position <= 0 {
            return Err(SkipReason::NoPosition);
        }
        size = size.min(position);
    }
    if let Some(max) = guards.max_daily_volume {
        let remaining = max - daily_used;
        if remaining <= 0 {
            return Err(SkipReason::DailyVolumeExceeded);
        }
        size = size.min(shares_for(remaining));
    }
    let size = floor_to(size, 10_000);
    if size <= 0 || size < market.min_order_size {
        return Err(SkipReason::BelowMinSize);
    }
    let notional = size * price / ONE;
    if guards.min_order.is_some_and(|min| notional < min) {
        return Err(SkipReason::BelowMinOrder);
    }
    Ok(Sized { buy, price, size, notional })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_spell_skip_reasons_as_stored() {
        for reason in SkipReason::ALL {
            assert_eq!(serde_json::to_value(reason).unwrap(), reason.as_str());
        }
    }
    use crate::copy::claim::Guards;

    fn profile(sizing: Sizing, guards: Guards) -> Profile {
        Profile { enabled: true, sizing, guards: Guards { binary_only: true, ..guards } }
    }

    fn event(side: &str, size: i128, price: i128) -> Event {
        Event {
            id: "e".into(),
            side: TradeSide::parse(side).unwrap(),
            asset: "1".into(),
            condition_id: "0xc".into(),
            size,
            price,
            outcome_index: Some(0),
            market_slug: Some("slug".into()),
            traded_at_ms: 1_000,
        }
    }

    const MARKET: Market = Market { best_bid: Some(500_000), best_ask: Some(520_000), min_order_size: 5 * ONE };

    #[test]
    fn each_sizing_mode_sizes_as_documented() {
        let fixed = decide(
            &profile(Sizing::FixedUsd(26 * ONE), Guards::default()),
            &event("BUY", 10 * ONE, 520_000),
            0,
            MARKET,
            Holdings::default(),
        )
        .unwrap();
        assert_eq!((fixed.size, fixed.price, fixed.notional), (50 * ONE, 520_000, 26 * ONE));
        let ratio = decide(
            &profile(Sizing::LeaderRatio(2_500), Guards::default()),
            &event("BUY", 40 * ONE, 520_000),
            0,
            MARKET,
            Holdings::default(),
        )
        .unwrap();
        assert_eq!(ratio.size, 10 * ONE);
        let pct = decide(
            &profile(Sizing::BalancePercent(1_000), Guards::default()),
            &event("BUY", ONE, 520_000),
            0,
            MARKET,
            Holdings { collateral: Some(104 * ONE), position: None },
        )
        .unwrap();
        assert_eq!(pct.size, 20 * ONE);
    }

    #[test]
    fn sells_are_reduced_to_the_position_and_skipped_without_one() {
        let p = profile(Sizing::FixedUsd(100 * ONE), Guards::default());
        let held = Holdings { collateral: None, position: Some(7_123_456) };
        assert_eq!(decide(&p, &event("SELL", 50 * ONE, 500_000), 0, MARKET, held).unwrap().size, 7_120_000);
        let none = Holdings { collateral: None, position: Some(0) };
        assert_eq!(decide(&p, &event("SELL", 50 * ONE, 500_000), 0, MARKET, none), Err(SkipReason::NoPosition));
    }

    #[test]
    fn every_guard_skips_with_its_reason() {
        let e = event("BUY", 10 * ONE, 520_000);
        let with = |guards: Guards| profile(Sizing::FixedUsd(26 * ONE), guards);
        let skip =
            |guards: Guards, held: Holdings, used: i128| decide(&with(guards), &e, used, MARKET, held).unwrap_err();
        let far = Market { best_ask: Some(600_000), ..MARKET };
        assert_eq!(
            decide(
                &with(Guards { max_price_deviation_bps: Some(500), ..Guards::default() }),
                &e,
                0,
                far,
                Holdings::default()
            ),
            Err(SkipReason::PriceDeviation)
        );
        assert_eq!(
            skip(Guards { max_daily_volume: Some(100 * ONE), ..Guards::default() }, Holdings::default(), 100 * ONE),
            SkipReason::DailyVolumeExceeded
        );
        assert_eq!(
            skip(Guards { min_order: Some(30 * ONE), ..Guards::default() }, Holdings::default(), 0),
            SkipReason::BelowMinOrder
        );
        let held = Holdings { collateral: None, position: Some(200 * ONE) };
        assert_eq!(
            skip(Guards { max_position_per_market: Some(100 * ONE), ..Guards::default() }, held, 0),
            SkipReason::MaxPositionReached
        );
        assert_eq!(
            skip(Guards::default(), Holdings { collateral: Some(0), position: None }, 0),
            SkipReason::InsufficientBalance
        );
        let thin = Market { best_ask: None, ..MARKET };
        assert_eq!(decide(&with(Guards::default()), &e, 0, thin, Holdings::default()), Err(SkipReason::NoLiquidity));
        let big_min = Market { min_order_size: 100 * ONE, ..MARKET };
        assert_eq!(
            decide(&with(Guards::default()), &e, 0, big_min, Holdings::default()),
            Err(SkipReason::BelowMinSize)
        );
    }

    #[test]
    fn caps_reduce_instead_of_skipping() {
        let e = event("BUY", 10 * ONE, 520_000);
        let capped = decide(
            &profile(Sizing::FixedUsd(100 * ONE), Guards { max_order: Some(26 * ONE), ..Guards::default() }),
            &e,
            0,
            MARKET,
            Holdings::default(),
        )
        .unwrap();
        assert_eq!(capped.size, 50 * ONE);
        let daily = decide(
            &profile(Sizing::FixedUsd(100 * ONE), Guards { max_daily_volume: Some(126 * ONE), ..Guards::default() }),
            &e,
            100 * ONE,
            MARKET,
            Holdings::default(),
        )
        .unwrap();
        assert_eq!(daily.size, 50 * ONE);
    }

    #[test]
    fn prechecks_skip_with_their_reason() {
        let e = event("SELL", ONE, 500_000);
        let p = |guards: Guards| profile(Sizing::FixedUsd(ONE), guards);
        assert_eq!(precheck(None, &e, 1_000, 60_000), Err(SkipReason::ProfileDeleted));
        let paused = Profile { enabled: false, ..p(Guards::default()) };
        assert_eq!(precheck(Some(&paused), &e, 1_000, 60_000), Err(SkipReason::ProfilePaused));
        assert_eq!(precheck(Some(&p(Guards::default())), &e, 120_000, 60_000), Err(SkipReason::EventTooOld));
        assert_eq!(
            precheck(Some(&p(Guards { buy_only: true, ..Guards::default() })), &e, 1_000, 60_000),
            Err(SkipReason::SellNotAllowed)
        );
        let allow = Guards { market_allowlist: vec!["other".into()], ..Guards::default() };
        assert_eq!(precheck(Some(&p(allow)), &e, 1_000, 60_000), Err(SkipReason::MarketNotAllowed));
        let deny = Guards { market_denylist: vec!["slug".into()], ..Guards::default() };
        assert_eq!(precheck(Some(&p(deny)), &e, 1_000, 60_000), Err(SkipReason::MarketDenied));
        let three = Event { outcome_index: Some(2), ..e.clone() };
        assert_eq!(precheck(Some(&p(Guards::default())), &three, 1_000, 60_000), Err(SkipReason::NonBinaryMarket));
        let fine = p(Guards::default());
        assert_eq!(precheck(Some(&fine), &e, 1_000, 60_000), Ok(&fine));
    }
}
