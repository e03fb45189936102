//! `/copy-profiles`, `/copy-attempts` and `/admin/copy-trading/{pause,resume}` through the real
//! components: exact amounts in the rows, isolation between users, bad input refused with the
//! field named and nothing written, history kept when a profile goes.

use mirror_e2e::signing::{sign_jwt, TestUser};
use mirror_e2e::{Reply, TestApp};
use serde_json::{json, Value};

/// EIP-55's own example address, mixed case: stored lowercase.
const LEADER: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
const LEADER_2: &str = "0x00000000000000000000000000000000000000b2";
const LEADER_3: &str = "0x00000000000000000000000000000000000000b3";

async fn call(app: &TestApp, user: &TestUser, method: &str, path: &str, body: &Value) -> Reply {
    let body = if body.is_null() { Vec::new() } else { body.to_string().into_bytes() };
    app.request(method, path, &[("authorization", &user.bearer())], &body).await
}

async fn create(app: &TestApp, user: &TestUser, body: Value) -> Value {
    let reply = call(app, user, "POST", "/copy-profiles", &body).await;
    assert_eq!(reply.status, 201, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.db.query_one(sql, &[]).await.unwrap().get::<_, i64>(0)
}

/// (copy_profiles rows, audit_logs rows): what bad requests must leave unchanged.
async fn written(app: &TestApp) -> (i64, i64) {
    (count(app, "SELECT count(*) FROM copy_profiles").await, count(app, "SELECT count(*) FROM audit_logs").await)
}

async fn user_id(app: &TestApp, user: &TestUser) -> String {
    assert_eq!(call(app, user, "GET", "/copy-profiles", &Value::Null).await.status, 200);
    app.db.query_one("SELECT id FROM users WHERE dynamic_user_id = $1", &[&user.sub]).await.unwrap().get(0)
}

/// The amount columns of a row, in base units.
async fn stored_amounts(app: &TestApp, id: &str) -> [Option<i64>; 5] {
    let row = app
        .db
        .query_one(
            "SELECT fixed_amount, min_order_amount, max_order_amount, max_position_per_market, max_daily_volume
             FROM copy_profiles WHERE id = $1",
            &[&id],
        )
        .await
        .unwrap();
    [row.get(0), row.get(1), row.get(2), row.get(3), row.get(4)]
}

fn assert_validation_error(reply: &Reply, field: &str, case: &str) {
    assert_eq!(reply.status, 400, "{case}: {}", String::from_utf8_lossy(&reply.body));
    let error = &reply.json()["error"];
    assert_eq!(error["code"], "VALIDATION_ERROR", "{case}");
    assert!(error["message"].as_str().unwrap().contains(field), "{case}: `{field}` not named in {error}");
}

#[tokio::test]
async fn each_sizing_mode_is_stored_in_exact_base_units_and_round_trips() {
    let app = TestApp::start().await.unwrap();
    let user = TestUser::new();
    let condition = format!("0x{}", "AB".repeat(32));
    let fixed = create(
        &app,
        &user,
        json!({
            "leaderAddress": LEADER, "sizingMode": "FIXED_USD", "fixedAmountUsd": "12.345678",
            "minOrderUsd": 1, "maxOrderUsd": "250.5", "maxPositionPerMarketUsd": 0.1, "maxDailyVolumeUsd": "10000000",
            "maxPriceDeviationBps": 150, "marketAllowlist": [condition, "will-it-rain"], "marketDenylist": ["other-market"],
            "buyOnly": true,
        }),
    )
    .await;
    let id = fixed["id"].as_str().unwrap();
    assert_eq!(
        stored_amounts(&app, id).await,
        [Some(12_345_678), Some(1_000_000), Some(250_500_000), Some(100_000), Some(10_000_000_000_000)]
    );
    let row = app
        .db
        .query_one(
            "SELECT leader_address, market_allowlist, buy_only, binary_only, status FROM copy_profiles WHERE id = $1",
            &[&id],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), LEADER.to_ascii_lowercase(), "leader stored lowercase");
    assert_eq!(row.get::<_, Vec<String>>(1), vec![condition.to_ascii_lowercase(), "will-it-rain".to_string()]);
    assert_eq!((row.get::<_, bool>(2), row.get::<_, bool>(3), row.get::<_, String>(4)), (true, true, "ENABLED".into()));
    assert_eq!(fixed["leaderAddress"], LEADER.to_ascii_lowercase());
    assert_eq!(fixed["fixedAmountUsd"], "12.345678");
    assert_eq!(fixed["maxOrderUsd"], "250.5");
    assert_eq!(fixed["maxPositionPerMarketUsd"], "0.1");
    assert_eq!(fixed["maxDailyVolumeUsd"], "10000000");
    assert_eq!(fixed["ratioBps"], Value::Null);
    assert_eq!((fixed["status"].as_str(), fixed["pausedReason"].as_str()), (Some("ENABLED"), None));
    assert!(fixed["createdAt"].as_str().unwrap().ends_with('Z'));

    let ratio =
        create(&app, &user, json!({ "leaderAddress": LEADER_2, "sizingMode": "LEADER_RATIO", "ratioBps": 1_000_000 }))
            .await;
    let balance =
        create(&app, &user, json!({ "leaderAddress": LEADER_3, "sizingMode": "BALANCE_PERCENT", "ratioBps": 2500 }))
            .await;
    for (profile, bps) in [(&ratio, 1_000_000), (&balance, 2500)] {
        let id = profile["id"].as_str().unwrap();
        let stored: i32 =
            app.db.query_one("SELECT ratio_bps FROM copy_profiles WHERE id = $1", &[&id]).await.unwrap().get(0);
        assert_eq!(stored, bps);
        assert_eq!(stored_amounts(&app, id).await, [None; 5]);
        assert_eq!((profile["binaryOnly"].as_bool(), profile["buyOnly"].as_bool()), (Some(true), Some(false)));
    }
    assert_eq!(
        count(&app, "SELECT count(*) FROM audit_logs WHERE action = 'COPY_PROFILE_CREATED' AND user_id IS NOT NULL")
            .await,
        3
    );
    let audited: Value = app
        .db
        .query_one(
            "SELECT details FROM audit_logs WHERE action = 'COPY_PROFILE_CREATED' AND details->>'profileId' = $1",
            &[&id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(audited["profileId"], id);

    let listed = call(&app, &user, "GET", "/copy-profiles", &Value::Null).await.json();
    assert_eq!(listed["copyProfiles"].as_array().unwrap().len(), 3);
    let one = call(&app, &user, "GET", &format!("/copy-profiles/{id}"), &Value::Null).await;
    assert_eq!((one.status, one.json()), (200, fixed.clone()));

    // A partial update changes only what it names; switching mode needs the new mode's parameter.
    let path = format!("/copy-profiles/{id}");
    let patched = call(&app, &user, "PATCH", &path, &json!({ "maxOrderUsd": "300", "minOrderUsd": null })).await;
    assert_eq!(patched.status, 200, "{}", String::from_utf8_lossy(&patched.body));
    assert_eq!(
        stored_amounts(&app, id).await,
        [Some(12_345_678), None, Some(300_000_000), Some(100_000), Some(10_000_000_000_000)]
    );
    let switched =
        call(&app, &user, "PATCH", &path, &json!({ "sizingMode": "LEADER_RATIO", "ratioBps": 5000 })).await.json();
    assert_eq!(
        (switched["sizingMode"].as_str(), switched["fixedAmountUsd"].as_str(), switched["ratioBps"].as_i64()),
        (Some("LEADER_RATIO"), None, Some(5000))
    );
    assert_eq!(stored_amounts(&app, id).await[0], None);

    let paused = call(&app, &user, "PATCH", &path, &json!({ "status": "PAUSED" })).await.json();
    assert_eq!((paused["status"].as_str(), paused["pausedReason"].as_str()), (Some("PAUSED"), Some("USER")));
    let resumed = call(&app, &user, "PATCH", &path, &json!({ "status": "ENABLED" })).await.json();
    assert_eq!((resumed["status"].as_str(), resumed["pausedReason"].as_str()), (Some("ENABLED"), None));
    assert_eq!(count(&app, "SELECT count(*) FROM audit_logs WHERE action = 'COPY_PROFILE_UPDATED'").await, 4);

    let deleted = call(&app, &user, "DELETE", &path, &Value::Null).await;
    assert_eq!(deleted.status, 204);
    assert_eq!(call(&app, &user, "GET", &path, &Value::Null).await.status, 404);
    assert_eq!(count(&app, "SELECT count(*) FROM audit_logs WHERE action = 'COPY_PROFILE_DELETED'").await, 1);
    assert_eq!(count(&app, "SELECT count(*) FROM copy_profiles").await, 2);
}

#[tokio::test]
async fn users_see_and_change_only_their_own_profiles() {
    let app = TestApp::start().await.unwrap();
    let (alice, bob) = (TestUser::new(), TestUser::new());
    let mine =
        create(&app, &alice, json!({ "leaderAddress": LEADER, "sizingMode": "FIXED_USD", "fixedAmountUsd": 5 })).await;
    create(&app, &bob, json!({ "leaderAddress": LEADER, "sizingMode": "FIXED_USD", "fixedAmountUsd": 7 })).await;

    for (user, amount) in [(&alice, "5"), (&bob, "7")] {
        let listed = call(&app, user, "GET", "/copy-profiles", &Value::Null).await.json();
        let profiles = listed["copyProfiles"].as_array().unwrap();
        assert_eq!(profiles.len(), 1);
        assert_eq!(profiles[0]["fixedAmountUsd"], amount);
    }

    let path = format!("/copy-profiles/{}", mine["id"].as_str().unwrap());
    let before = written(&app).await;
    for (method, body) in [("GET", Value::Null), ("PATCH", json!({ "fixedAmountUsd": 1000 })), ("DELETE", Value::Null)]
    {
        let reply = call(&app, &bob, method, &path, &body).await;
        assert_eq!((reply.status, reply.json()["error"]["code"].as_str()), (404, Some("NOT_FOUND")), "{method}");
    }
    assert_eq!(written(&app).await, before);
    let still = call(&app, &alice, "GET", &path, &Value::Null).await;
    assert_eq!((still.status, still.json()), (200, mine));
    assert_eq!(call(&app, &alice, "GET", "/copy-profiles/no-such-id", &Value::Null).await.status, 404);
}

#[tokio::test]
async fn requests_without_a_valid_token_are_401_and_write_nothing() {
    let app = TestApp::start().await.unwrap();
    let user = TestUser::new();
    let mut wrong_audience = user.claims();
    wrong_audience["aud"] = json!("https://other.test");
    let body = json!({ "leaderAddress": LEADER, "sizingMode": "FIXED_USD", "fixedAmountUsd": 5 }).to_string();
    let bad = [
        None,
        Some("Bearer not-a-jwt".to_string()),
        Some(format!("Bearer {}", sign_jwt("test-only-other-private.pem", &user.claims()))),
        Some(format!("Bearer {}", sign_jwt("test-only-private.pem", &wrong_audience))),
    ];
    for auth in &bad {
        let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", a.as_str())).collect();
        for (method, path) in [
            ("POST", "/copy-profiles"),
            ("GET", "/copy-profiles"),
            ("DELETE", "/copy-profiles/x"),
            ("GET", "/copy-attempts"),
        ] {
            let reply = app.request(method, path, &headers, body.as_bytes()).await;
            assert_eq!(
                (reply.status, reply.json()["error"]["code"].as_str()),
                (401, Some("UNAUTHORIZED")),
                "{method} {path}"
            );
        }
    }
    assert_eq!(written(&app).await, (0, 0));
    assert_eq!(count(&app, "SELECT count(*) FROM users").await, 0);
}

#[tokio::test]
async fn following_the_same_leader_twice_is_a_conflict() {
    let app = TestApp::start().await.unwrap();
    let user = TestUser::new();
    create(&app, &user, json!({ "leaderAddress": LEADER, "sizingMode": "FIXED_USD", "fixedAmountUsd": 5 })).await;
    let before = written(&app).await;
    // The same address in another case is the same leader.
    let again = json!({ "leaderAddress": LEADER.to_ascii_lowercase(), "sizingMode": "LEADER_RATIO", "ratioBps": 100 });
    let reply = call(&app, &user, "POST", "/copy-profiles", &again).await;
    assert_eq!((reply.status, reply.json()["error"]["code"].as_str()), (409, Some("CONFLICT")));
    // So is moving another profile onto that leader.
    let other =
        create(&app, &user, json!({ "leaderAddress": LEADER_2, "sizingMode": "FIXED_USD", "fixedAmountUsd": 5 })).await;
    let path = format!("/copy-profiles/{}", other["id"].as_str().unwrap());
    let reply = call(&app, &user, "PATCH", &path, &json!({ "leaderAddress": LEADER })).await;
    assert_eq!(reply.status, 409);
    assert_eq!(written(&app).await, (before.0 + 1, before.1 + 1));
}

#[tokio::test]
async fn following_your_own_address_is_refused() {
    let app = TestApp::start().await.unwrap();
    let user = TestUser::new();
    let id = user_id(&app, &user).await;
    let server_wallet = "0x00000000000000000000000000000000000000c1";
    app.db
        .execute(
            "INSERT INTO server_wallets (user_id, address, status) VALUES ($1, $2, 'READY')",
            &[&id, &server_wallet],
        )
        .await
        .unwrap();
    let embedded = user.embedded_address().to_checksum(None);
    for own in [server_wallet.to_string(), embedded] {
        let body = json!({ "leaderAddress": own, "sizingMode": "FIXED_USD", "fixedAmountUsd": 5 });
        assert_validation_error(&call(&app, &user, "POST", "/copy-profiles", &body).await, "leaderAddress", &own);
    }
    assert_eq!(written(&app).await, (0, 0));
}

#[tokio::test]
async fn bad_input_is_400_naming_the_field_and_writes_nothing() {
    let app = TestApp::start().await.unwrap();
    let user = TestUser::new();
    let profile =
        create(&app, &user, json!({ "leaderAddress": LEADER, "sizingMode": "FIXED_USD", "fixedAmountUsd": 5 })).await;
    let path = format!("/copy-profiles/{}", profile["id"].as_str().unwrap());
    let before = written(&app).await;
    let row_before: String =
        app.db.query_one("SELECT row_to_json(p)::text FROM copy_profiles p", &[]).await.unwrap().get(0);

    let base = || json!({ "leaderAddress": LEADER_2, "sizingMode": "FIXED_USD", "fixedAmountUsd": 5 });
    let with = |field: &str, value: Value| {
        let mut body = base();
        body[field] = value;
        body
    };
    let too_many: Vec<String> = (0..201).map(|i| format!("market-{i}")).collect();
    // (body, field the message must name), for POST; the same edits are tried as PATCHes.
    let cases: Vec<(Value, &str)> = vec![
        (with("fixedAmountUsd", json!(true)), "fixedAmountUsd"),
        (with("ratioBps", json!("many")), "ratioBps"),
        (with("buyOnly", json!("yes")), "buyOnly"),
        (with("marketAllowlist", json!("will-it-rain")), "marketAllowlist"),
        (with("sizingMode", json!("ALL_IN")), "sizingMode"),
        (with("status", json!("ON")), "status"),
        (with("colour", json!("red")), "colour"),
        (with("fixedAmountUsd", Value::Null), "fixedAmountUsd"),
        (json!({ "leaderAddress": LEADER_2, "sizingMode": "LEADER_RATIO" }), "ratioBps"),
        (json!({ "leaderAddress": LEADER_2, "sizingMode": "LEADER_RATIO", "ratioBps": 0 }), "ratioBps"),
        (json!({ "leaderAddress": LEADER_2, "sizingMode": "LEADER_RATIO", "ratioBps": 1_000_001 }), "ratioBps"),
        (json!({ "leaderAddress": LEADER_2, "sizingMode": "BALANCE_PERCENT", "ratioBps": 10_001 }), "ratioBps"),
        (json!({ "leaderAddress": LEADER_2, "sizingMode": "BALANCE_PERCENT", "ratioBps": 1.5 }), "ratioBps"),
        (
            json!({ "leaderAddress": LEADER_2, "sizingMode": "BALANCE_PERCENT", "ratioBps": 10, "fixedAmountUsd": 5 }),
            "fixedAmountUsd",
        ),
        (with("ratioBps", json!(10)), "ratioBps"),
        (with("fixedAmountUsd", json!(-5)), "fixedAmountUsd"),
        (with("fixedAmountUsd", json!("0")), "fixedAmountUsd"),
        (with("fixedAmountUsd", json!(1e12)), "fixedAmountUsd"),
        (with("fixedAmountUsd", json!("1000000000000")), "fixedAmountUsd"),
        (with("maxDailyVolumeUsd", json!("10000000.000001")), "maxDailyVolumeUsd"),
        (with("minOrderUsd", json!("1.2345678")), "minOrderUsd"),
        (with("maxOrderUsd", json!(0.0000001)), "maxOrderUsd"),
        (with("maxPositionPerMarketUsd", json!("12,5")), "maxPositionPerMarketUsd"),
        (
            json!({ "leaderAddress": LEADER_2, "sizingMode": "FIXED_USD", "fixedAmountUsd": 5, "minOrderUsd": 10, "maxOrderUsd": 9 }),
            "minOrderUsd",
        ),
        (with("maxPriceDeviationBps", json!(10_001)), "maxPriceDeviationBps"),
        (with("maxPriceDeviationBps", json!(-1)), "maxPriceDeviationBps"),
        (with("leaderAddress", json!("0x1234")), "leaderAddress"),
        (with("leaderAddress", json!("0xZZ000000000000000000000000000000000000b2")), "leaderAddress"),
        (with("leaderAddress", json!("1x00000000000000000000000000000000000000b2")), "leaderAddress"),
        (with("leaderAddress", json!("00000000000000000000000000000000000000b2")), "leaderAddress"),
        (with("leaderAddress", json!("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")), "leaderAddress"),
        (with("leaderAddress", json!(42)), "leaderAddress"),
        (with("marketAllowlist", json!(["ok", "Not A Slug"])), "marketAllowlist[1]"),
        (with("marketDenylist", json!([format!("0x{}", "a".repeat(63))])), "marketDenylist[0]"),
        (with("marketDenylist", json!([7])), "marketDenylist"),
        (with("marketAllowlist", json!(too_many)), "marketAllowlist"),
    ];
    for (body, field) in &cases {
        let reply = call(&app, &user, "POST", "/copy-profiles", body).await;
        assert_validation_error(&reply, field, &format!("POST {body}"));
        let mut patch = body.clone();
        let edits = patch.as_object_mut().unwrap();
        // As a patch the leader stays, unless the case is about the leader.
        if *field != "leaderAddress" {
            edits.remove("leaderAddress");
        }
        let reply = call(&app, &user, "PATCH", &path, &patch).await;
        assert_validation_error(&reply, field, &format!("PATCH {patch}"));
    }
    for raw in ["{", "[]", "null", "\"text\"", "{\"sizingMode\": \"FIXED_USD\",}", "{} trailing"] {
        for (method, target) in [("POST", "/copy-profiles"), ("PATCH", path.as_str())] {
            let reply = app.request(method, target, &[("authorization", &user.bearer())], raw.as_bytes()).await;
            assert_eq!(
                (reply.status, reply.json()["error"]["code"].as_str()),
                (400, Some("VALIDATION_ERROR")),
                "{method} {raw}"
            );
        }
    }
    let missing =
        call(&app, &user, "POST", "/copy-profiles", &json!({ "sizingMode": "FIXED_USD", "fixedAmountUsd": 5 })).await;
    assert_validation_error(&missing, "leaderAddress", "missing leader");
    let missing = call(&app, &user, "POST", "/copy-profiles", &json!({ "leaderAddress": LEADER_2 })).await;
    assert_validation_error(&missing, "sizingMode", "missing sizing mode");

    assert_eq!(written(&app).await, before);
    let row_after: String =
        app.db.query_one("SELECT row_to_json(p)::text FROM copy_profiles p", &[]).await.unwrap().get(0);
    assert_eq!(row_after, row_before);
}

/// A leader event and the user's attempt to copy it, `age_secs` ago.
async fn insert_attempt(app: &TestApp, user_id: &str, profile_id: Option<&str>, n: i64, age_secs: f64) -> String {
    let event: String = app
        .db
        .query_one(
            "INSERT INTO leader_events (leader_address, fill_key, transaction_hash, asset, condition_id, side, size, price,
               market_slug, source, traded_at)
             VALUES ($1, $2, $3, '123456', '0xcond', 'BUY', 10.5, 0.55, 'will-it-rain', 'POLL', now() - make_interval(secs => $4))
             RETURNING id",
            &[&LEADER.to_ascii_lowercase(), &format!("fill-{n}"), &format!("0xtx{n}"), &(age_secs + 1.0)],
        )
        .await
        .unwrap()
        .get(0);
    app.db
        .query_one(
            "INSERT INTO copy_attempts (user_id, copy_profile_id, leader_event_id, status, side, size, price, amount, created_at)
             VALUES ($1, $2, $3, 'SUBMITTED', 'BUY', 9.09, 0.55, 5000000, now() - make_interval(secs => $4)) RETURNING id",
            &[&user_id, &profile_id, &event, &age_secs],
        )
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn deleting_a_profile_keeps_its_copy_attempts() {
    let app = TestApp::start().await.unwrap();
    let user = TestUser::new();
    let profile =
        create(&app, &user, json!({ "leaderAddress": LEADER, "sizingMode": "FIXED_USD", "fixedAmountUsd": 5 })).await;
    let profile_id = profile["id"].as_str().unwrap();
    let owner = user_id(&app, &user).await;
    let attempt = insert_attempt(&app, &owner, Some(profile_id), 1, 5.0).await;

    let deleted = call(&app, &user, "DELETE", &format!("/copy-profiles/{profile_id}"), &Value::Null).await;
    assert_eq!(deleted.status, 204, "{}", String::from_utf8_lossy(&deleted.body));
    let row = app
        .db
        .query_one(
            "SELECT copy_profile_id, user_id, leader_event_id IS NOT NULL FROM copy_attempts WHERE id = $1",
            &[&attempt],
        )
        .await
        .unwrap();
    assert_eq!((row.get::<_, Option<String>>(0), row.get::<_, String>(1), row.get::<_, bool>(2)), (None, owner, true));
    let history = call(&app, &user, "GET", "/copy-attempts", &Value::Null).await.json();
    assert_eq!(history["copyAttempts"][0]["id"], attempt.as_str());
    assert_eq!(history["copyAttempts"][0]["copyProfileId"], Value::Null);
}

#[tokio::test]
async fn copy_attempts_are_the_callers_own_newest_first_with_event_and_order_and_paged() {
    let app = TestApp::start().await.unwrap();
    let (alice, bob) = (TestUser::new(), TestUser::new());
    let profile =
        create(&app, &alice, json!({ "leaderAddress": LEADER, "sizingMode": "FIXED_USD", "fixedAmountUsd": 5 })).await;
    let profile_id = profile["id"].as_str().unwrap();
    let (alice_id, bob_id) = (user_id(&app, &alice).await, user_id(&app, &bob).await);
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(insert_attempt(&app, &alice_id, Some(profile_id), n, 100.0 - n as f64 * 10.0).await);
    }
    insert_attempt(&app, &bob_id, None, 99, 1.0).await;
    let newest = ids.last().unwrap().clone();
    app.db
        .execute(
            "INSERT INTO orders (user_id, copy_attempt_id, order_hash, clob_order_id, token_id, side, price, size, maker_amount,
               taker_amount, signed_order, status)
             VALUES ($1, $2, '0xhash', 'clob-1', '123456', 'BUY', 0.55, 9.09, 5000000, 9090000, '{}', 'SUBMITTED')",
            &[&alice_id, &newest],
        )
        .await
        .unwrap();

    let first = call(&app, &alice, "GET", "/copy-attempts?limit=2", &Value::Null).await;
    assert_eq!(first.status, 200, "{}", String::from_utf8_lossy(&first.body));
    let first = first.json();
    let page: Vec<&str> = first["copyAttempts"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(page, [ids[4].as_str(), ids[3].as_str()]);
    let top = &first["copyAttempts"][0];
    assert_eq!(top["status"], "SUBMITTED");
    assert_eq!(
        (top["side"].as_str(), top["size"].as_str(), top["price"].as_str()),
        (Some("BUY"), Some("9.09"), Some("0.55"))
    );
    assert_eq!(top["amountUsd"], "5");
    assert_eq!((top["skipReason"].clone(), top["errorCode"].clone()), (Value::Null, Value::Null));
    assert!(top["createdAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!(top["copyProfileId"], profile_id);
    let event = &top["leaderEvent"];
    assert_eq!(
        (event["side"].as_str(), event["size"].as_str(), event["price"].as_str()),
        (Some("BUY"), Some("10.5"), Some("0.55"))
    );
    assert_eq!(
        (event["marketSlug"].as_str(), event["asset"].as_str(), event["transactionHash"].as_str()),
        (Some("will-it-rain"), Some("123456"), Some("0xtx4"))
    );
    assert!(event["tradedAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!(top["order"]["orderHash"], "0xhash");
    assert_eq!(
        (top["order"]["status"].as_str(), top["order"]["clobOrderId"].as_str()),
        (Some("SUBMITTED"), Some("clob-1"))
    );
    assert_eq!(first["copyAttempts"][1]["order"], Value::Null);
    assert_eq!(first["nextBefore"], ids[3].as_str());

    let second =
        call(&app, &alice, "GET", &format!("/copy-attempts?limit=2&before={}", ids[3]), &Value::Null).await.json();
    let page: Vec<&str> =
        second["copyAttempts"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(page, [ids[2].as_str(), ids[1].as_str()]);
    let last = call(&app, &alice, "GET", &format!("/copy-attempts?before={}", ids[1]), &Value::Null).await.json();
    assert_eq!(last["copyAttempts"].as_array().unwrap().len(), 1);
    assert_eq!(last["nextBefore"], Value::Null);

    let all = call(&app, &alice, "GET", "/copy-attempts", &Value::Null).await.json();
    assert_eq!(all["copyAttempts"].as_array().unwrap().len(), 5, "only the caller's attempts");
    let bobs = call(&app, &bob, "GET", "/copy-attempts", &Value::Null).await.json();
    assert_eq!(bobs["copyAttempts"].as_array().unwrap().len(), 1);
    // Another user's attempt id as a cursor reveals nothing.
    let probe = call(&app, &bob, "GET", &format!("/copy-attempts?before={newest}"), &Value::Null).await.json();
    assert_eq!(probe["copyAttempts"].as_array().unwrap().len(), 0);

    for bad in ["limit=0", "limit=101", "limit=ten", "before=", "offset=3"] {
        let reply = call(&app, &alice, "GET", &format!("/copy-attempts?{bad}"), &Value::Null).await;
        let field = bad.split('=').next().unwrap();
        assert_validation_error(&reply, field, bad);
    }
}

async fn post_admin(app: &TestApp, path: &str, body: &Value) -> Reply {
    let auth = format!("Bearer {}", app.admin_token);
    let body = if body.is_null() { Vec::new() } else { body.to_string().into_bytes() };
    app.request("POST", path, &[("authorization", &auth)], &body).await
}

async fn statuses(app: &TestApp, user_id: &str) -> Vec<(String, Option<String>)> {
    app.db
        .query(
            "SELECT status, paused_reason FROM copy_profiles WHERE user_id = $1 ORDER BY leader_address",
            &[&user_id],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

#[tokio::test]
async fn admin_pauses_and_resumes_everyone_or_one_user() {
    let app = TestApp::start().await.unwrap();
    let (alice, bob) = (TestUser::new(), TestUser::new());
    for user in [&alice, &bob] {
        for leader in [LEADER_2, LEADER_3] {
            create(&app, user, json!({ "leaderAddress": leader, "sizingMode": "FIXED_USD", "fixedAmountUsd": 5 }))
                .await;
        }
    }
    let (alice_id, bob_id) = (user_id(&app, &alice).await, user_id(&app, &bob).await);
    // Alice paused one herself: an operator's resume must leave it paused.
    let alice_profiles = call(&app, &alice, "GET", "/copy-profiles", &Value::Null).await.json();
    let own_pause = format!("/copy-profiles/{}", alice_profiles["copyProfiles"][0]["id"].as_str().unwrap());
    assert_eq!(call(&app, &alice, "PATCH", &own_pause, &json!({ "status": "PAUSED" })).await.status, 200);

    let reply =
        post_admin(&app, "/admin/copy-trading/pause", &json!({ "userId": bob_id, "reason": "incident-42" })).await;
    assert_eq!((reply.status, reply.json()), (200, json!({ "paused": 2 })));
    assert_eq!(statuses(&app, &bob_id).await, vec![("PAUSED".into(), Some("incident-42".into())); 2]);
    assert_eq!(statuses(&app, &alice_id).await.iter().filter(|(s, _)| s == "ENABLED").count(), 1);

    // A user cannot lift an operator's pause.
    let bob_profiles = call(&app, &bob, "GET", "/copy-profiles", &Value::Null).await.json();
    let bob_path = format!("/copy-profiles/{}", bob_profiles["copyProfiles"][0]["id"].as_str().unwrap());
    let refused = call(&app, &bob, "PATCH", &bob_path, &json!({ "status": "ENABLED" })).await;
    assert_eq!((refused.status, refused.json()["error"]["code"].as_str()), (409, Some("CONFLICT")));

    let reply = post_admin(&app, "/admin/copy-trading/pause", &Value::Null).await;
    assert_eq!(reply.json(), json!({ "paused": 1 }), "only alice's enabled one was left copying");
    // Her own pause is taken over too (she cannot lift it while everyone is paused); she keeps
    // her choice for the resume.
    assert_eq!(statuses(&app, &alice_id).await, vec![("PAUSED".into(), Some("ADMIN".into())); 2]);

    let refused = post_admin(&app, "/admin/copy-trading/resume", &json!({ "userId": alice_id })).await;
    assert_eq!(
        (refused.status, refused.json()["error"]["code"].as_str()),
        (409, Some("CONFLICT")),
        "everyone is paused"
    );
    let reply = post_admin(&app, "/admin/copy-trading/resume", &Value::Null).await;
    assert_eq!((reply.status, reply.json()), (200, json!({ "resumed": 3 })));
    assert_eq!(statuses(&app, &bob_id).await, vec![("ENABLED".into(), None); 2]);
    assert!(statuses(&app, &alice_id).await.contains(&("PAUSED".into(), Some("USER".into()))));
    assert!(statuses(&app, &alice_id).await.contains(&("ENABLED".into(), None)));

    let reply = post_admin(&app, "/admin/copy-trading/pause", &json!({ "userId": alice_id })).await;
    assert_eq!(reply.json(), json!({ "paused": 1 }));
    let reply = post_admin(&app, "/admin/copy-trading/resume", &json!({ "userId": alice_id })).await;
    assert_eq!((reply.status, reply.json()), (200, json!({ "resumed": 1 })));
    assert!(statuses(&app, &alice_id).await.contains(&("PAUSED".into(), Some("USER".into()))));

    let audit = app
        .db
        .query(
            "SELECT action, actor, user_id, details FROM audit_logs WHERE action LIKE 'COPY_TRADING_%' ORDER BY created_at, id",
            &[],
        )
        .await
        .unwrap();
    let audit: Vec<(String, String, Option<String>, Value)> =
        audit.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect();
    assert_eq!(audit.len(), 5, "the refused resume wrote nothing");
    assert_eq!(
        (audit[0].0.as_str(), audit[0].1.as_str(), audit[0].2.as_deref()),
        ("COPY_TRADING_PAUSED", "admin", Some(bob_id.as_str()))
    );
    assert_eq!((audit[0].3["userId"].as_str(), audit[0].3["count"].as_i64()), (Some(bob_id.as_str()), Some(2)));
    assert_eq!(
        (audit[1].2.clone(), audit[1].3["userId"].clone(), audit[1].3["count"].as_i64()),
        (None, Value::Null, Some(1))
    );
    assert_eq!((audit[2].0.as_str(), audit[2].3["count"].as_i64()), ("COPY_TRADING_RESUMED", Some(3)));
    assert_eq!((audit[4].0.as_str(), audit[4].3["count"].as_i64()), ("COPY_TRADING_RESUMED", Some(1)));

    let before = written(&app).await;
    let unknown = post_admin(&app, "/admin/copy-trading/pause", &json!({ "userId": "no-such-user" })).await;
    assert_eq!((unknown.status, unknown.json()["error"]["code"].as_str()), (404, Some("NOT_FOUND")));
    let bad = post_admin(&app, "/admin/copy-trading/resume", &json!({ "userId": 7 })).await;
    assert_validation_error(&bad, "userId", "numeric userId");
    assert_eq!(written(&app).await, before);
}

#[tokio::test]
async fn admin_pause_and_resume_need_the_admin_token() {
    let app = TestApp::start().await.unwrap();
    let user = TestUser::new();
    create(&app, &user, json!({ "leaderAddress": LEADER, "sizingMode": "FIXED_USD", "fixedAmountUsd": 5 })).await;
    let before = written(&app).await;
    for path in ["/admin/copy-trading/pause", "/admin/copy-trading/resume"] {
        assert_eq!(app.request("POST", path, &[], b"").await.status, 401, "{path}");
        let wrong = app.request("POST", path, &[("authorization", "Bearer not-the-token")], b"").await;
        assert_eq!((wrong.status, wrong.json()["error"]["code"].as_str()), (403, Some("FORBIDDEN")), "{path}");
        let as_user = app.request("POST", path, &[("authorization", &user.bearer())], b"").await;
        assert_eq!(as_user.status, 403, "a user's JWT is not the admin token");
    }
    assert_eq!(written(&app).await, before);
    assert_eq!(count(&app, "SELECT count(*) FROM copy_profiles WHERE status = 'ENABLED'").await, 1);
}

/// An operator's pause stands whatever the user writes (a PATCH to PAUSED once overwrote the
/// operator's reason with USER, and the next PATCH to ENABLED lifted it): the reason is kept,
/// resuming is refused, a profile created meanwhile starts paused, and the user's own choices
/// are what the operator's resume gives back.
#[tokio::test]
async fn an_operators_pause_stands_whatever_the_user_writes() {
    let app = TestApp::start().await.unwrap();
    let user = TestUser::new();
    let copying =
        create(&app, &user, json!({ "leaderAddress": LEADER_2, "sizingMode": "FIXED_USD", "fixedAmountUsd": 5 })).await;
    let own = create(
        &app,
        &user,
        json!({ "leaderAddress": LEADER_3, "sizingMode": "FIXED_USD", "fixedAmountUsd": 5, "status": "PAUSED" }),
    )
    .await;
    assert_eq!(own["pausedReason"], "USER");
    let id = user_id(&app, &user).await;
    let (copying, own) = (
        format!("/copy-profiles/{}", copying["id"].as_str().unwrap()),
        format!("/copy-profiles/{}", own["id"].as_str().unwrap()),
    );
    let reply = post_admin(&app, "/admin/copy-trading/pause", &json!({ "userId": id, "reason": "INCIDENT" })).await;
    assert_eq!(reply.json(), json!({ "paused": 1 }));

    let paused = call(&app, &user, "PATCH", &copying, &json!({ "status": "PAUSED" })).await;
    assert_eq!(paused.status, 200, "{}", String::from_utf8_lossy(&paused.body));
    assert_eq!(
        (paused.json()["status"].as_str(), paused.json()["pausedReason"].as_str()),
        (Some("PAUSED"), Some("INCIDENT"))
    );
    let before = written(&app).await;
    for path in [&copying, &own] {
        let refused = call(&app, &user, "PATCH", path, &json!({ "status": "ENABLED", "fixedAmountUsd": 9 })).await;
        assert_eq!((refused.status, refused.json()["error"]["code"].as_str()), (409, Some("CONFLICT")), "{path}");
    }
    assert_eq!(written(&app).await, before, "refused changes write nothing");
    assert_eq!(count(&app, "SELECT count(*) FROM copy_profiles WHERE fixed_amount = 9000000").await, 0);
    let created =
        create(&app, &user, json!({ "leaderAddress": LEADER, "sizingMode": "FIXED_USD", "fixedAmountUsd": 5 })).await;
    assert_eq!((created["status"].as_str(), created["pausedReason"].as_str()), (Some("PAUSED"), Some("INCIDENT")));
    assert_eq!(count(&app, "SELECT count(*) FROM copy_profiles WHERE status = 'ENABLED'").await, 0);

    // Resumed: each profile as its user left it — the two they paused stay paused.
    let reply = post_admin(&app, "/admin/copy-trading/resume", &json!({ "userId": id })).await;
    assert_eq!(reply.json(), json!({ "resumed": 1 }));
    let mut now = statuses(&app, &id).await;
    now.sort();
    assert_eq!(
        now,
        vec![("ENABLED".into(), None), ("PAUSED".into(), Some("USER".into())), ("PAUSED".into(), Some("USER".into()))]
    );
    assert_eq!(
        call(&app, &user, "PATCH", &own, &json!({ "status": "ENABLED" })).await.status,
        200,
        "the user's own pause is theirs to lift"
    );
}

/// The runbook's own SQL pause (`UPDATE copy_profiles SET status = 'PAUSED' WHERE status =
/// 'ENABLED'`, no reason) is an operator's pause too, and its resume SQL leaves no stale reason.
#[tokio::test]
async fn the_runbooks_sql_pause_is_an_operators_pause() {
    let app = TestApp::start().await.unwrap();
    let user = TestUser::new();
    let profile =
        create(&app, &user, json!({ "leaderAddress": LEADER_2, "sizingMode": "FIXED_USD", "fixedAmountUsd": 5 })).await;
    let own = create(
        &app,
        &user,
        json!({ "leaderAddress": LEADER_3, "sizingMode": "FIXED_USD", "fixedAmountUsd": 5, "status": "PAUSED" }),
    )
    .await;
    let path = format!("/copy-profiles/{}", profile["id"].as_str().unwrap());
    app.db.batch_execute("UPDATE copy_profiles SET status = 'PAUSED' WHERE status = 'ENABLED';").await.unwrap();
    let refused = call(&app, &user, "PATCH", &path, &json!({ "status": "ENABLED" })).await;
    assert_eq!((refused.status, refused.json()["error"]["code"].as_str()), (409, Some("CONFLICT")));

    app.db.batch_execute("UPDATE copy_profiles SET status = 'ENABLED' WHERE status = 'PAUSED';").await.unwrap();
    let id = user_id(&app, &user).await;
    assert_eq!(statuses(&app, &id).await, vec![("ENABLED".into(), None); 2], "the runbook's resume resumes everything");
    let own =
        call(&app, &user, "GET", &format!("/copy-profiles/{}", own["id"].as_str().unwrap()), &Value::Null).await.json();
    assert_eq!((own["status"].as_str(), own["pausedReason"].as_str()), (Some("ENABLED"), None));
}
