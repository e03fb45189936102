//! Copy latency: from a leader fill delivered to the app (webhook POST, or the fill on the Data
//! API and the copy-trading tick fired) to the fake CLOB accepting the last follower's order for
//! it, for 1 and for 100 followers, beside the round-trip floor measured in the same run.
//!
//! `cargo bench -p mirror-e2e --bench copy_latency` with the services `make test` starts and the
//! release signer (`MIRROR_SIGNER_BIN`, else `signer/target/release/mirror-signer`).
//!
//! t0 is taken just before the webhook request (or `fire_cron("copy-trading")`) is handed to the
//! host; t1 is the fake CLOB's `received_at` of the last of the fill's accepted orders (stamped
//! once the order passed every check, before the CLOB answers). Every follower has a FIXED_USD
//! profile ($5 at the ask 0.52), collateral, a server wallet and — after a warm-up fill — CLOB API
//! credentials, so each measured copy is: claim, size, sign (one signer call), persist, post.
//! The signing limiter is raised (see `SIGNING_LIMIT`) so it never defers a copy here.

use std::time::{Duration, Instant};

use bytes::Bytes;
use std::convert::Infallible;

use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use mirror_e2e::copy::{CopyStack, Follower, USD};
use mirror_e2e::signing::random_hex;
use mirror_fakes::polymarket::Endpoint;
use mirror_test_host::RoundTrips;
use serde_json::{json, Value};

