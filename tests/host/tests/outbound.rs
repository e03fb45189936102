//! Outbound HTTP: allowed hosts work, everything else is `HttpRequestDenied` in the guest.
mod common;

use common::{enc, get, http_server, json, load};

#[tokio::test]
async fn only_the_exact_allowed_scheme_host_and_port_get_through() {
    let port = http_server().await;
    let other = http_server().await;
    let host = load(
        "services",
        &[
            ("pg_url", "unused".into()),
            ("pg_host", "127.0.0.1:1".into()),
            ("redis_url", "unused".into()),
            ("redis_host", "127.0.0.1:1".into()),
            ("http_host", format!("127.0.0.1:{port}")),
        ],
    )
    .await;
    let fetch = |url: String| {
        let host = host.clone();
        async move {
            let inv = host.handle(get(&format!("/http?op=http&url={}", enc(&url)))).await;
            (json(&inv).as_str().unwrap().to_owned(), inv.round_trips.http)
        }
    };
    assert_eq!(fetch(format!("http://127.0.0.1:{port}/x?y=1")).await, ("status 200: ok".into(), 1));
    let denied = "error: Http(ErrorCode::HttpRequestDenied)".to_owned();
    for url in [
        format!("http://localhost:{port}/"),
        format!("http://127.0.0.1:{other}/"),
        format!("https://127.0.0.1:{port}/"),
        "http://example.com/".to_owned(),
    ] {
        assert_eq!(fetch(url.clone()).await, (denied.clone(), 0), "{url}");
    }
}
