//! The signing gate and breaker scripts on a real Redis. Time is an argument of both scripts, so
//! windows and breaker periods are exercised without sleeping.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Barrier;

use mirror_core::signing::{gate, record_outcome, BreakerState, GateVerdict, SigningLimits};
use support::{runbook_limits, TestRedis};

const T0: i64 = 1_800_000_000_000;

/// `callers` threads, each with its own connection, hit the gate at the same instant; returns
/// how many were admitted.
fn race(redis: &TestRedis, callers: usize, user_of: impl Fn(usize) -> String + Sync, now: i64) -> usize {
    let admitted = AtomicUsize::new(0);
    let barrier = Barrier::new(callers);
    let limits = runbook_limits();
    std::thread::scope(|s| {
        for i in 0..callers {
            let (conn, barrier, admitted, limits, user) = (redis.another(), &barrier, &admitted, &limits, user_of(i));
            s.spawn(move || {
                barrier.wait();
                if let GateVerdict::Admitted { .. } = gate(&conn, limits, &user, &format!("op-{i}"), true, now).unwrap()
                {
                    admitted.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
    });
    admitted.into_inner()
}

#[test]
fn limiter_admits_exactly_30_per_user_under_race() {
    let redis = TestRedis::fresh();
    assert_eq!(race(&redis, 200, |_| "alice".into(), T0), 30);
}

#[test]
fn limiter_admits_exactly_300_globally_under_race() {
    let redis = TestRedis::fresh();
    assert_eq!(race(&redis, 360, |i| format!("user-{}", i % 12), T0), 300);
}

#[test]
fn user_window_slides_and_retry_after_is_exact() {
    let redis = TestRedis::fresh();
    let limits = runbook_limits();
    for i in 0..30 {
        let at = T0 + i * 1000;
        assert_eq!(
            gate(&redis, &limits, "bob", &format!("a{i}"), true, at).unwrap(),
            GateVerdict::Admitted { probe: false }
        );
    }
    // Full: the oldest admission (T0) leaves the window at T0 + 60 s.
    assert_eq!(
        gate(&redis, &limits, "bob", "x", true, T0 + 45_000).unwrap(),
        GateVerdict::UserLimited { retry_after_ms: 15_000 }
    );
    assert_eq!(gate(&redis, &limits, "bob", "y", true, T0 + 60_000).unwrap(), GateVerdict::Admitted { probe: false });
    assert_eq!(
        gate(&redis, &limits, "bob", "z", true, T0 + 60_000).unwrap(),
        GateVerdict::UserLimited { retry_after_ms: 1_000 }
    );
    // Another user is not affected.
    assert_eq!(gate(&redis, &limits, "carol", "c", true, T0 + 60_000).unwrap(), GateVerdict::Admitted { probe: false });
}

#[test]
fn global_window_limits_with_its_own_retry_after() {
    let redis = TestRedis::fresh();
    let limits = SigningLimits { global_limit: 5, ..runbook_limits() };
    for i in 0..5 {
        gate(&redis, &limits, &format!("u{i}"), &format!("g{i}"), true, T0 + i).unwrap();
    }
    assert_eq!(
        gate(&redis, &limits, "u9", "g9", true, T0 + 10).unwrap(),
        GateVerdict::GlobalLimited { retry_after_ms: 59_990 }
    );
}

fn fail(redis: &TestRedis, limits: &SigningLimits, id: &str, at: i64) -> BreakerState {
    record_outcome(redis, limits, id, false, at).unwrap()
}

#[test]
fn breaker_opens_at_ten_failures_in_five_minutes() {
    let redis = TestRedis::fresh();
    let limits = runbook_limits();
    for i in 0..9 {
        assert_eq!(fail(&redis, &limits, &format!("f{i}"), T0 + i * 1000), BreakerState::Closed);
    }
    // The first failure leaves the 5-minute window before the tenth arrives: still CLOSED.
    assert_eq!(fail(&redis, &limits, "late", T0 + 300_500), BreakerState::Closed);
    assert_eq!(fail(&redis, &limits, "tenth", T0 + 300_900), BreakerState::Open);
    assert_eq!(redis.hget("signing:breaker", "state").as_deref(), Some("OPEN"));
    assert_eq!(
        gate(&redis, &limits, "u", "blocked", true, T0 + 300_900 + 20_000).unwrap(),
        GateVerdict::BreakerOpen { retry_after_ms: 100_000 }
    );
}

fn open_breaker(redis: &TestRedis, limits: &SigningLimits, at: i64) {
    for i in 0..limits.failure_threshold {
        fail(redis, limits, &format!("open-{at}-{i}"), at);
    }
    assert_eq!(redis.hget("signing:breaker", "state").as_deref(), Some("OPEN"));
}

#[test]
fn half_open_after_two_minutes_then_closed_after_three_successful_probes() {
    let redis = TestRedis::fresh();
    let limits = runbook_limits();
    open_breaker(&redis, &limits, T0);
    let t = T0 + 120_000;
    for i in 0..3 {
        assert_eq!(
            gate(&redis, &limits, "u", &format!("p{i}"), true, t).unwrap(),
            GateVerdict::Admitted { probe: true }
        );
    }
    assert!(matches!(gate(&redis, &limits, "u", "p4", true, t).unwrap(), GateVerdict::BreakerOpen { .. }), "4th probe");
    assert_eq!(redis.hget("signing:breaker", "state").as_deref(), Some("HALF_OPEN"));
    assert_eq!(record_outcome(&redis, &limits, "p0", true, t).unwrap(), BreakerState::HalfOpen);
    assert_eq!(record_outcome(&redis, &limits, "p1", true, t).unwrap(), BreakerState::HalfOpen);
    assert_eq!(record_outcome(&redis, &limits, "p2", true, t).unwrap(), BreakerState::Closed);
    assert_eq!(gate(&redis, &limits, "u", "after", true, t).unwrap(), GateVerdict::Admitted { probe: false });
}

#[test]
fn a_failed_probe_reopens_the_breaker() {
    let redis = TestRedis::fresh();
    let limits = runbook_limits();
    open_breaker(&redis, &limits, T0);
    let t = T0 + 120_000;
    assert_eq!(gate(&redis, &limits, "u", "p", true, t).unwrap(), GateVerdict::Admitted { probe: true });
    assert_eq!(record_outcome(&redis, &limits, "p", false, t + 5).unwrap(), BreakerState::Open);
    assert_eq!(
        gate(&redis, &limits, "u", "q", true, t + 10).unwrap(),
        GateVerdict::BreakerOpen { retry_after_ms: 119_995 }
    );
}

#[test]
fn half_open_admits_three_probes_under_race() {
    let redis = TestRedis::fresh();
    let limits = runbook_limits();
    open_breaker(&redis, &limits, T0);
    assert_eq!(race(&redis, 50, |i| format!("user-{i}"), T0 + 120_000), 3);
}

#[test]
fn probes_that_never_report_are_reissued_after_a_full_period() {
    let redis = TestRedis::fresh();
    let limits = runbook_limits();
    open_breaker(&redis, &limits, T0);
    let t = T0 + 120_000;
    for i in 0..3 {
        gate(&redis, &limits, "u", &format!("lost{i}"), true, t).unwrap();
    }
    assert!(matches!(gate(&redis, &limits, "u", "more", true, t + 60_000).unwrap(), GateVerdict::BreakerOpen { .. }));
    assert_eq!(gate(&redis, &limits, "u", "again", true, t + 120_000).unwrap(), GateVerdict::Admitted { probe: true });
}

#[test]
fn rate_limited_callers_do_not_consume_probes() {
    let redis = TestRedis::fresh();
    let limits = SigningLimits { user_limit: 1, ..runbook_limits() };
    open_breaker(&redis, &limits, T0);
    let t = T0 + 120_000;
    assert_eq!(gate(&redis, &limits, "u", "p1", true, t).unwrap(), GateVerdict::Admitted { probe: true });
    assert!(matches!(gate(&redis, &limits, "u", "p2", true, t).unwrap(), GateVerdict::UserLimited { .. }));
    assert_eq!(gate(&redis, &limits, "v", "p3", true, t).unwrap(), GateVerdict::Admitted { probe: true });
    assert_eq!(redis.hget("signing:breaker", "probes").as_deref(), Some("2"));
}

#[test]
fn dynamic_reported_down_fails_fast_unless_signing_locally() {
    let redis = TestRedis::fresh();
    let limits = runbook_limits();
    let health = r#"{"services":{"dynamic":{"status":"down","latencyMs":1}}}"#;
    mirror_core::ports::Redis::execute(&redis, "SET", &["system:health".into(), health.into()]).unwrap();
    assert_eq!(gate(&redis, &limits, "u", "a", true, T0).unwrap(), GateVerdict::DynamicDown);
    assert_eq!(gate(&redis, &limits, "u", "b", false, T0).unwrap(), GateVerdict::Admitted { probe: false });
    let degraded = r#"{"services":{"dynamic":{"status":"degraded","latencyMs":1}}}"#;
    mirror_core::ports::Redis::execute(&redis, "SET", &["system:health".into(), degraded.into()]).unwrap();
    assert_eq!(gate(&redis, &limits, "u", "c", true, T0).unwrap(), GateVerdict::Admitted { probe: false });
    mirror_core::ports::Redis::execute(&redis, "SET", &["system:health".into(), "not json".into()]).unwrap();
    assert_eq!(gate(&redis, &limits, "u", "d", true, T0).unwrap(), GateVerdict::Admitted { probe: false });
}

#[test]
fn the_local_key_path_keeps_limits_but_ignores_the_breaker() {
    let redis = TestRedis::fresh();
    let limits = SigningLimits { user_limit: 2, ..runbook_limits() };
    open_breaker(&redis, &limits, T0);
    assert!(matches!(gate(&redis, &limits, "u", "s", true, T0 + 1).unwrap(), GateVerdict::BreakerOpen { .. }));
    assert_eq!(gate(&redis, &limits, "u", "l1", false, T0 + 1).unwrap(), GateVerdict::Admitted { probe: false });
    assert_eq!(gate(&redis, &limits, "u", "l2", false, T0 + 1).unwrap(), GateVerdict::Admitted { probe: false });
    assert!(matches!(gate(&redis, &limits, "u", "l3", false, T0 + 1).unwrap(), GateVerdict::UserLimited { .. }));
}
