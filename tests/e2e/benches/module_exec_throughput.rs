//! 100 PENDING module transactions (withdrawals authorized by two session keys of one Safe 1.3.0)
//! → all CONFIRMED on anvil mining a block every second, module-exec and relayer ticks back to
//! back (their crons fire every 10 s and 5 s; this measures what the workers take). Reported: the
//! wall time, the JSON-RPC calls and HTTP requests per transaction (module-exec's own and all)
//! beside the floor of one `eth_sendRawTransaction` each, and the gas of `executeFromSessionKey`
//! from the receipts. `cargo bench -p mirror-e2e --bench module_exec_throughput`, with the
//! services `make test` starts.

use std::time::{Duration, Instant};

use mirror_e2e::module_exec::Automated;
use serde_json::{json, Value};

const ROWS: usize = 100;

#[tokio::main]
async fn main() {
    let a = Automated::start(&[], Duration::from_secs(60), 1_000_000_000).await;
    let keys = [a.key(Value::Null).await, a.key(Value::Null).await];
    for i in 0..ROWS {
        a.queue(&format!("bench-{i}"), a.recipient, 1_000, Some(&keys[i % 2])).await;
    }
    let anvil = a.rig.chain.anvil();
    anvil.rpc("evm_setAutomine", json!([false])).await.expect("automine off");
    anvil.rpc("evm_setIntervalMining", json!([1])).await.expect("1 s blocks");
    let (calls, requests, sends) =
        (a.rig.proxy.calls(), a.rig.proxy.requests(), a.rig.proxy.calls_of("eth_sendRawTransaction"));
    let started = Instant::now();
    let (mut ticks, mut exec_calls, mut exec_requests) = (0, 0, 0);
    let mut first = Duration::ZERO;
    loop {
        let tick_started = Instant::now();
        let report = a.exec_tick().await;
        if ticks == 0 {
            first = tick_started.elapsed();
        }
        exec_calls += report["rpcCalls"].as_u64().unwrap();
        exec_requests += report["rpcRequests"].as_u64().unwrap();
        ticks += 1;
        if a.count("SELECT count(*) FROM module_txs WHERE status IN ('PENDING', 'SUBMITTED')").await == 0 {
            break;
        }
        a.rig.relayer_tick().await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let elapsed = started.elapsed();
    assert_eq!(a.count("SELECT count(*) FROM module_txs WHERE status = 'CONFIRMED'").await as usize, ROWS);
    let gas = a
        .rig
        .stack
        .app
        .db
        .query_one("SELECT min(gas_used), avg(gas_used)::int8, max(gas_used) FROM module_txs", &[])
        .await
        .unwrap();
    let (min, avg, max): (i64, i64, i64) = (gas.get(0), gas.get(1), gas.get(2));
    let per_tx = |n: usize| n as f64 / ROWS as f64;
    println!(
        "{ROWS} module transactions: all CONFIRMED in {:.2} s over {ticks} module-exec ticks (the first, which signs, \
         preflights and queues them all: {:.1} ms); module-exec JSON-RPC {:.2} calls/tx in {exec_requests} HTTP requests; \
         all JSON-RPC {:.2} calls/tx, {:.2} HTTP requests/tx; sends {:.2}/tx (floor 1.00); \
         executeFromSessionKey gas min {min} avg {avg} max {max}",
        elapsed.as_secs_f64(),
        first.as_secs_f64() * 1e3,
        exec_calls as f64 / ROWS as f64,
        per_tx(a.rig.proxy.calls() - calls),
        per_tx(a.rig.proxy.requests() - requests),
        per_tx(a.rig.proxy.calls_of("eth_sendRawTransaction") - sends),
    );
}
