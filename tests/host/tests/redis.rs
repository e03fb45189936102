//! `fermyon:spin/redis@2.0.0` against real Redis, with Spin's result mapping.
mod common;

use common::{enc, get, json, load, redis_url, services_vars};

#[tokio::test]
async fn every_method_maps_as_on_spin() {
    let host = load("services", &services_vars().await).await;
    let body = json(&host.handle(get("/redis?op=redis")).await);
    for (op, expected) in [
        ("set", "Ok(())"),
        ("get", "Ok(Some([118, 49]))"),
        ("get_missing", "Ok(None)"),
        ("incr", "Ok(1)"),
        ("incr2", "Ok(2)"),
        ("incr_wrong_type", "Err(Error::Other(\"ResponseError: value is not an integer or out of range\"))"),
        ("del", "Ok(2)"),
        ("sadd", "Ok(2)"),
        ("smembers", "Ok([\"a\", \"b\"])"),
        ("srem", "Ok(1)"),
        ("publish", "Ok(())"),
        // `{1, 'two', {3, {'four'}}, status OK, false, true, ARGV[1]}`: nested arrays flattened,
        // false is nil and true is 1 (RESP2), the status reply a `status`.
        (
            "eval",
            "Ok([RedisResult::Int64(1), RedisResult::Binary([116, 119, 111]), RedisResult::Int64(3), \
             RedisResult::Binary([102, 111, 117, 114]), RedisResult::Status(\"OK\"), RedisResult::Nil, \
             RedisResult::Int64(1), RedisResult::Binary([97, 114, 103])])",
        ),
        ("execute_nil", "Ok([RedisResult::Nil])"),
        ("execute_set", "Ok([RedisResult::Status(\"OK\")])"),
    ] {
        assert_eq!(body[op], expected, "{op}");
    }
    let err = body["execute_error"].as_str().unwrap();
    assert!(err.starts_with("Err(Error::Other(") && err.contains("unknown command"), "{err}");
}

#[tokio::test]
async fn open_enforces_allowed_hosts() {
    let host = load("services", &services_vars().await).await;
    let open = |url: String| {
        let host = host.clone();
        async move { json(&host.handle(get(&format!("/redis?op=redis-open&url={}", enc(&url)))).await) }
    };
    let url = redis_url();
    assert_eq!(open(url.clone()).await, "Ok(())");
    assert_eq!(open(format!("{url}/3")).await, "Ok(())", "a database number is not part of the check");
    assert_eq!(open(url.replace("127.0.0.1", "localhost")).await, "Err(Error::InvalidAddress)");
    assert_eq!(open("redis://127.0.0.1:1".into()).await, "Err(Error::InvalidAddress)");
}
