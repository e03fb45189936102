//! Invocation lifecycle: traps, deadlines, load failures, cron ticks, the compile cache, serving.
mod common;

use std::time::{Duration, Instant};

use common::{get, load, load_with, redis_url, services_vars, unique};

#[tokio::test]
async fn a_trapping_guest_is_a_500_not_a_hang() {
    let host = load("services", &services_vars().await).await;
    let start = Instant::now();
    let inv = host.handle(get("/trap?op=trap")).await;
    assert_eq!(inv.output.status(), 500);
    assert!(inv.output.body().is_empty());
    assert_eq!(inv.component, "trap");
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn a_runaway_guest_is_stopped_at_the_deadline() {
    let vars = services_vars().await;
    let host = load_with("services", &vars, |c| c.invocation_timeout = Duration::from_secs(2)).await;
    host.handle(get("/trap?op=echo")).await; // compile outside the measured call
    let start = Instant::now();
    let inv = host.handle(get("/trap?op=spin")).await;
    assert_eq!(inv.output.status(), 500);
    let took = start.elapsed();
    assert!(took >= Duration::from_secs(2) && took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test]
async fn an_unimplemented_import_fails_loading_with_its_name() {
    let host = load("services", &services_vars().await).await;
    assert_eq!(host.handle(get("/kv")).await.output.status(), 500);
    let err = host.fire_cron("kv").await.output.unwrap_err();
    assert!(err.contains("component \"kv\" imports an interface this host does not implement"), "{err}");
    assert!(err.contains("fermyon:spin/key-value@2.0.0"), "{err}");
}

#[tokio::test]
async fn cron_ticks_run_the_guest_and_surface_its_errors() {
    let vars = services_vars().await;
    let prefix = vars.iter().find(|(k, _)| *k == "key_prefix").unwrap().1.clone();
    let host = load("services", &vars).await;
    let mut cron = host.cron_components();
    cron.sort();
    assert_eq!(
        cron,
        [
            ("cron-err".to_owned(), "0 0 * * * * *".to_owned()),
            ("cron-ok".to_owned(), "*/2 * * * * *".to_owned()),
            ("cron-trap".to_owned(), "0 0 0 1 1 * 2099".to_owned()),
            ("kv".to_owned(), "0 0 0 1 1 * 2099".to_owned()),
        ]
    );
    let before = chrono::Utc::now().timestamp();
    let ok = host.fire_cron("cron-ok").await;
    assert_eq!(ok.output, Ok(()));
    assert_eq!((ok.round_trips.redis, ok.round_trips.redis_connections), (1, 1));
    let stamp: i64 = redis_get(&format!("{prefix}cron:last")).await.unwrap().parse().unwrap();
    assert!((before..=before + 5).contains(&stamp), "{stamp}");
    assert_eq!(host.fire_cron("cron-err").await.output, Err("tick failed: mode err".to_owned()));
    let trap = host.fire_cron("cron-trap").await.output.unwrap_err();
    assert!(trap.contains("cron handler trapped"), "{trap}");
    let unknown = host.fire_cron("nope").await.output.unwrap_err();
    assert!(unknown.contains("unknown component \"nope\""), "{unknown}");
}

#[tokio::test]
async fn compiled_components_are_cached_on_disk() {
    let cache = std::env::temp_dir().join(unique("mirror-host-cache-test"));
    let vars = services_vars().await;
    for _ in 0..2 {
        let host = load_with("services", &vars, |c| c.cache_dir = Some(cache.clone())).await;
        assert_eq!(host.fire_cron("cron-err").await.output, Err("tick failed: mode err".to_owned()));
        let files: Vec<_> = std::fs::read_dir(&cache).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(files.len(), 1, "{files:?}");
        assert!(files[0].to_string_lossy().ends_with(".cwasm"));
    }
    std::fs::remove_dir_all(&cache).unwrap();
}

#[tokio::test]
async fn serve_answers_http_and_fires_cron_on_schedule() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let vars = services_vars().await;
    let prefix = vars.iter().find(|(k, _)| *k == "key_prefix").unwrap().1.clone();
    let host = load("services", &vars).await;
    let addr = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap()
    };
    let server = tokio::spawn(async move { host.serve(addr).await });
    let mut response = String::new();
    for _ in 0..50 {
        if let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await {
            stream.write_all(b"GET /nowhere HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").await.unwrap();
            stream.read_to_string(&mut response).await.unwrap();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(response.starts_with("HTTP/1.1 404"), "{response}");
    // `cron-ok` runs every 2 seconds.
    let key = format!("{prefix}cron:last");
    let deadline = Instant::now() + Duration::from_secs(10);
    while redis_get(&key).await.is_none() {
        assert!(Instant::now() < deadline, "cron-ok never ran");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    server.abort();
}

async fn redis_get(key: &str) -> Option<String> {
    let client = redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    redis::cmd("GET").arg(key).query_async(&mut conn).await.unwrap()
}