/// Followers of the wide scenario.
const WIDE: usize = 100;
const SAMPLES_ONE: usize = 200;
/// 20 fills of 100 orders: p99 of so few is their maximum (printed as such).
const SAMPLES_WIDE: usize = 20;
const FLOOR_SAMPLES: usize = 1_000;
const SIGNER_FLOOR_SAMPLES: usize = 300;
/// signing_user_limit and signing_global_limit for this run (defaults: 30 and 300 a minute).
const SIGNING_LIMIT: &str = "1000000";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A leader and the followers that copy it.
struct Group {
    leader: String,
    followers: Vec<Follower>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Path {
    Webhook,
    Poll,
}

/// One measured fill.
struct Sample {
    /// t0 → last order accepted.
    last: Duration,
    /// t0 → first order accepted.
    first: Duration,
    trips: RoundTrips,
    /// Requests the fake Polymarket (CLOB + Data API) received during the invocation.
    polymarket: usize,
    /// Requests the signer received during the invocation.
    signer: usize,
}

async fn group(stack: &CopyStack, followers: usize) -> Group {
    let leader = format!("0x{}", random_hex(20));
    let mut made = Vec::with_capacity(followers);
    while made.len() < followers {
        let chunk = (followers - made.len()).min(10);
        made.extend(futures::future::join_all((0..chunk).map(|_| stack.follower(1_000_000 * USD))).await);
    }
    for chunk in made.chunks(10) {
        futures::future::join_all(chunk.iter().map(|f| async {
            let body = json!({ "leaderAddress": leader, "sizingMode": "FIXED_USD", "fixedAmountUsd": "5" });
            let reply = stack.user_request(f, "POST", "/copy-profiles", &body).await;
            assert_eq!(reply.status, 201, "{}", String::from_utf8_lossy(&reply.body));
        }))
        .await;
    }
    Group { leader, followers: made }
}

fn fill(stack: &CopyStack, group: &Group) -> Value {
    let mut trade = stack.trade("BUY", "100", "0.52");
    trade["proxyWallet"] = json!(group.leader);
    trade
}

/// Only `group`'s profiles enabled, so a poll reads one leader.
async fn enable_only(stack: &CopyStack, group: &Group) {
    stack
        .app
        .db
        .execute(
            "UPDATE copy_profiles SET status = CASE WHEN leader_address = $1 THEN 'ENABLED' ELSE 'PAUSED' END",
            &[&group.leader],
        )
        .await
        .unwrap();
}

/// Delivers one fresh fill by `path` and waits for every follower's order.
async fn copy_once(stack: &CopyStack, group: &Group, path: Path) -> Sample {
    let before = stack.polymarket.accepted_orders().len();
    let polymarket_before = stack.polymarket.request_count(Endpoint::Any);
    let signer_before = stack.signer.proxy.requests();
    let trade = fill(stack, group);
    let (t0, trips) = match path {
        Path::Webhook => {
            let t0 = Instant::now();
            let reply = stack.webhook(&[trade]).await;
            assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
            let submitted = reply.json()["executed"]["submitted"].as_u64();
            assert_eq!(submitted, Some(group.followers.len() as u64), "{}", String::from_utf8_lossy(&reply.body));
            (t0, *reply.round_trips)
        }
        Path::Poll => {
            stack.polymarket.push_trade(trade);
            let t0 = Instant::now();
            let (result, trips) = stack.app.tick("copy-trading").await;
            result.expect("copy-trading tick");
            (t0, *trips)
        }
    };
    let accepted = stack.polymarket.accepted_orders();
    let new = &accepted[before..];
    assert_eq!(new.len(), group.followers.len(), "rejected: {:?}", stack.polymarket.rejected());
    for f in &group.followers {
        assert!(new.iter().any(|o| o.maker == f.address), "an order per follower");
    }
    let first = new.iter().map(|o| o.received_at).min().unwrap();
    let last = new.iter().map(|o| o.received_at).max().unwrap();
    Sample {
        last: last - t0,
        first: first - t0,
        trips,
        polymarket: stack.polymarket.request_count(Endpoint::Any) - polymarket_before,
        signer: stack.signer.proxy.requests() - signer_before,
    }
}

/// p50 (and p99) of each floor, in one run with the scenarios.
struct Floor {
    redis: Duration,
    postgres: Duration,
    http: Duration,
    http_keepalive: Duration,
    signer: Duration,
    /// A signer call with a chunked body (reported, not in the floor).
    chunked: Duration,
}

impl Floor {
    /// The floor of an invocation that made these round trips.
    fn of(&self, s: &Sample) -> Duration {
        let t = &s.trips;
        let clob = s.polymarket as u32;
        let signer = s.signer as u32;
        assert_eq!(t.http, clob + signer, "every outbound HTTP call is to the fake Polymarket or the signer");
        // Each pooled Postgres connection taken is recycled "clean": one more round trip.
        self.postgres * (t.postgres + t.postgres_connections)
            + self.redis * t.redis
            + self.http * clob
            + self.signer * signer
    }
}

fn summary(label: &str, mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let (p50, p99) = (percentile(&samples, 0.5), percentile(&samples, 0.99));
    println!(
        "  {label:<44} p50 {:>8.1} µs   p99 {:>8.1} µs   (n = {})",
        p50.as_secs_f64() * 1e6,
        p99.as_secs_f64() * 1e6,
        samples.len()
    );
    (p50, p99)
}

async fn time<F: std::future::Future<Output = ()>>(n: usize, mut f: impl FnMut() -> F) -> Vec<Duration> {
    for _ in 0..n / 10 {
        f().await;
    }
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        f().await;
        samples.push(started.elapsed());
    }
    samples
}

async fn fetch(client: &Client<HttpConnector, Full<Bytes>>, request: http::Request<Full<Bytes>>) -> (u16, Bytes) {
    let response = client.request(request).await.expect("request");
    let status = response.status().as_u16();
    (status, response.into_body().collect().await.expect("body").to_bytes())
}

