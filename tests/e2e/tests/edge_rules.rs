//! One set of rules at the edge of every route, each a finding of an outside attack on the
//! running app: an unknown query parameter is refused the same way everywhere, quoted short; a
//! method a route does not take is 405 with `Allow`, and HEAD is answered as GET without a body;
//! no NUL or claim Postgres cannot store reaches a statement (it was a 503 carrying the
//! SQLSTATE); a 503 says what failed in a few words, never the database's or the host's own.

use mirror_e2e::signing::{sign_jwt, TestUser};
use mirror_e2e::{Reply, TestApp};
use serde_json::{json, Value};

/// How a route's caller authenticates.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Caller {
    Anyone,
    User,
    Admin,
}

/// Every route of spin.toml, with the method it answers and who may call it.
const ROUTES: &[(&str, &str, Caller)] = &[
    ("GET", "/health", Caller::Anyone),
    ("GET", "/healthz", Caller::Anyone),
    ("GET", "/readyz", Caller::Anyone),
    ("GET", "/system/status", Caller::Anyone),
    ("GET", "/me", Caller::User),
    ("GET", "/binding-proofs", Caller::User),
    ("GET", "/copy-profiles", Caller::User),
    ("GET", "/copy-attempts", Caller::User),
    ("GET", "/orders", Caller::User),
    ("POST", "/admin/server-wallets/no-such-user/revoke", Caller::Admin),
    ("POST", "/admin/signing/check", Caller::Admin),
    ("POST", "/admin/copy-trading/pause", Caller::Admin),
    ("POST", "/admin/reconcile", Caller::Admin),
    ("GET", "/admin/execution-mode", Caller::Admin),
    ("POST", "/internal/workers/health-check", Caller::Admin),
    ("POST", "/internal/workers/copy-trading", Caller::Admin),
    ("POST", "/webhooks/leader-trades", Caller::Anyone),
];

async fn call(app: &TestApp, user: &TestUser, caller: Caller, method: &str, path: &str, body: &[u8]) -> Reply {
    let auth = match caller {
        Caller::Anyone => None,
        Caller::User => Some(user.bearer()),
        Caller::Admin => Some(format!("Bearer {}", app.admin_token)),
    };
    let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", a.as_str())).collect();
    app.request(method, path, &headers, body).await
}

async fn rows(app: &TestApp) -> i64 {
    let sql =
        "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM copy_profiles) + (SELECT count(*) FROM audit_logs)
               + (SELECT count(*) FROM signing_requests) + (SELECT count(*) FROM copy_trading_holds)";
    app.db.query_one(sql, &[]).await.unwrap().get(0)
}

fn code(reply: &Reply) -> Option<String> {
    reply.json()["error"]["code"].as_str().map(str::to_string)
}

/// Some routes refused an unknown parameter and echoed its name whole (20 KB for a 20,000-
/// character name) while others ignored it: now every one refuses it, quoting at most 40
/// characters.
#[tokio::test]
async fn every_route_refuses_an_unknown_query_parameter_quoting_it_short() {
    let app = TestApp::start().await.unwrap();
    let user = TestUser::new();
    let long = "q".repeat(20_000);
    for (method, path, caller) in ROUTES {
        for name in ["page", long.as_str()] {
            let before = rows(&app).await;
            let reply = call(&app, &user, *caller, method, &format!("{path}?{name}=1"), b"").await;
            assert_eq!(
                (reply.status, code(&reply).as_deref()),
                (400, Some("VALIDATION_ERROR")),
                "{method} {path}?{}",
                &name[..4]
            );
            assert!(reply.body.len() < 300, "{method} {path}: {} bytes", reply.body.len());
            assert!(reply.json()["error"]["message"].as_str().unwrap().contains("unknown query parameter"));
            assert_eq!(rows(&app).await, before, "{method} {path} wrote something");
        }
    }
}

/// `/health`, `/healthz`, `/readyz` and `/system/status` answered 200 to any method, and 405s
/// came without `Allow`.
#[tokio::test]
async fn a_method_a_route_does_not_take_is_405_with_allow() {
    let app = TestApp::start().await.unwrap();
    let user = TestUser::new();
    for (method, path, caller) in ROUTES {
        for other in ["PUT", "DELETE", "FOO"] {
            let reply = call(&app, &user, *caller, other, path, b"").await;
            assert_eq!(reply.status, 405, "{other} {path}: {}", String::from_utf8_lossy(&reply.body));
            let allow =
                reply.headers.get("allow").unwrap_or_else(|| panic!("{other} {path}: no Allow")).to_str().unwrap();
            assert!(allow.split(", ").any(|m| m == *method), "{other} {path}: Allow {allow}");
            assert_eq!(allow.contains("GET"), allow.contains("HEAD"), "{path}: HEAD goes with GET in {allow}");
        }
    }
}

