//! The integer maker and taker amounts of an order, computed as clob-client-v2 computes them
//! (`getOrderRawAmounts`, `getMarketOrderRawAmounts`) but in exact integer arithmetic. The client
//! works in floats and, when a result has more decimals than the tick allows, rounds it up at
//! four more decimals before rounding down: that step undoes float error, and on exact values
//! it never changes the result (see [`floor_to_amount`]), so here amounts are simply rounded down.

use rust_decimal::{Decimal, RoundingStrategy};

use super::tick_size::SIZE_DECIMALS;
use super::{validate_price, OrderError, Side, TickSize};

/// Collateral and outcome tokens both have 6 decimals: raw amounts are whole units × 10⁶.
const TOKEN_DECIMALS: u32 = 6;

/// What the maker gives and the taker gives, in raw token units (× 10⁶). For a BUY the maker
/// amount is collateral and the taker amount outcome tokens; for a SELL the other way round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Amounts {
    pub maker_amount: u64,
    pub taker_amount: u64,
}

/// Amounts of a limit order for `size` shares at `price`. `size` is rounded down to 2 decimals
/// as the client does; `price` must already pass [`validate_price`] (put it on the grid with
/// [`super::round_price_to_tick`]). BUY: taker = shares, maker = shares × price; SELL mirrors.
pub fn limit_order_amounts(side: Side, size: Decimal, price: Decimal, tick: TickSize) -> Result<Amounts, OrderError> {
    validate_price(price, tick)?;
    let shares = hundredths(size, "size")?;
    let price_units = whole(price, tick.price_decimals());
    let shares_raw = raw_from_hundredths(shares, "size")?;
    let cost_raw = floor_to_amount(shares * price_units, pow10(SIZE_DECIMALS + tick.price_decimals()), tick, "size")?;
    Ok(match side {
        Side::Buy => Amounts { maker_amount: cost_raw, taker_amount: shares_raw },
        Side::Sell => Amounts { maker_amount: shares_raw, taker_amount: cost_raw },
    })
}

/// Amounts of a market order with `price` as its worst acceptable price. BUY: `amount` is the
/// collateral to spend (rounded down to 2 decimals), taker = amount / price; SELL: `amount` is
/// shares (rounded down to 2 decimals), taker = shares × price. `price` must pass
/// [`validate_price`].
pub fn market_order_amounts(
    side: Side,
    amount: Decimal,
    price: Decimal,
    tick: TickSize,
) -> Result<Amounts, OrderError> {
    validate_price(price, tick)?;
    let given = hundredths(amount, "amount")?;
    let price_units = whole(price, tick.price_decimals());
    let maker_amount = raw_from_hundredths(given, "amount")?;
    let taker_amount = match side {
        Side::Buy => {
            let numerator =
                given.checked_mul(pow10(tick.price_decimals())).ok_or(OrderError::Overflow { field: "amount" })?;
            floor_to_amount(numerator, pow10(SIZE_DECIMALS) * price_units, tick, "amount")?
        }
        Side::Sell => {
            floor_to_amount(given * price_units, pow10(SIZE_DECIMALS + tick.price_decimals()), tick, "amount")?
        }
    };
    Ok(Amounts { maker_amount, taker_amount })
}

/// `value` rounded down to 2 decimals, in hundredths; refuses what is not positive or rounds to 0.
fn hundredths(value: Decimal, field: &'static str) -> Result<u128, OrderError> {
    if value <= Decimal::ZERO {
        return Err(OrderError::NotPositive { field, value });
    }
    match whole(value, SIZE_DECIMALS) {
        0 => Err(OrderError::RoundsToZero { field, decimals: SIZE_DECIMALS }),
        n => Ok(n),
    }
}

/// A non-negative `value` × 10^`decimals`, rounded toward zero.
fn whole(value: Decimal, decimals: u32) -> u128 {
    let rounded = value.round_dp_with_strategy(decimals, RoundingStrategy::ToZero);
    let mantissa = u128::try_from(rounded.mantissa()).expect("callers pass non-negative values");
    // rust_decimal's mantissa is below 2^96, so scaling by at most 10^4 cannot overflow.
    mantissa * pow10(decimals - rounded.scale())
}

fn raw_from_hundredths(hundredths: u128, field: &'static str) -> Result<u64, OrderError> {
    to_raw(hundredths.checked_mul(pow10(TOKEN_DECIMALS - SIZE_DECIMALS)), field)
}

