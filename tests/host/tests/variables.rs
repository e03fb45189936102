//! `fermyon:spin/variables@2.0.0`: templates, defaults, overrides, and Spin's errors.
mod common;

use common::{get, json, load};
use mirror_test_host::{Host, HostConfig};

async fn var(host: &Host, component: &str, name: &str) -> String {
    let path = if component == "vars" { "/vars" } else { "/bare" };
    let inv = host.handle(get(&format!("{path}?op=var&name={name}"))).await;
    json(&inv).as_str().unwrap().to_owned()
}

#[tokio::test]
async fn templates_defaults_and_overrides() {
    let host = load("variables", &[("token", "abc".into())]).await;
    assert_eq!(var(&host, "vars", "greeting").await, r#"Ok("hello world!")"#);
    assert_eq!(var(&host, "vars", "level").await, r#"Ok("1")"#);
    assert_eq!(var(&host, "vars", "token").await, r#"Ok("Bearer abc")"#);
    assert_eq!(var(&host, "vars", "plain").await, r#"Ok("literal")"#);
    let host = load("variables", &[("token", "abc".into()), ("level", "5".into())]).await;
    assert_eq!(var(&host, "vars", "level").await, r#"Ok("5")"#);
}

#[tokio::test]
async fn errors_name_the_variable() {
    let host = load("variables", &[("token", "abc".into())]).await;
    assert_eq!(
        var(&host, "vars", "needs_unset").await,
        r#"Err(Error::Provider("no provider resolved required variable \"unset\""))"#
    );
    assert_eq!(var(&host, "vars", "nope").await, r#"Err(Error::Undefined("no variable for \"vars\".\"nope\""))"#);
    assert_eq!(
        var(&host, "bare", "greeting").await,
        r#"Err(Error::Undefined("no variable for \"bare\".\"greeting\""))"#
    );
    let invalid = var(&host, "vars", "Bad").await;
    assert!(invalid.starts_with(r#"Err(Error::InvalidName("\"Bad\": invalid character 'B'"#), "{invalid}");
}

/// As on Spin, checking an outbound address resolves every application variable: one required
/// variable without a value makes every allow-list check fail, with its name.
#[tokio::test]
async fn a_missing_required_variable_blocks_outbound_checks() {
    let host = load("variables", &[("token", "abc".into())]).await;
    let inv = host.handle(get("/vars?op=pg-open&url=postgres%3A%2F%2F127.0.0.1%3A1%2Fx")).await;
    assert_eq!(json(&inv), r#"Err(Error::Other("provider error: no provider resolved required variable \"unset\""))"#);
    let host = load("variables", &[("token", "abc".into()), ("unset", "now set".into())]).await;
    let inv = host.handle(get("/vars?op=pg-open&url=postgres%3A%2F%2F127.0.0.1%3A1%2Fx")).await;
    assert_eq!(json(&inv), r#"Err(Error::ConnectionFailed("address postgres://127.0.0.1:1 is not permitted"))"#);
}

#[tokio::test]
async fn overriding_an_undeclared_variable_fails_loading() {
    common::build_fixtures();
    let mut cfg = HostConfig::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/apps/variables.toml"));
    cfg.variables.insert("not_declared".into(), "x".into());
    let err = Host::load(cfg).await.err().expect("load must fail");
    assert!(err.to_string().contains("\"not_declared\" is not declared"), "{err}");
}
