//! `SPIN_VARIABLE_<NAME>` provides values when enabled, below the caller's overrides. Its own
//! test binary: it changes the process environment.
mod common;

use common::{get, json, load_with};

#[tokio::test]
async fn environment_provides_values_below_overrides() {
    // SAFETY: the only test of this binary; no other thread reads the environment meanwhile.
    unsafe {
        std::env::set_var("SPIN_VARIABLE_GREETING", "env");
        std::env::set_var("SPIN_VARIABLE_TOKEN", "from-env");
        std::env::set_var("SPIN_VARIABLE_LEVEL", "from-env");
    }
    let vars = [("level", "override".to_owned())];
    let host = load_with("variables", &vars, |c| c.env_variables = true).await;
    let get_var = |name: &'static str| {
        let host = host.clone();
        async move { json(&host.handle(get(&format!("/vars?op=var&name={name}"))).await) }
    };
    assert_eq!(get_var("greeting").await, r#"Ok("hello env!")"#);
    assert_eq!(get_var("token").await, r#"Ok("Bearer from-env")"#);
    assert_eq!(get_var("level").await, r#"Ok("override")"#);
    let host = load_with("variables", &[("token", "t".into())], |_| {}).await;
    let inv = host.handle(get("/vars?op=var&name=greeting")).await;
    assert_eq!(json(&inv), r#"Ok("hello world!")"#, "the environment is read only when enabled");
}
