//! Rows enqueued → all CONFIRMED on anvil with 1-second blocks, for 1, 100 and 1,000 rows, with
//! the JSON-RPC calls per transaction beside the floor (one `eth_sendRawTransaction` each, plus
//! the tick's batched reads). Ticks run back to back (the cron fires every 5 s; this measures
//! what the relayer itself takes). `cargo bench -p mirror-e2e --bench relayer_throughput`, with
//! the services `make test` starts.

use std::time::{Duration, Instant};

use mirror_e2e::relayer::RelayerRig;

async fn run(rows: usize) {
    let batch = rows.clamp(1, 1000).to_string();
    let rig = RelayerRig::start(&["--block-time", "1"], &[("relayer_batch_size", &batch)]).await.expect("rig");
    for i in 0..rows {
        rig.submit_count(&format!("bench-{i}")).await;
    }
    let (calls_before, requests_before) = (rig.proxy.calls(), rig.proxy.requests());
    let started = Instant::now();
    let mut ticks = 0;
    let mut first_tick = Duration::ZERO;
    while rig.open_rows().await > 0 {
        let tick_started = Instant::now();
        rig.tick().await;
        if ticks == 0 {
            first_tick = tick_started.elapsed();
        }
        ticks += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let elapsed = started.elapsed();
    let confirmed = rig.count("SELECT count(*) FROM relayer_txs WHERE status = 'CONFIRMED'").await;
    assert_eq!(confirmed as usize, rows);
    let calls = rig.proxy.calls() - calls_before;
    let sends = rig.proxy.calls_of("eth_sendRawTransaction");
    println!(
        "{rows:>5} rows: all CONFIRMED in {:>6.2} s over {ticks} ticks (first tick, which sends them: {:>6.1} ms); \
         JSON-RPC calls {:.2}/tx (sends {:.2}/tx; floor 1.00 + reads), HTTP requests {}",
        elapsed.as_secs_f64(),
        first_tick.as_secs_f64() * 1e3,
        calls as f64 / rows as f64,
        sends as f64 / rows as f64,
        rig.proxy.requests() - requests_before,
    );
}

#[tokio::main]
async fn main() {
    for rows in [1, 100, 1000] {
        run(rows).await;
    }
}
