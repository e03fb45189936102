//! `relayer` in `/system/status`: the configured keys, what the relayer's last tick saw of them
//! (`relayer:state`), and the queue in Postgres.

use serde_json::{json, Value};

use super::RelayerStats;
use crate::ports::Config;
use crate::relayer::{RelayerKeys, RelayerState};
use crate::settings;
use crate::time::Timestamp;

pub fn relayer_section(config: &dyn Config, stored: Option<&str>, stats: Option<&RelayerStats>) -> Value {
    let keys = match RelayerKeys::from_config(config) {
        Ok(Some(keys)) => keys,
        Ok(None) => {
            return json!({ "status": "not configured", "variable": settings::RELAYER_PRIVATE_KEY });
        }
        Err(e) => return json!({ "status": "misconfigured", "error": e.to_string() }),
    };
    let state: Option<RelayerState> = stored.and_then(|s| serde_json::from_str(s).ok());
    let current = keys.current.address();
    let seen = state.as_ref().and_then(|s| s.current.as_ref()).filter(|k| k.address == current);
    let in_flight = |address: alloy_primitives::Address| {
        stats.map(|s| s.in_flight.get(&format!("{address:#x}")).copied().unwrap_or(0))
    };
    let retiring: Vec<Value> = keys
        .retiring
        .iter()
        .map(|key| {
            let seen = state.as_ref().and_then(|s| s.retiring.iter().find(|k| k.address == key.address()));
            json!({
                "address": key.address().to_checksum(None),
                "balancePol": seen.map(|k| k.balance_pol.clone()),
                "inFlight": in_flight(key.address()),
            })
        })
        .collect();
    // Rows still in flight from an address no configured key has (a key dropped without being
    // listed as retiring): nothing follows them until it is.
    let configured: Vec<String> = keys.all().map(|k| format!("{:#x}", k.address())).collect();
    let unmanaged: Vec<Value> = stats
        .map(|s| {
            let mut rows: Vec<(&String, &i64)> =
                s.in_flight.iter().filter(|(a, n)| **n > 0 && !configured.contains(a)).collect();
            rows.sort();
            rows.into_iter().map(|(address, n)| json!({ "address": address, "inFlight": n })).collect()
        })
        .unwrap_or_default();
    json!({
        "status": seen.map_or("unknown", |k| match k.state {
            crate::relayer::BalanceState::Healthy => "healthy",
            crate::relayer::BalanceState::Warning => "warning",
            crate::relayer::BalanceState::Critical => "critical",
        }),
        "address": current.to_checksum(None),
        "balancePol": seen.map(|k| k.balance_pol.clone()),
        "balanceWei": seen.map(|k| k.balance_wei.clone()),
        "checkedAt": state.as_ref().map(|s| Timestamp::from_millis(s.checked_at_ms).to_string()),
        "rpcUnavailable": state.as_ref().map(|s| s.rpc_unavailable),
        "waitingForFunds": state.as_ref().map(|s| s.insufficient_funds),
        "pendingCount": stats.map(|s| s.pending),
        "submittedCount": stats.map(|s| s.submitted),
        "dlqDepth": stats.map(|s| s.dlq_depth),
        "successRate1h": stats.and_then(RelayerStats::success_rate_1h),
        "inFlight": in_flight(current),
        "retiring": retiring,
        "unmanaged": unmanaged,
    })
}
