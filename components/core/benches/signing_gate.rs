//! Latency of the signing gate and outcome scripts against a bare Redis round trip, measured in
//! the same run on the same connection (`cargo bench -p mirror-core --bench signing_gate`, with
//! `MIRROR_TEST_REDIS_URL` set as `make test` sets it).

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use mirror_core::ports::Redis;
use mirror_core::signing::{gate, record_outcome, SigningLimits};
use support::TestRedis;

const SAMPLES: usize = 5_000;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn measure(label: &str, mut op: impl FnMut(usize)) -> Duration {
    for i in 0..200 {
        op(usize::MAX - i);
    }
    let mut samples: Vec<Duration> = (0..SAMPLES)
        .map(|i| {
            let started = Instant::now();
            op(i);
            started.elapsed()
        })
        .collect();
    samples.sort();
    let (p50, p99) = (percentile(&samples, 0.5), percentile(&samples, 0.99));
    println!("{label:<28} p50 {:>7.1} µs   p99 {:>7.1} µs", p50.as_secs_f64() * 1e6, p99.as_secs_f64() * 1e6);
    p50
}

fn main() {
    let redis = TestRedis::fresh();
    // Limits high enough that every call is admitted: the common path.
    let limits = SigningLimits { user_limit: i64::MAX / 4, global_limit: i64::MAX / 4, ..support::runbook_limits() };
    let now = || std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let floor = measure("bare round trip (PING)", |_| {
        redis.execute("PING", &[]).unwrap();
    });
    let gate_p50 = measure("gate (EVAL)", |i| {
        gate(&redis, &limits, &format!("user-{}", i % 50), &format!("g{i}"), true, now()).unwrap();
    });
    let outcome_p50 = measure("outcome (EVAL)", |i| {
        record_outcome(&redis, &limits, &format!("o{i}"), true, now()).unwrap();
    });
    let both = gate_p50 + outcome_p50;
    println!(
        "gate + outcome p50 {:.1} µs = {:.2}× the bare round trip; overhead over two bare round trips {:.1} µs",
        both.as_secs_f64() * 1e6,
        both.as_secs_f64() / floor.as_secs_f64(),
        (both.as_secs_f64() - 2.0 * floor.as_secs_f64()) * 1e6
    );
}
