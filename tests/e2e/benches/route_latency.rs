//! Latency of routes through the real components on the test host, in process, beside the
//! round-trip floor of the same run (`cargo bench -p mirror-e2e --bench route_latency`, with the
//! services `make test` starts). Each invocation instantiates the component afresh, as Spin does.

use std::time::{Duration, Instant};

use mirror_e2e::TestApp;

const SAMPLES: usize = 2_000;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn measure(app: &TestApp, path: &str) {
    for _ in 0..100 {
        app.get(path).await;
    }
    let mut samples = Vec::with_capacity(SAMPLES);
    let mut trips = None;
    for _ in 0..SAMPLES {
        let started = Instant::now();
        let reply = app.get(path).await;
        samples.push(started.elapsed());
        assert!(reply.status < 500, "{path}: {}", reply.status);
        trips = Some(*reply.round_trips);
    }
    samples.sort();
    println!(
        "{path:<16} p50 {:>7.1} µs   p99 {:>7.1} µs   round trips {}",
        percentile(&samples, 0.5).as_secs_f64() * 1e6,
        percentile(&samples, 0.99).as_secs_f64() * 1e6,
        trips.unwrap()
    );
}

async fn redis_floor(app: &TestApp) {
    let mut redis = app.redis.clone();
    let mut samples = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let started = Instant::now();
        redis::cmd("PING").query_async::<String>(&mut redis).await.unwrap();
        samples.push(started.elapsed());
    }
    samples.sort();
    println!(
        "{:<16} p50 {:>7.1} µs   (floor: one Redis round trip from the host process)",
        "PING",
        percentile(&samples, 0.5).as_secs_f64() * 1e6
    );
}

#[tokio::main]
async fn main() {
    let app = TestApp::start().await.expect("app");
    redis_floor(&app).await;
    for path in ["/health", "/readyz", "/system/status"] {
        measure(&app, path).await;
    }
}