/// The raw amount of `numerator / denominator` rounded down to the tick's amount decimals.
/// Products (limit orders, market SELLs) of a 2-decimal size and a price fit those decimals
/// exactly. A market BUY's quotient, at amount decimals, has the fraction r/p where p is the price
/// in its smallest units, below 10⁴: it is never within 10⁻⁴ of the next unit, so the client's
/// round-up at four more decimals cannot carry into the kept digits, and rounding down alone
/// gives what the client gets.
fn floor_to_amount(numerator: u128, denominator: u128, tick: TickSize, field: &'static str) -> Result<u64, OrderError> {
    let decimals = tick.amount_decimals();
    let scaled = numerator.checked_mul(pow10(decimals)).ok_or(OrderError::Overflow { field })?;
    to_raw((scaled / denominator).checked_mul(pow10(TOKEN_DECIMALS - decimals)), field)
}

fn to_raw(value: Option<u128>, field: &'static str) -> Result<u64, OrderError> {
    value.and_then(|v| u64::try_from(v).ok()).ok_or(OrderError::Overflow { field })
}

fn pow10(exponent: u32) -> u128 {
    10u128.pow(exponent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn tick(text: &str) -> TickSize {
        text.parse().unwrap()
    }

    #[test]
    fn sizes_are_rounded_down_to_hundredths() {
        let amounts = limit_order_amounts(Side::Buy, d("12.349"), d("0.5"), tick("0.01")).unwrap();
        assert_eq!(amounts, Amounts { maker_amount: 6_170_000, taker_amount: 12_340_000 });
    }

    #[test]
    fn zero_negative_and_vanishing_sizes_are_refused() {
        let t = tick("0.01");
        assert_eq!(
            limit_order_amounts(Side::Buy, d("0"), d("0.5"), t).unwrap_err(),
            OrderError::NotPositive { field: "size", value: d("0") }
        );
        assert!(matches!(
            limit_order_amounts(Side::Sell, d("-5"), d("0.5"), t),
            Err(OrderError::NotPositive { field: "size", .. })
        ));
        assert_eq!(
            limit_order_amounts(Side::Buy, d("0.009"), d("0.5"), t).unwrap_err(),
            OrderError::RoundsToZero { field: "size", decimals: 2 }
        );
        assert_eq!(
            market_order_amounts(Side::Buy, d("0.001"), d("0.5"), t).unwrap_err(),
            OrderError::RoundsToZero { field: "amount", decimals: 2 }
        );
        assert!(matches!(
            market_order_amounts(Side::Sell, d("-1"), d("0.5"), t),
            Err(OrderError::NotPositive { field: "amount", .. })
        ));
    }

    #[test]
    fn bad_prices_are_refused_before_any_arithmetic() {
        let t = tick("0.01");
        assert!(matches!(limit_order_amounts(Side::Buy, d("10"), d("0.555"), t), Err(OrderError::PriceOffTick { .. })));
        assert!(matches!(limit_order_amounts(Side::Sell, d("10"), d("1"), t), Err(OrderError::PriceOutOfRange { .. })));
        assert!(matches!(
            market_order_amounts(Side::Buy, d("10"), d("0"), t),
            Err(OrderError::NotPositive { field: "price", .. })
        ));
    }

    #[test]
    fn amounts_beyond_u64_raw_units_overflow() {
        let t = tick("0.01");
        // 2e13 shares are 2e19 raw units, past u64::MAX (1.8e19).
        assert_eq!(
            limit_order_amounts(Side::Buy, d("20000000000000"), d("0.5"), t).unwrap_err(),
            OrderError::Overflow { field: "size" }
        );
        assert_eq!(
            market_order_amounts(Side::Buy, d("79228162514264337593543950335"), d("0.5"), t).unwrap_err(),
            OrderError::Overflow { field: "amount" }
        );
        // $1.8e13 fits u64 raw units; the 1.8e17 shares it buys at 0.0001 do not.
        assert_eq!(
            market_order_amounts(Side::Buy, d("18000000000000"), d("0.0001"), tick("0.0001")).unwrap_err(),
            OrderError::Overflow { field: "amount" }
        );
    }

    #[test]
    fn market_buys_round_the_quotient_down_to_the_amount_decimals() {
        // 10 / 0.3 = 33.333… → 33.333 (3 decimals under tick 0.1).
        let amounts = market_order_amounts(Side::Buy, d("10"), d("0.3"), tick("0.1")).unwrap();
        assert_eq!(amounts, Amounts { maker_amount: 10_000_000, taker_amount: 33_333_000 });
        // 1 / 0.0003 = 3333.3333… → with 6 amount decimals: 3333.333333.
        let amounts = market_order_amounts(Side::Buy, d("1"), d("0.0003"), tick("0.0001")).unwrap();
        assert_eq!(amounts.taker_amount, 3_333_333_333);
    }
}
