//! Route matching and the `spin-*` headers, as a guest sees them.
mod common;

use bytes::Bytes;
use common::{get, json, load};

#[tokio::test]
async fn routes_by_precedence_and_404s_the_rest() {
    let host = load("routing", &[]).await;
    for (path, component) in [
        ("/health", "health"),
        ("/health/deeper", "all"),
        ("/", "all"),
        ("/anything/at/all", "all"),
        ("/orders", "orders-any"),
        ("/orders/latest", "latest"),
        ("/orders/42", "order"),
        ("/orders/42/items", "items"),
        ("/orders/42/items/7/x", "items"),
        ("/orders/42/other", "orders-any"),
    ] {
        let inv = host.handle(get(path)).await;
        assert_eq!(inv.component, component, "{path}");
        assert_eq!(inv.output.status(), 200, "{path}");
        assert_eq!(json(&inv)["path"], path, "{path}");
    }
}

#[tokio::test]
async fn no_matching_route_is_404_without_a_component() {
    // `variables` has only exact routes.
    let host = load("variables", &[("token", "t".into()), ("unset", "u".into())]).await;
    for path in ["/nothing-here", "/vars/below", "/"] {
        let inv = host.handle(get(path)).await;
        assert_eq!(inv.output.status(), 404, "{path}");
        assert_eq!(inv.component, "");
        assert!(inv.output.body().is_empty());
    }
}

#[tokio::test]
async fn guest_sees_spins_headers() {
    let host = load("routing", &[]).await;
    let mut req = http::Request::post("/orders/42/items/7/?op=echo&x=1")
        .header("host", "example.test:8080")
        .header("x-custom", "kept")
        .body(Bytes::from_static(b"payload"))
        .unwrap();
    req.extensions_mut().insert("10.1.2.3:4567".parse::<std::net::SocketAddr>().unwrap());
    let inv = host.handle(req).await;
    let body = json(&inv);
    let h = &body["headers"];
    assert_eq!(body["method"], "Method::Post");
    assert_eq!(body["body"], "payload");
    assert_eq!(body["uri"], "http://example.test:8080/orders/42/items/7/?op=echo&x=1");
    assert_eq!(h["x-custom"], "kept");
    assert_eq!(h["spin-full-url"], "http://example.test:8080/orders/42/items/7/?op=echo&x=1");
    assert_eq!(h["spin-path-info"], "/7/");
    assert_eq!(h["spin-matched-route"], "/orders/:order_id/items/...");
    assert_eq!(h["spin-raw-component-route"], "/orders/:order_id/items/...");
    assert_eq!(h["spin-component-route"], "/orders/:order_id/items");
    assert_eq!(h["spin-base-path"], "/");
    assert_eq!(h["spin-client-addr"], "10.1.2.3:4567");
    assert_eq!(h["spin-path-match-order-id"], "42");
}

#[tokio::test]
async fn exact_route_headers_and_defaults() {
    let host = load("routing", &[]).await;
    let inv = host.handle(get("/health")).await;
    let h = json(&inv)["headers"].clone();
    assert_eq!(h["spin-path-info"], "");
    assert_eq!(h["spin-matched-route"], "/health");
    assert_eq!(h["spin-component-route"], "/health");
    assert_eq!(h["spin-full-url"], "http://localhost/health");
    assert_eq!(h["spin-client-addr"], "127.0.0.1:0");
    let inv = host.handle(get("/orders/latest")).await;
    assert!(json(&inv)["headers"].get("spin-path-match-id").is_none());
    let inv = host.handle(get("/orders/9")).await;
    assert_eq!(json(&inv)["headers"]["spin-path-match-id"], "9");
}