/// HEAD was 405 on GET routes: it is answered as the GET, status and headers, without a body.
#[tokio::test]
async fn head_is_answered_as_get_without_a_body() {
    let app = TestApp::start().await.unwrap();
    let user = TestUser::new();
    for (method, path, caller) in ROUTES.iter().filter(|(m, _, _)| *m == "GET") {
        let get = call(&app, &user, *caller, method, path, b"").await;
        let head = call(&app, &user, *caller, "HEAD", path, b"").await;
        assert_eq!(head.status, get.status, "HEAD {path}");
        assert!(head.body.is_empty(), "HEAD {path} sent a body");
        assert_eq!(head.headers.get("content-type"), get.headers.get("content-type"), "HEAD {path}");
    }
}

/// A NUL in an admin body, or in a stored claim of a user's token, reached Postgres: 503 with
/// the SQLSTATE. Refused at the edge now, naming the field, nothing written.
#[tokio::test]
async fn a_nul_or_a_claim_postgres_cannot_store_is_refused_before_any_statement() {
    let app = TestApp::start().await.unwrap();
    let user = TestUser::new();
    let mut claims = user.claims();
    for (claim, value) in [
        ("sub", json!("dyn\u{0}x")),
        ("sub", json!("")),
        ("sub", json!("s".repeat(10_000))),
        ("email", json!("a\u{0}@example.com")),
        ("iss", json!([claims["iss"].clone(), "other"])),
    ] {
        let original = claims[claim].clone();
        claims[claim] = value;
        let token = format!("Bearer {}", sign_jwt("test-only-private.pem", &claims));
        let reply = app.request("GET", "/me", &[("authorization", &token)], b"").await;
        assert_eq!((reply.status, code(&reply).as_deref()), (401, Some("UNAUTHORIZED")), "{claim}");
        claims[claim] = original;
    }
    assert_eq!(rows(&app).await, 0, "no user was stored from a refused token");
    for (path, body) in [
        ("/admin/copy-trading/pause", json!({ "userId": "u\u{0}1" })),
        ("/admin/copy-trading/resume", json!({ "userId": "u\u{0}1" })),
        ("/admin/copy-trading/pause", json!({ "reason": "incident\u{0}" })),
        ("/admin/signing/check", json!({ "userId": "\u{0}", "kind": "MESSAGE" })),
        ("/admin/reconcile", json!({ "olderThanSeconds": 1, "x\u{0}": 1 })),
    ] {
        let before = rows(&app).await;
        let reply = call(&app, &user, Caller::Admin, "POST", path, body.to_string().as_bytes()).await;
        assert_eq!((reply.status, code(&reply).as_deref()), (400, Some("VALIDATION_ERROR")), "{path} {body}");
        assert!(reply.json()["error"]["message"].as_str().unwrap().contains("NUL"), "{path}: {}", reply.json());
        assert_eq!(rows(&app).await, before, "{path} wrote something");
    }
    let profile = json!({ "leaderAddress": "0x00000000000000000000000000000000000000b2", "sizingMode": "FIXED_USD",
                          "fixedAmountUsd": 5, "marketAllowlist": ["ok", "bad\u{0}"] });
    let reply = call(&app, &user, Caller::User, "POST", "/copy-profiles", profile.to_string().as_bytes()).await;
    assert!(
        reply.status == 400 && reply.json()["error"]["message"].as_str().unwrap().starts_with("`marketAllowlist[1]`"),
        "{}",
        reply.json()
    );
}

