//! `/me`, end-user JWT auth, binding proofs and admin rotate/revoke through the real components,
//! with the real signer (local backend).

use mirror_e2e::signing::{sign_jwt, unix_now, TestUser};
use mirror_e2e::TestApp;
use mirror_fakes::Behaviour;
use serde_json::{json, Value};

async fn me(app: &TestApp, user: &TestUser) -> Value {
    let reply = app.request("GET", "/me", &[("authorization", &user.bearer())], b"").await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.db.query_one(sql, &[]).await.unwrap().get::<_, i64>(0)
}

/// Two first `GET /me` calls of one user: the second as soon as `sql` counts something. The
/// first gets the wallet; the second is refused (409) or, if the first's wallet is READY by the
/// time it looks, gets the same wallet.
async fn second_call_once(app: &TestApp, sql: &str) {
    let bearer = TestUser::new().bearer();
    let headers = [("authorization", bearer.as_str())];
    let second = async {
        while count(app, sql).await == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        app.request("GET", "/me", &headers, b"").await
    };
    let (first, second) = tokio::join!(app.request("GET", "/me", &headers, b""), second);
    assert_eq!(first.status, 200, "{}", String::from_utf8_lossy(&first.body));
    assert!(
        second.status == 200 || second.status == 409,
        "{}: {}",
        second.status,
        String::from_utf8_lossy(&second.body)
    );
    if second.status == 200 {
        assert_eq!(second.json()["serverWallet"], first.json()["serverWallet"]);
    }
}

#[tokio::test]
async fn me_creates_the_server_wallet_once() {
    let (app, signer) = TestApp::with_signer(&[]).await.unwrap();
    let user = TestUser::new();
    let first = me(&app, &user).await;
    let second = me(&app, &user).await;
    let address = first["serverWallet"]["address"].as_str().unwrap().to_string();
    assert_eq!(second["serverWallet"]["address"], address.as_str());
    assert_eq!(first["embeddedWalletAddress"], user.embedded_address().to_checksum(None));
    assert_eq!(first["bindingProofVerified"], false);
    assert_eq!(count(&app, "SELECT count(*) FROM server_wallets WHERE status = 'READY'").await, 1);
    assert_eq!(count(&app, "SELECT count(*) FROM audit_logs WHERE action = 'SERVER_WALLET_CREATED'").await, 1);
    assert_eq!(signer.proxy.requests(), 1, "one wallet created at the signer");
    let properties: Value = app.db.query_one("SELECT wallet_properties FROM server_wallets", &[]).await.unwrap().get(0);
    assert!(!properties.to_string().contains(&signer.local_key_hex), "signer key stored by the app");
}

/// Eight first calls at once for each of twelve users: one wallet per user, made once at the
/// signer; the others are told to retry (409 Retry-After), none fails.
#[tokio::test]
async fn racing_first_calls_create_one_wallet() {
    let (app, signer) = TestApp::with_signer(&[]).await.unwrap();
    let bearers: Vec<String> = (0..12).map(|_| TestUser::new().bearer()).collect();
    let calls = bearers.iter().flat_map(|bearer| {
        let app = &app;
        (0..8).map(move |_| async move { app.request("GET", "/me", &[("authorization", bearer.as_str())], b"").await })
    });
    let replies = futures::future::join_all(calls).await;
    for reply in &replies {
        assert!(
            reply.status == 200 || reply.status == 409,
            "status {}: {}",
            reply.status,
            String::from_utf8_lossy(&reply.body)
        );
        if reply.status == 409 {
            assert_eq!(reply.json()["error"]["code"], "CONFLICT");
            assert!(reply.headers.contains_key("retry-after"));
        }
    }
    for user_replies in replies.chunks(8) {
        assert!(user_replies.iter().any(|r| r.status == 200));
    }
    assert_eq!(count(&app, "SELECT count(*) FROM users").await, 12);
    assert_eq!(count(&app, "SELECT count(DISTINCT user_id) FROM server_wallets").await, 12);
    assert_eq!(count(&app, "SELECT count(*) FROM server_wallets").await, 12);
    assert_eq!(signer.proxy.requests(), 12);
}