async fn floor(stack: &CopyStack) -> Floor {
    println!("Floor (p50 of bare round trips from the bench process, same run):");
    let redis = stack.app.redis.clone();
    let (redis, _) = summary(
        "Redis PING",
        time(FLOOR_SAMPLES, || {
            let mut redis = redis.clone();
            async move {
                redis::cmd("PING").query_async::<String>(&mut redis).await.unwrap();
            }
        })
        .await,
    );
    let db = &stack.app.db;
    let (postgres, _) = summary(
        "Postgres SELECT 1",
        time(FLOOR_SAMPLES, || async move {
            db.query_one("SELECT 1", &[]).await.unwrap();
        })
        .await,
    );
    // The host's outbound wasi:http opens a connection per request, so the floor does too.
    let fresh: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).pool_max_idle_per_host(0).build_http();
    let pooled: Client<HttpConnector, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let clob = stack.polymarket.clob_url();
    let get = |client: &Client<HttpConnector, Full<Bytes>>| {
        let request = http::Request::get(format!("{clob}/")).body(Full::new(Bytes::new())).unwrap();
        let client = client.clone();
        async move {
            assert_eq!(fetch(&client, request).await.0, 200);
        }
    };
    let (http, _) = summary("fake CLOB GET / (new connection, as the host)", time(FLOOR_SAMPLES, || get(&fresh)).await);
    let (http_keepalive, _) =
        summary("fake CLOB GET / (kept-alive connection)", time(FLOOR_SAMPLES, || get(&pooled)).await);

    // One signing call, as the app makes it: through the signer's proxy, on a new connection.
    let signer_url = stack.signer.proxy.url();
    let bearer = format!("Bearer {}", stack.signer.token);
    let post = |path: &str, body: &Value| {
        http::Request::post(format!("{signer_url}{path}"))
            .header("authorization", &bearer)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body.to_string())))
            .unwrap()
    };
    let (status, wallet) = fetch(&fresh, post("/v1/wallets", &json!({ "userId": "copy-latency-floor" }))).await;
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&wallet));
    let mut sign: Value = serde_json::from_slice(&wallet).unwrap();
    sign["message"] = json!(format!("0x{}", random_hex(32)));
    let (signer, _) = summary(
        "signer POST /v1/sign/message (new connection)",
        time(SIGNER_FLOOR_SAMPLES, || {
            let request = post("/v1/sign/message", &sign);
            let fresh = fresh.clone();
            async move {
                let (status, body) = fetch(&fresh, request).await;
                assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
            }
        })
        .await,
    );
    // The same call with a body of unknown length, forwarded chunked by the proxy: a check that
    // the harness adds no stall of its own (without TCP_NODELAY it added ~40 ms per call).
    let streaming: Client<HttpConnector, BoxBody<Bytes, Infallible>> =
        Client::builder(TokioExecutor::new()).pool_max_idle_per_host(0).build_http();
    let (chunked, _) = summary(
        "signer POST /v1/sign/message (chunked body)",
        time(SIGNER_FLOOR_SAMPLES / 3, || {
            let body = sign.to_string();
            let request = http::Request::post(format!("{signer_url}/v1/sign/message"))
                .header("authorization", &bearer)
                .header("content-type", "application/json")
                // map_frame drops the length: the body goes out chunked.
                .body(Full::new(Bytes::from(body)).map_frame(|frame| frame).boxed())
                .unwrap();
            let streaming = streaming.clone();
            async move {
                let response = streaming.request(request).await.expect("request");
                assert_eq!(response.status().as_u16(), 200);
                response.into_body().collect().await.expect("body");
            }
        })
        .await,
    );
    println!();
    Floor { redis, postgres, http, http_keepalive, signer, chunked }
}

struct Row {
    name: String,
    followers: usize,
    p50: Duration,
    p99: Duration,
    first_p50: Duration,
    samples: usize,
    floor: Duration,
    trips: String,
}