/// A 503 carried the database's own text (SQLSTATE, values, a backtrace) and the host's DNS
/// error dump. The caller now gets the code and a short message; the detail goes to the log.
#[tokio::test]
async fn a_503_says_what_failed_without_the_internals() {
    let (app, _signer) =
        TestApp::with_signer(&[("polymarket_clob_url", "http://mirror-test-host.invalid")]).await.unwrap();
    let user = TestUser::new();
    app.db
        .batch_execute(
            "CREATE FUNCTION refuse_profiles() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'internal-detail-7f3a' USING ERRCODE = '22003'; END $$;
             CREATE TRIGGER refuse_profiles BEFORE INSERT ON copy_profiles FOR EACH ROW EXECUTE FUNCTION refuse_profiles();",
        )
        .await
        .unwrap();
    let profile = json!({ "leaderAddress": "0x00000000000000000000000000000000000000b2", "sizingMode": "FIXED_USD", "fixedAmountUsd": 5 });
    let reply = call(&app, &user, Caller::User, "POST", "/copy-profiles", profile.to_string().as_bytes()).await;
    assert_eq!((reply.status, code(&reply).as_deref()), (503, Some("SERVICE_UNAVAILABLE")));
    let body = String::from_utf8_lossy(&reply.body).to_string();
    for internal in ["internal-detail-7f3a", "22003", "QueryFailed", "backtrace", "as-text"] {
        assert!(!body.contains(internal), "{internal} in {body}");
    }
    if let Some(spin) = app.spin() {
        assert!(spin.output_text().contains("internal-detail-7f3a"), "the detail is in the component's log");
    }

    let order = json!({ "tokenId": "123", "side": "BUY", "price": "0.52", "size": "10" });
    let reply = call(&app, &user, Caller::User, "POST", "/orders", order.to_string().as_bytes()).await;
    assert_eq!(reply.status, 503, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.json()["error"]["message"], "the Polymarket CLOB is unavailable; try again later");
}

/// `before=garbage` was read as an empty page, and the zero address was a leader.
#[tokio::test]
async fn a_cursor_that_is_no_attempt_id_and_the_zero_address_are_refused() {
    let app = TestApp::start().await.unwrap();
    let user = TestUser::new();
    let reply = call(&app, &user, Caller::User, "GET", "/copy-attempts?before=garbage", b"").await;
    assert_eq!(reply.status, 400);
    assert!(reply.json()["error"]["message"].as_str().unwrap().starts_with("`before`"));
    let zero =
        json!({ "leaderAddress": format!("0x{}", "0".repeat(40)), "sizingMode": "FIXED_USD", "fixedAmountUsd": 5 });
    let reply = call(&app, &user, Caller::User, "POST", "/copy-profiles", zero.to_string().as_bytes()).await;
    assert_eq!(reply.status, 400);
    assert!(reply.json()["error"]["message"].as_str().unwrap().starts_with("`leaderAddress`"));
    let listed: Value = call(&app, &user, Caller::User, "GET", "/copy-profiles", b"").await.json();
    assert_eq!(listed["copyProfiles"], json!([]));
}

/// Integers past what a column or the arithmetic behind it holds are refused, naming the field.
#[tokio::test]
async fn out_of_range_integers_are_400_naming_the_field() {
    let app = TestApp::start().await.unwrap();
    let user = TestUser::new();
    let huge = "99999999999999999999999999999";
    let cases: Vec<(Caller, &str, String, String, &str)> = vec![
        (Caller::Admin, "POST", "/admin/reconcile".into(), format!(r#"{{"olderThanSeconds": {huge}}}"#), "olderThanSeconds"),
        (Caller::Admin, "POST", "/admin/reconcile".into(), r#"{"olderThanSeconds": 9223372036854775807}"#.into(), "olderThanSeconds"),
        (Caller::User, "GET", format!("/copy-attempts?limit={huge}"), String::new(), "limit"),
        (Caller::User, "GET", format!("/orders?limit={huge}"), String::new(), "limit"),
        (
            Caller::User,
            "POST",
            "/copy-profiles".into(),
            format!(r#"{{"leaderAddress":"0x00000000000000000000000000000000000000b2","sizingMode":"LEADER_RATIO","ratioBps":{huge}}}"#),
            "ratioBps",
        ),
        (
            Caller::User,
            "POST",
            "/copy-profiles".into(),
            r#"{"leaderAddress":"0x00000000000000000000000000000000000000b2","sizingMode":"FIXED_USD","fixedAmountUsd":5,"maxPriceDeviationBps":2147483648}"#.into(),
            "maxPriceDeviationBps",
        ),
        (Caller::User, "POST", "/orders".into(), format!(r#"{{"tokenId":"1","side":"BUY","price":"0.5","size":"{huge}"}}"#), "size"),
    ];
    for (caller, method, path, body, field) in cases {
        let before = rows(&app).await;
        let reply = call(&app, &user, caller, method, &path, body.as_bytes()).await;
        assert_eq!(reply.status, 400, "{path} {body}: {}", String::from_utf8_lossy(&reply.body));
        let message = reply.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(message.contains(field), "{path}: `{field}` not named in {message}");
        if method == "GET" || caller == Caller::Admin {
            assert_eq!(rows(&app).await, before, "{path} wrote something");
        }
    }
}