/// A first call that reserves while another call's new wallet is being made READY: the two
/// statements must not each wait for the other (the promotion's audit row needs the user's row,
/// the reservation's constraint check needs the promotion to end). The test slows the promotion
/// with a trigger of its own so the second call lands inside it every time.
#[tokio::test]
async fn a_first_call_during_the_promotion_of_a_new_wallet_waits_for_it() {
    let (app, signer) = TestApp::with_signer(&[]).await.unwrap();
    app.db
        .batch_execute(
            "CREATE FUNCTION test_slow_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(1); RETURN NEW; END $$;
             CREATE TRIGGER test_slow_audit BEFORE INSERT ON audit_logs FOR EACH ROW
               WHEN (NEW.action = 'SERVER_WALLET_CREATED') EXECUTE FUNCTION test_slow_audit();",
        )
        .await
        .unwrap();
    second_call_once(
        &app,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'",
    )
    .await;
    assert_eq!(count(&app, "SELECT count(*) FROM server_wallets").await, 1);
    assert_eq!(signer.proxy.requests(), 1);
}

/// The other order: a losing reservation still in flight when the winner's wallet is made READY.
/// The signer's answer to the winner is delayed so the loser reserves first; the test's trigger
/// then holds the loser's reservation open (for at most 5 s) until the promotion has started.
#[tokio::test]
async fn a_promotion_during_a_losing_reservation_waits_for_it() {
    let (app, signer) = TestApp::with_signer(&[]).await.unwrap();
    app.db
        .batch_execute(
            "CREATE FUNCTION test_hold_second_reservation() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
               IF (SELECT count(*) FROM server_wallets WHERE user_id = NEW.user_id) > 1 THEN
                 FOR i IN 1..100 LOOP
                   PERFORM pg_stat_clear_snapshot();
                   EXIT WHEN EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid <> pg_backend_pid()
                     AND datname = current_database() AND state = 'active' AND query LIKE '%''SERVER_WALLET_' || 'CREATED''%');
                   PERFORM pg_sleep(0.05);
                 END LOOP;
               END IF;
               RETURN NEW;
             END $$;
             CREATE TRIGGER test_hold_second_reservation AFTER INSERT ON server_wallets FOR EACH ROW
               EXECUTE FUNCTION test_hold_second_reservation();",
        )
        .await
        .unwrap();
    signer.proxy.set(Behaviour::Delay(std::time::Duration::from_millis(3000)));
    second_call_once(&app, "SELECT count(*) FROM server_wallets").await;
    assert_eq!(count(&app, "SELECT count(*) FROM server_wallets WHERE status = 'READY'").await, 1);
    assert_eq!(count(&app, "SELECT count(*) FROM server_wallets").await, 1);
    assert_eq!(signer.proxy.requests(), 1);
}

/// A reservation whose creator died (older than its 60 s lease) is taken over: one wallet, made
/// once at the signer.
#[tokio::test]
async fn a_dead_creators_reservation_is_taken_over() {
    let (app, signer) = TestApp::with_signer(&[]).await.unwrap();
    let user = TestUser::new();
    let user_id: String = app
        .db
        .query_one("INSERT INTO users (dynamic_user_id) VALUES ($1) RETURNING id", &[&user.sub])
        .await
        .unwrap()
        .get(0);
    app.db
        .execute("INSERT INTO server_wallets (user_id, status, updated_at) VALUES ($1, 'CREATING', now() - interval '30 seconds')", &[&user_id])
        .await
        .unwrap();
    let fresh = app.request("GET", "/me", &[("authorization", &user.bearer())], b"").await;
    assert_eq!(
        fresh.status,
        409,
        "a live creator's reservation is waited for: {}",
        String::from_utf8_lossy(&fresh.body)
    );
    assert_eq!(signer.proxy.requests(), 0);

    // The updated_at trigger would stamp an UPDATE with now(): age the reservation by re-inserting it.
    app.db
        .execute(
            "WITH gone AS (DELETE FROM server_wallets RETURNING user_id) \
             INSERT INTO server_wallets (user_id, status, updated_at) SELECT user_id, 'CREATING', now() - interval '61 seconds' FROM gone",
            &[],
        )
        .await
        .unwrap();
    let taken_over = me(&app, &user).await;
    assert!(taken_over["serverWallet"]["address"].is_string());
    assert_eq!(count(&app, "SELECT count(*) FROM server_wallets WHERE status = 'READY'").await, 1);
    assert_eq!(count(&app, "SELECT count(*) FROM server_wallets").await, 1);
    assert_eq!(signer.proxy.requests(), 1);
}

