//! EIP-1559 fees as OpenZeppelin Relayer prices them (EXTERNAL.md): from `eth_feeHistory` over
//! the last 4 blocks at reward percentiles 30/50/85/99, the tip is the mean of the non-zero
//! rewards at the 85th ("fast"), max fee = base fee × 10 + tip (1.125^(90 s / block time) capped
//! at 10, which Polygon's 2-second blocks reach), capped by `relayer_max_fee_per_gas_gwei`. A
//! replacement raises both by at least 10 % (+1 wei), the node's replacement rule.

use serde_json::{json, Value};

/// The percentiles asked of `eth_feeHistory`; the tip is read at `TIP_PERCENTILE_INDEX`.
pub const REWARD_PERCENTILES: [u32; 4] = [30, 50, 85, 99];
const TIP_PERCENTILE_INDEX: usize = 2;
pub const HISTORY_BLOCKS: u64 = 4;
const BASE_FEE_MULTIPLIER: u128 = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fees {
    pub max_fee_per_gas: u128,
    pub max_priority_fee_per_gas: u128,
}

/// The `eth_feeHistory` parameters.
pub fn history_params() -> Value {
    json!([format!("0x{HISTORY_BLOCKS:x}"), "latest", REWARD_PERCENTILES])
}

/// Market fees from an `eth_feeHistory` answer, within the cap and above the tip floor.
pub fn market(history: &Value, cap: u128, min_tip: u128) -> Result<Fees, String> {
    let quantity = |v: &Value| super::rpc::quantity(v).map_err(|e| format!("fee history: {e}"));
    // The last base fee is the next block's.
    let base = history["baseFeePerGas"]
        .as_array()
        .and_then(|fees| fees.last())
        .ok_or("fee history has no baseFeePerGas")
        .and_then(|v| quantity(v).map_err(|_| "fee history base fee is not a quantity"))?;
    let mut rewards = Vec::new();
    for block in history["reward"].as_array().map(Vec::as_slice).unwrap_or_default() {
        if let Some(reward) = block.get(TIP_PERCENTILE_INDEX) {
            let reward = quantity(reward)?;
            if reward > 0 {
                rewards.push(reward);
            }
        }
    }
    let mean = if rewards.is_empty() { 0 } else { rewards.iter().sum::<u128>() / rewards.len() as u128 };
    let tip = mean.max(min_tip);
    let max_fee = base.saturating_mul(BASE_FEE_MULTIPLIER).saturating_add(tip).min(cap);
    Ok(Fees { max_fee_per_gas: max_fee, max_priority_fee_per_gas: tip.min(max_fee) })
}

/// Fees for a replacement of a transaction sent with `old`: the market's, or the old ones raised
/// by 10 % + 1 wei, whichever is higher, for both fields. `None` when that exceeds the cap: the
/// node would refuse anything less as underpriced, so the transaction waits as it is.
pub fn bump(old: Fees, market: Fees, cap: u128) -> Option<Fees> {
    let raise = |v: u128| v.saturating_add(v / 10).saturating_add(1);
    let tip = market.max_priority_fee_per_gas.max(raise(old.max_priority_fee_per_gas));
    let max_fee = market.max_fee_per_gas.max(raise(old.max_fee_per_gas)).max(tip);
    (max_fee <= cap).then_some(Fees { max_fee_per_gas: max_fee, max_priority_fee_per_gas: tip })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GWEI: u128 = 1_000_000_000;

    fn history(base_fees: &[u128], tips: &[u128]) -> Value {
        json!({
            "baseFeePerGas": base_fees.iter().map(|f| format!("0x{f:x}")).collect::<Vec<_>>(),
            "reward": tips.iter().map(|t| vec!["0x1".to_string(), "0x2".into(), format!("0x{t:x}"), "0x9".into()]).collect::<Vec<_>>(),
        })
    }

    #[test]
    fn market_fees_take_the_next_base_fee_and_the_mean_non_zero_fast_tip() {
        let fees =
            market(&history(&[20 * GWEI, 25 * GWEI, 30 * GWEI], &[0, 30 * GWEI, 40 * GWEI]), 1000 * GWEI, 0).unwrap();
        assert_eq!(fees, Fees { max_fee_per_gas: 300 * GWEI + 35 * GWEI, max_priority_fee_per_gas: 35 * GWEI });
        let capped = market(&history(&[100 * GWEI], &[]), 500 * GWEI, 30 * GWEI).unwrap();
        assert_eq!(capped, Fees { max_fee_per_gas: 500 * GWEI, max_priority_fee_per_gas: 30 * GWEI });
        assert!(market(&json!({"baseFeePerGas": []}), GWEI, 0).is_err());
        assert!(market(&json!({"baseFeePerGas": ["12"]}), GWEI, 0).is_err());
    }

    #[test]
    fn a_replacement_raises_both_fees_by_at_least_ten_percent_within_the_cap() {
        let old = Fees { max_fee_per_gas: 100 * GWEI, max_priority_fee_per_gas: 30 * GWEI };
        let quiet = Fees { max_fee_per_gas: 50 * GWEI, max_priority_fee_per_gas: 30 * GWEI };
        let bumped = bump(old, quiet, 500 * GWEI).unwrap();
        assert_eq!(bumped, Fees { max_fee_per_gas: 110 * GWEI + 1, max_priority_fee_per_gas: 33 * GWEI + 1 });
        let busy = Fees { max_fee_per_gas: 200 * GWEI, max_priority_fee_per_gas: 50 * GWEI };
        assert_eq!(bump(old, busy, 500 * GWEI), Some(busy));
        assert_eq!(bump(old, quiet, 110 * GWEI), None, "a bump past the cap is not sent");
    }
}
