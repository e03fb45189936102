// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

/// @notice One session key of one Safe: its limits, and the two rolling windows that enforce them.
/// @dev Slot 0 holds everything an execution reads first, so the common path touches few slots.
struct SessionKey {
    uint32 validUntil; // last second (inclusive) the key may authorize; 0 = never registered
    bool revoked; // permanent: a revoked key can be neither updated nor registered again
    uint16 epoch; // bumped by every update; authorizations carry it, so older ones are void
    uint16 maxTxPerHour;
    uint64 maxNotionalPerTrade; // collateral base units (6 decimals)
    uint64 maxNotionalPerDay;
    uint24 lastOutflowHour; // clock hour (timestamp / 3600) of the newest entry; 24 bits last to 3884
    uint32 txCount; // executions so far; position of the next entry in txTimes
    uint32[256] txTimes; // ring: timestamps of the last 256 executions
    uint64[25] hourlyOutflow; // ring: notional charged per clock hour, current hour and the 24 before
}

/// @title SessionKeyWindows — the rolling hour and rolling day of a session key
/// @notice Transactions per hour are counted exactly: the key keeps the timestamps of its last
/// executions, and one more is allowed only if the execution `maxTxPerHour` back is an hour old.
/// Notional per day is kept in clock-hour buckets and summed over the current hour and the 24
/// before it, so every 24-hour window (aligned or not) is covered: a window of 86,400 seconds
/// touches at most 25 clock hours. Spent notional therefore frees up between 24 and 25 hours later.
library SessionKeyWindows {
    uint256 internal constant HOUR = 1 hours;
    /// @dev Capacity of the execution log, and so the highest `maxTxPerHour` a key may have.
    uint256 internal constant TX_LOG_SIZE = 256;
    /// @dev The current clock hour plus the 24 before it.
    uint256 internal constant DAY_BUCKETS = 25;

    /// @notice Whether one more execution at `timestamp` keeps every hour within `maxTxPerHour`.
    function txAllowed(SessionKey storage key, uint256 timestamp) internal view returns (bool) {
        uint256 count = key.txCount;
        uint256 limit = key.maxTxPerHour;
        if (count < limit) return true;
        return timestamp - key.txTimes[(count - limit) % TX_LOG_SIZE] >= HOUR;
    }

    function recordTx(SessionKey storage key, uint256 timestamp) internal {
        uint256 count = key.txCount;
        // Timestamps fit 32 bits until 2106; 2^32 executions of one key are out of reach.
        // forge-lint: disable-next-line(unsafe-typecast)
        key.txTimes[count % TX_LOG_SIZE] = uint32(timestamp);
        // forge-lint: disable-next-line(unsafe-typecast)
        key.txCount = uint32(count + 1);
    }

    /// @notice Notional charged in the current clock hour and the 24 before it.
    function dayOutflow(SessionKey storage key, uint256 timestamp) internal view returns (uint256 total) {
        uint256 hour = timestamp / HOUR;
        uint256 last = key.lastOutflowHour;
        if (hour >= last + DAY_BUCKETS) return 0;
        uint256 first = hour >= DAY_BUCKETS - 1 ? hour - (DAY_BUCKETS - 1) : 0;
        for (uint256 h = first; h <= last; ++h) {
            total += key.hourlyOutflow[h % DAY_BUCKETS];
        }
    }

    /// @dev Callers check the day limit first; it bounds every bucket, so the cast cannot truncate.
    function recordOutflow(SessionKey storage key, uint256 timestamp, uint256 amount) internal {
        uint256 hour = timestamp / HOUR;
        uint256 last = key.lastOutflowHour;
        if (hour != last) {
            // Buckets between the newest entry and now hold hours 25 or more ago: clear them.
            uint256 stale = hour - last < DAY_BUCKETS ? hour - last : DAY_BUCKETS;
            for (uint256 i = 1; i <= stale; ++i) {
                key.hourlyOutflow[(last + i) % DAY_BUCKETS] = 0;
            }
            // forge-lint: disable-next-line(unsafe-typecast)
            key.lastOutflowHour = uint24(hour);
        }
        // forge-lint: disable-next-line(unsafe-typecast)
        key.hourlyOutflow[hour % DAY_BUCKETS] += uint64(amount);
    }
}