#[tokio::test]
async fn bad_tokens_are_401_and_write_nothing() {
    let (app, _signer) = TestApp::with_signer(&[]).await.unwrap();
    let user = TestUser::new();
    let mut expired = user.claims();
    expired["exp"] = json!(unix_now() - 300);
    let mut issuer = user.claims();
    issuer["iss"] = json!("app.dynamicauth.com/other");
    let mut audience = user.claims();
    audience["aud"] = json!("https://other.test");
    let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.", "eyJzdWIiOiJ4In0");
    let tokens = [
        sign_jwt("test-only-private.pem", &expired),
        sign_jwt("test-only-private.pem", &issuer),
        sign_jwt("test-only-private.pem", &audience),
        sign_jwt("test-only-other-private.pem", &user.claims()),
        none,
        "not-a-jwt".to_string(),
    ];
    for token in &tokens {
        let reply = app.request("GET", "/me", &[("authorization", &format!("Bearer {token}"))], b"").await;
        assert_eq!(reply.status, 401, "{token}");
        assert_eq!(reply.json()["error"]["code"], "UNAUTHORIZED");
        assert!(!String::from_utf8_lossy(&reply.body).contains(token.as_str()));
    }
    assert_eq!(app.get("/me").await.status, 401);
    assert_eq!(count(&app, "SELECT count(*) FROM users").await, 0);
}

fn binding_body(app_wallet: &str, user: &TestUser, nonce: &str, issued_at: i64) -> Vec<u8> {
    let checksummed: alloy_primitives::Address = app_wallet.parse().unwrap();
    let message = format!(
        "Mirror binding proof\nI authorize Mirror server wallet {} to trade on my behalf.\nNonce: {nonce}\nIssued at: {issued_at}",
        checksummed.to_checksum(None)
    );
    json!({
        "serverWalletAddress": app_wallet, "nonce": nonce, "issuedAt": issued_at,
        "signature": user.sign_personal(message.as_bytes()),
    })
    .to_string()
    .into_bytes()
}

#[tokio::test]
async fn binding_proof_verifies_once_and_rejects_replays_and_wrong_signers() {
    let (app, _signer) = TestApp::with_signer(&[]).await.unwrap();
    let user = TestUser::new();
    let wallet = me(&app, &user).await["serverWallet"]["address"].as_str().unwrap().to_string();
    let auth = user.bearer();
    let now_ms = unix_now() * 1000;
    let body = binding_body(&wallet, &user, "nonce-0123456789abcdef", now_ms);

    let reply = app.request("POST", "/binding-proofs", &[("authorization", &auth)], &body).await;
    assert_eq!(reply.status, 201, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(me(&app, &user).await["bindingProofVerified"], true);

    let replay = app.request("POST", "/binding-proofs", &[("authorization", &auth)], &body).await;
    assert_eq!((replay.status, replay.json()["error"]["code"].as_str()), (400, Some("SIGNATURE_ERROR")));

    let impostor = TestUser::new();
    let forged = binding_body(&wallet, &impostor, "nonce-forged-0123456789", now_ms);
    let reply = app.request("POST", "/binding-proofs", &[("authorization", &auth)], &forged).await;
    assert_eq!((reply.status, reply.json()["error"]["code"].as_str()), (400, Some("SIGNATURE_ERROR")));

    let listed = app.request("GET", "/binding-proofs", &[("authorization", &auth)], b"").await.json();
    assert_eq!(listed["bindingProofs"].as_array().unwrap().len(), 1);
    assert_eq!(count(&app, "SELECT count(*) FROM binding_proofs").await, 1);
    assert_eq!(count(&app, "SELECT count(*) FROM audit_logs WHERE action = 'BINDING_PROOF_VERIFIED'").await, 1);
}

#[tokio::test]
async fn binding_proof_bad_input_names_the_field_and_writes_nothing() {
    let (app, _signer) = TestApp::with_signer(&[]).await.unwrap();
    let user = TestUser::new();
    let wallet = me(&app, &user).await["serverWallet"]["address"].as_str().unwrap().to_string();
    let auth = user.bearer();
    let now_ms = unix_now() * 1000;
    let good: Value = serde_json::from_slice(&binding_body(&wallet, &user, "nonce-0123456789abcdef", now_ms)).unwrap();
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body.to_string()
    };
    let cases: Vec<(String, &str)> = vec![
        ("{".into(), "malformed JSON"),
        (with("issuedAt", json!("soon")), "issuedAt"),
        (with("issuedAt", json!(now_ms - 3_600_000)), "issuedAt"),
        (with("nonce", json!("short")), "nonce"),
        (with("serverWalletAddress", json!("0x1234")), "serverWalletAddress"),
        (with("serverWalletAddress", json!("0x0000000000000000000000000000000000000001")), "serverWalletAddress"),
        (with("signature", json!("0xdead")), "signature"),
        (with("extra", json!(1)), "extra"),
        (json!({ "nonce": "nonce-0123456789abcdef" }).to_string(), "serverWalletAddress"),
    ];
    for (body, field) in cases {
        let reply = app.request("POST", "/binding-proofs", &[("authorization", &auth)], body.as_bytes()).await;
        assert_eq!(reply.status, 400, "{body}");
        let error = reply.json()["error"].clone();
        assert_eq!(error["code"], "VALIDATION_ERROR", "{body}");
        assert!(error["message"].as_str().unwrap().contains(field), "{body}: {error}");
    }
    let huge = vec![b' '; 70 * 1024];
    assert_eq!(app.request("POST", "/binding-proofs", &[("authorization", &auth)], &huge).await.status, 413);
    assert_eq!(count(&app, "SELECT count(*) FROM binding_proofs").await, 0);
}

