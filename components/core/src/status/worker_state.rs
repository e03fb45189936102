use std::time::Duration;

use crate::health::ServiceStatus;

/// A worker is healthy while its last heartbeat is at most `stale_after` old (runbook: alert past
/// 2 minutes), down when older or never written.
pub fn worker_state(last_ping_ms: Option<i64>, now_ms: i64, stale_after: Duration) -> ServiceStatus {
    match last_ping_ms {
        Some(ping) if now_ms - ping <= stale_after.as_millis() as i64 => ServiceStatus::Healthy,
        _ => ServiceStatus::Down,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_after_two_minutes() {
        let two_min = Duration::from_secs(120);
        let now = 1_000_000_000;
        assert_eq!(worker_state(Some(now - 120_000), now, two_min), ServiceStatus::Healthy);
        assert_eq!(worker_state(Some(now - 120_001), now, two_min), ServiceStatus::Down);
        assert_eq!(worker_state(None, now, two_min), ServiceStatus::Down);
    }
}