async fn scenario(stack: &CopyStack, group: &Group, path: Path, samples: usize, floor: &Floor) -> Row {
    enable_only(stack, group).await;
    // Warm-up: the group's first copies derive CLOB API keys (one more signature each), and the
    // first invocations of a component pay for instantiation caches.
    for _ in 0..2 {
        copy_once(stack, group, path).await;
    }
    let mut measured = Vec::with_capacity(samples);
    for _ in 0..samples {
        measured.push(copy_once(stack, group, path).await);
    }
    let mut last: Vec<Duration> = measured.iter().map(|s| s.last).collect();
    let mut first: Vec<Duration> = measured.iter().map(|s| s.first).collect();
    last.sort();
    first.sort();
    // The floor of the median sample's round trips (they are the same for every sample).
    let s = &measured[measured.len() / 2];
    let t = &s.trips;
    let trips = format!(
        "pg {}+{} · redis {} · polymarket {} · signer {}",
        t.postgres, t.postgres_connections, t.redis, s.polymarket, s.signer
    );
    Row {
        name: match path {
            Path::Webhook => "webhook".into(),
            Path::Poll => "poll tick".into(),
        },
        followers: group.followers.len(),
        p50: percentile(&last, 0.5),
        p99: percentile(&last, 0.99),
        first_p50: percentile(&first, 0.5),
        samples,
        floor: floor.of(s),
        trips,
    }
}

#[tokio::main]
async fn main() {
    let started = Instant::now();
    let stack =
        CopyStack::start(&[("signing_user_limit", SIGNING_LIMIT), ("signing_global_limit", SIGNING_LIMIT)]).await;
    println!(
        "copy_latency: LIVE mode, real signer (local backend) behind its fault proxy, fake Polymarket; \
         signing_user_limit = signing_global_limit = {SIGNING_LIMIT}/min for this run (defaults 30 and 300)."
    );
    let one = group(&stack, 1).await;
    let wide = group(&stack, WIDE).await;
    println!("setup: {} followers in {:.1} s\n", 1 + WIDE, started.elapsed().as_secs_f64());
    let floor = floor(&stack).await;

    let mut rows = Vec::new();
    for (path, g, samples) in [
        (Path::Webhook, &one, SAMPLES_ONE),
        (Path::Webhook, &wide, SAMPLES_WIDE),
        (Path::Poll, &one, SAMPLES_ONE),
        (Path::Poll, &wide, SAMPLES_WIDE),
    ] {
        rows.push(scenario(&stack, g, path, samples, &floor).await);
    }

    println!("Fill delivered (t0) → last follower's order accepted by the fake CLOB (t1), ms:");
    println!(
        "{:<10} {:>9} {:>5} {:>8} {:>8} {:>10} {:>11} {:>9} {:>9}  round trips per fill (pg stmts+conns · redis · polymarket HTTP · signer)",
        "path", "followers", "n", "p50", "p99*", "per order", "1st order", "floor", "p50/floor"
    );
    for r in &rows {
        println!(
            "{:<10} {:>9} {:>5} {:>8.2} {:>8.2} {:>10.2} {:>11.2} {:>9.2} {:>8.1}×  {}",
            r.name,
            r.followers,
            r.samples,
            ms(r.p50),
            ms(r.p99),
            ms(r.p50) / r.followers as f64,
            ms(r.first_p50),
            ms(r.floor),
            r.p50.as_secs_f64() / r.floor.as_secs_f64(),
            r.trips
        );
    }
    println!(
        "\nfloor = (pg statements + pg connections taken) × {:.3} ms + redis commands × {:.3} ms + polymarket HTTP × {:.3} ms \
         + signer calls × {:.3} ms (p50s above; HTTP on a new connection as the host makes it, kept-alive {:.3} ms).",
        ms(floor.postgres),
        ms(floor.redis),
        ms(floor.http),
        ms(floor.signer),
        ms(floor.http_keepalive)
    );
    println!("* p99 of fewer than 100 samples is their maximum.");
    println!(
        "signer call with a chunked body through the harness's proxy: {:.3} ms (a check that the proxy adds no stall; not in the floor).",
        ms(floor.chunked)
    );
    println!(
        "per order = p50 / followers; 1st order = p50 of t0 → first accepted order. Total {:.0} s.",
        started.elapsed().as_secs_f64()
    );
}