#[tokio::test]
async fn users_see_only_their_own_binding_proofs() {
    let (app, _signer) = TestApp::with_signer(&[]).await.unwrap();
    let (alice, bob) = (TestUser::new(), TestUser::new());
    let wallet = me(&app, &alice).await["serverWallet"]["address"].as_str().unwrap().to_string();
    me(&app, &bob).await;
    let body = binding_body(&wallet, &alice, "nonce-alice-0123456789", unix_now() * 1000);
    assert_eq!(app.request("POST", "/binding-proofs", &[("authorization", &alice.bearer())], &body).await.status, 201);

    let bobs = app.request("GET", "/binding-proofs", &[("authorization", &bob.bearer())], b"").await.json();
    assert_eq!(bobs["bindingProofs"], json!([]));
    // Bob cannot bind Alice's server wallet to himself either.
    let bob_wallet_claim = binding_body(&wallet, &bob, "nonce-bob-0123456789ab", unix_now() * 1000);
    let reply = app.request("POST", "/binding-proofs", &[("authorization", &bob.bearer())], &bob_wallet_claim).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error"]["code"], "VALIDATION_ERROR");
}

#[tokio::test]
async fn admin_rotate_and_revoke() {
    let (app, _signer) = TestApp::with_signer(&[]).await.unwrap();
    let user = TestUser::new();
    let old = me(&app, &user).await["serverWallet"]["address"].as_str().unwrap().to_string();
    let user_id: String = app.db.query_one("SELECT id FROM users", &[]).await.unwrap().get(0);
    app.db
        .execute(
            "INSERT INTO wallets (user_id, type, proxy_type, address) VALUES ($1, 'PROXY', 'SAFE', '0x00000000000000000000000000000000000000bb')",
            &[&user_id],
        )
        .await
        .unwrap();
    app.db
        .execute(
            "INSERT INTO copy_profiles (user_id, leader_address, sizing_mode, fixed_amount) VALUES ($1, '0x00000000000000000000000000000000000000cc', 'FIXED_USD', 5000000)",
            &[&user_id],
        )
        .await
        .unwrap();

    let rotate = format!("/admin/server-wallets/{user_id}/rotate");
    assert_eq!(app.request("POST", &rotate, &[], b"").await.status, 401);
    assert_eq!(app.request("POST", &rotate, &[("authorization", "Bearer nope")], b"").await.status, 403);
    let reply = app.post_admin(&rotate).await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    let new = reply.json()["address"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert_eq!(me(&app, &user).await["serverWallet"]["address"], new.as_str());
    let statuses: Vec<String> = app
        .db
        .query("SELECT status FROM server_wallets ORDER BY created_at", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(statuses, ["ROTATED", "READY"]);
    // Not a transaction yet (the old owner has not signed the swap): nothing for the relayer.
    let transfer = app
        .db
        .query_one(
            "SELECT t.status, t.safe_address, f.address, w.address FROM ownership_transfers t \
             JOIN server_wallets f ON f.id = t.from_wallet_id JOIN server_wallets w ON w.id = t.to_wallet_id",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        (transfer.get::<_, String>(0), transfer.get::<_, String>(1)),
        ("AWAITING_SIGNATURE".into(), "0x00000000000000000000000000000000000000bb".into())
    );
    assert_eq!((transfer.get::<_, String>(2), transfer.get::<_, String>(3)), (old.clone(), new.clone()));
    assert_eq!(count(&app, "SELECT count(*) FROM relayer_txs").await, 0);

    let reply = app.post_admin(&format!("/admin/server-wallets/{user_id}/revoke")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(count(&app, "SELECT count(*) FROM server_wallets WHERE status = 'FAILED'").await, 1);
    assert_eq!(count(&app, "SELECT count(*) FROM copy_profiles WHERE status = 'PAUSED'").await, 1);
    assert_eq!(count(&app, "SELECT count(*) FROM audit_logs WHERE action = 'SERVER_WALLET_REVOKED'").await, 1);
    assert_eq!(app.post_admin(&format!("/admin/server-wallets/{user_id}/revoke")).await.status, 404);
}

/// Runbook "Server Wallet Compromise": once an operator revokes a user's wallet (the route, or
/// the runbook's `UPDATE server_wallets SET status = 'FAILED'`), nothing the user does signs
/// again or replaces it — `GET /me` once created a new READY wallet and the user lifted the
/// pause — until the operator rotates, which is the way back.
#[tokio::test]
async fn a_revoked_authority_is_replaced_only_by_an_operators_rotation() {
    let (app, _signer) = TestApp::with_signer(&[]).await.unwrap();
    let user = TestUser::new();
    let auth = user.bearer();
    let first = me(&app, &user).await["serverWallet"]["address"].as_str().unwrap().to_string();
    let user_id: String = app.db.query_one("SELECT id FROM users", &[]).await.unwrap().get(0);
    let follow = json!({ "leaderAddress": "0x00000000000000000000000000000000000000cc", "sizingMode": "FIXED_USD", "fixedAmountUsd": 5 });
    let created =
        app.request("POST", "/copy-profiles", &[("authorization", &auth)], follow.to_string().as_bytes()).await;
    assert_eq!(created.status, 201);
    let profile = format!("/copy-profiles/{}", created.json()["id"].as_str().unwrap());
    let patch = |status: &'static str| {
        let body = json!({ "status": status }).to_string();
        let (app, auth, profile) = (&app, auth.clone(), profile.clone());
        async move { app.request("PATCH", &profile, &[("authorization", &auth)], body.as_bytes()).await }
    };

    assert_eq!(app.post_admin(&format!("/admin/server-wallets/{user_id}/revoke")).await.status, 200);
    let shown = me(&app, &user).await;
    assert_eq!(shown["tradingAuthority"], Value::Null, "{shown}");
    assert_eq!(shown["serverWallet"], json!({ "address": first, "status": "FAILED" }));
    assert_eq!(count(&app, "SELECT count(*) FROM server_wallets").await, 1, "no wallet replaces a revoked one");
    let paused = patch("PAUSED").await.json();
    assert_eq!(
        (paused["status"].as_str(), paused["pausedReason"].as_str()),
        (Some("PAUSED"), Some("SERVER_WALLET_REVOKED"))
    );
    assert_eq!(patch("ENABLED").await.status, 409);
    let order = json!({ "tokenId": "123", "side": "BUY", "price": "0.52", "size": "10" }).to_string();
    let refused = app.request("POST", "/orders", &[("authorization", &auth)], order.as_bytes()).await;
    assert_eq!((refused.status, refused.json()["error"]["code"].as_str()), (409, Some("CONFLICT")));
    assert_eq!(count(&app, "SELECT count(*) FROM signing_requests").await, 0, "nothing signed for a revoked user");
    let resumed = app.post_admin("/admin/copy-trading/resume").await;
    assert_eq!(resumed.json(), json!({ "resumed": 0 }), "an operator's resume does not undo a revocation");

    let rotated = app.post_admin(&format!("/admin/server-wallets/{user_id}/rotate")).await;
    assert_eq!(rotated.status, 200, "{}", String::from_utf8_lossy(&rotated.body));
    let second = rotated.json()["address"].as_str().unwrap().to_string();
    assert_ne!(second, first);
    assert_eq!(me(&app, &user).await["tradingAuthority"]["address"], second.as_str());
    let mut statuses: Vec<String> =
        app.db.query("SELECT status FROM server_wallets", &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
    statuses.sort();
    assert_eq!(statuses, ["FAILED", "READY"]);
    let profile_now = app.request("GET", &profile, &[("authorization", &auth)], b"").await.json();
    assert_eq!(
        (profile_now["status"].as_str(), profile_now["pausedReason"].as_str()),
        (Some("PAUSED"), Some("USER")),
        "the user's own pause is kept"
    );
    assert_eq!(patch("ENABLED").await.status, 200);
    assert_eq!(count(&app, "SELECT count(*) FROM copy_trading_holds").await, 0);

    // The runbook's step 3 by hand has the same effect.
    app.db.execute("UPDATE server_wallets SET status = 'FAILED' WHERE user_id = $1", &[&user_id]).await.unwrap();
    assert_eq!(me(&app, &user).await["serverWallet"], json!({ "address": second, "status": "FAILED" }));
    assert_eq!(count(&app, "SELECT count(*) FROM server_wallets").await, 2);
}
