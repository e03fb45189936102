//! Prices on a market's tick grid.

use rust_decimal::{Decimal, RoundingStrategy};

use super::{OrderError, TickSize};

/// Which way [`round_price_to_tick`] moves a price that is between two ticks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriceRounding {
    /// To the tick below: for a BUY's price cap, so the order never pays more than the cap.
    Down,
    /// To the tick above: for a SELL's price floor, so the order never accepts less.
    Up,
    /// To the nearest tick, halves up (clob-client-v2's `roundNormal` for limit prices).
    Nearest,
}

/// Checks that `price` is one the CLOB accepts for `tick`: within `[tick, 1 - tick]` (the
/// client's `priceValid`) and a multiple of the tick. The client itself only checks the range
/// and rounds to the tick's decimals, which for 0.005 and 0.0025 can still be off the grid; the
/// CLOB refuses such prices, so this refuses them before signing.
pub fn validate_price(price: Decimal, tick: TickSize) -> Result<(), OrderError> {
    if price <= Decimal::ZERO {
        return Err(OrderError::NotPositive { field: "price", value: price });
    }
    if price < tick.as_decimal() || price > Decimal::ONE - tick.as_decimal() {
        return Err(OrderError::PriceOutOfRange { price, tick });
    }
    let in_ten_thousandths = price * Decimal::from(10_000);
    let on_grid = in_ten_thousandths.fract().is_zero()
        && (in_ten_thousandths / Decimal::from(tick.ten_thousandths())).fract().is_zero();
    if !on_grid {
        return Err(OrderError::PriceOffTick { price, tick });
    }
    Ok(())
}

/// Puts a positive `price` on `tick`'s grid in the given direction, then clamps it into
/// `[tick, 1 - tick]`: a BUY cap above the top becomes the highest price the CLOB accepts, a
/// SELL floor below the bottom the lowest, which keeps what the cap or floor meant. The result
/// always passes [`validate_price`].
pub fn round_price_to_tick(price: Decimal, tick: TickSize, rounding: PriceRounding) -> Result<Decimal, OrderError> {
    if price <= Decimal::ZERO {
        return Err(OrderError::NotPositive { field: "price", value: price });
    }
    let step = tick.as_decimal();
    let strategy = match rounding {
        PriceRounding::Down => RoundingStrategy::ToNegativeInfinity,
        PriceRounding::Up => RoundingStrategy::ToPositiveInfinity,
        PriceRounding::Nearest => RoundingStrategy::MidpointAwayFromZero,
    };
    let ticks = (price / step).round_dp_with_strategy(0, strategy);
    let on_grid = (ticks * step).clamp(step, Decimal::ONE - step);
    Ok(on_grid.normalize())
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
    fn prices_must_be_inside_the_range() {
        assert!(validate_price(d("0.01"), tick("0.01")).is_ok());
        assert!(validate_price(d("0.99"), tick("0.01")).is_ok());
        assert_eq!(
            validate_price(d("0.995"), tick("0.01")).unwrap_err(),
            OrderError::PriceOutOfRange { price: d("0.995"), tick: tick("0.01") }
        );
        assert!(matches!(validate_price(d("0.0999"), tick("0.1")), Err(OrderError::PriceOutOfRange { .. })));
        assert!(matches!(validate_price(d("1"), tick("0.0001")), Err(OrderError::PriceOutOfRange { .. })));
        assert_eq!(
            validate_price(d("0"), tick("0.01")).unwrap_err(),
            OrderError::NotPositive { field: "price", value: d("0") }
        );
        assert!(matches!(validate_price(d("-0.5"), tick("0.01")), Err(OrderError::NotPositive { .. })));
    }

    #[test]
    fn prices_must_be_on_the_grid() {
        for (price, t) in
            [("0.555", "0.01"), ("0.503", "0.005"), ("0.3326", "0.0025"), ("0.50005", "0.0001"), ("0.25", "0.1")]
        {
            assert_eq!(
                validate_price(d(price), tick(t)).unwrap_err(),
                OrderError::PriceOffTick { price: d(price), tick: tick(t) },
                "{price} @ {t}"
            );
        }
        for (price, t) in [("0.505", "0.005"), ("0.3325", "0.0025"), ("0.50", "0.01"), ("0.3", "0.1")] {
            assert!(validate_price(d(price), tick(t)).is_ok(), "{price} @ {t}");
        }
    }

    #[test]
    fn rounding_to_the_grid_follows_the_direction_and_clamps() {
        let cases = [
            ("0.563", "0.01", PriceRounding::Down, "0.56"),
            ("0.563", "0.01", PriceRounding::Up, "0.57"),
            ("0.565", "0.01", PriceRounding::Nearest, "0.57"),
            ("0.564", "0.01", PriceRounding::Nearest, "0.56"),
            ("0.503", "0.005", PriceRounding::Down, "0.5"),
            ("0.503", "0.005", PriceRounding::Up, "0.505"),
            ("0.56", "0.01", PriceRounding::Up, "0.56"),
            ("1.02", "0.01", PriceRounding::Down, "0.99"),
            ("0.003", "0.01", PriceRounding::Up, "0.01"),
            ("0.003", "0.01", PriceRounding::Down, "0.01"),
            ("0.9999", "0.0025", PriceRounding::Up, "0.9975"),
        ];
        for (price, t, rounding, expected) in cases {
            let rounded = round_price_to_tick(d(price), tick(t), rounding).unwrap();
            assert_eq!(rounded, d(expected), "{price} @ {t} {rounding:?}");
            assert!(validate_price(rounded, tick(t)).is_ok());
        }
        assert!(matches!(
            round_price_to_tick(d("0"), tick("0.01"), PriceRounding::Up),
            Err(OrderError::NotPositive { .. })
        ));
    }
}
