//! Round-trip counting (docs/architecture.md §10) on a known invocation.
mod common;

use common::{get, http_server, json, load, services_vars};
use mirror_test_host::RoundTrips;

#[tokio::test]
async fn counts_exactly_what_the_guest_did() {
    let port = http_server().await;
    let mut vars = services_vars().await;
    vars.push(("http_host", format!("127.0.0.1:{port}")));
    vars.push(("http_url", format!("http://127.0.0.1:{port}/")));
    let host = load("services", &vars).await;
    let expected = RoundTrips { postgres: 3, postgres_connections: 1, redis: 2, redis_connections: 1, http: 1 };
    // Twice: the second invocation reuses pooled connections and still counts its opens.
    for _ in 0..2 {
        let inv = host.handle(get("/counts?op=counts")).await;
        assert_eq!(json(&inv)["http"], "status 200: ok");
        assert_eq!(inv.round_trips, expected);
    }
    let inv = host.handle(get("/pg?op=pg-unique")).await;
    json(&inv);
    // CREATE, two INSERTs (one failing), one failing INSERT … RETURNING, one SELECT.
    assert_eq!(inv.round_trips, RoundTrips { postgres: 5, postgres_connections: 1, ..Default::default() });
    let inv = host.handle(get("/redis?op=redis")).await;
    json(&inv);
    assert_eq!(inv.round_trips, RoundTrips { redis: 15, redis_connections: 1, ..Default::default() });
}
