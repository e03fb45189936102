//! `/me`, end-user JWT auth, binding proofs and admin rotate/revoke through the real components,
//! with the real signer (local backend).

use mirror_e2e::signing::{sign_jwt, unix_now, TestUser};
use mirror_e2e::TestApp;
use serde_json::{json, Value};

async fn me(app: &TestApp, user: &TestUser) -> Value {
    let reply = app.request("GET", "/me", &[("authorization", &user.bearer())], b"").await;
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    reply.json()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.db.query_one(sql, &[]).await.unwrap().get::<_, i64>(0)
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

#[tokio::test]
async fn racing_first_calls_create_one_wallet() {
    let (app, signer) = TestApp::with_signer(&[]).await.unwrap();
    let user = TestUser::new();
    let bearer = user.bearer();
    let headers = [("authorization", bearer.as_str())];
    let replies = futures::future::join_all((0..8).map(|_| app.request("GET", "/me", &headers, b""))).await;
    for reply in &replies {
        assert!(reply.status == 200 || reply.status == 409, "status {}: {}", reply.status, String::from_utf8_lossy(&reply.body));
        if reply.status == 409 {
            assert_eq!(reply.json()["error"]["code"], "CONFLICT");
            assert!(reply.headers.contains_key("retry-after"));
        }
    }
    assert!(replies.iter().any(|r| r.status == 200));
    assert_eq!(count(&app, "SELECT count(*) FROM server_wallets").await, 1);
    assert_eq!(count(&app, "SELECT count(*) FROM users").await, 1);
    assert_eq!(signer.proxy.requests(), 1);
}

/// A racing reservation that the call sees in flight, and that sees the call's in flight too, as
/// when two inserts land together: each then waits for the other at commit (the constraint is
/// deferred), a deadlock that CI hit. The transaction here plays that racer: it inserts, lets the
/// call reach Postgres, inserts again (now seeing the call's row if it was written) and commits.
/// The call must wait and be refused (409). A reservation whose creator died is then taken over.
#[tokio::test]
async fn a_reservation_in_flight_is_waited_for_and_a_dead_one_taken_over() {
    let (app, signer) = TestApp::with_signer(&[]).await.unwrap();
    let user = TestUser::new();
    let user_id: String = app
        .db
        .query_one("INSERT INTO users (dynamic_user_id) VALUES ($1) RETURNING id", &[&user.sub])
        .await
        .unwrap()
        .get(0);
    let mut other = mirror_e2e::connect(&app.variables["database_url"]).await.unwrap();
    let in_flight = other.transaction().await.unwrap();
    in_flight
        .execute("INSERT INTO server_wallets (user_id, status) VALUES ($1, 'CREATING')", &[&user_id])
        .await
        .unwrap();
    let bearer = user.bearer();
    let headers = [("authorization", bearer.as_str())];
    let call = app.request("GET", "/me", &headers, b"");
    let commit_once_blocked = async {
        while count(&app, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").await == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        in_flight.execute("DELETE FROM server_wallets WHERE user_id = $1", &[&user_id]).await?;
        in_flight
            .execute("INSERT INTO server_wallets (user_id, status) VALUES ($1, 'CREATING')", &[&user_id])
            .await?;
        in_flight.commit().await
    };
    let (reply, committed) = tokio::join!(call, commit_once_blocked);
    committed.expect("the in-flight reservation commits");
    assert_eq!(reply.status, 409, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.json()["error"]["code"], "CONFLICT");
    assert_eq!(count(&app, "SELECT count(*) FROM server_wallets").await, 1);
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
            "INSERT INTO wallets (user_id, type, address) VALUES ($1, 'PROXY', '0x00000000000000000000000000000000000000bb')",
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
    let transfer = app.db.query_one("SELECT kind, status, to_address FROM relayer_txs", &[]).await.unwrap();
    assert_eq!(
        (transfer.get::<_, String>(0), transfer.get::<_, String>(1), transfer.get::<_, String>(2)),
        ("OWNERSHIP_TRANSFER".into(), "PENDING".into(), "0x00000000000000000000000000000000000000bb".into())
    );

    let reply = app.post_admin(&format!("/admin/server-wallets/{user_id}/revoke")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(count(&app, "SELECT count(*) FROM server_wallets WHERE status = 'FAILED'").await, 1);
    assert_eq!(count(&app, "SELECT count(*) FROM copy_profiles WHERE status = 'PAUSED'").await, 1);
    assert_eq!(count(&app, "SELECT count(*) FROM audit_logs WHERE action = 'SERVER_WALLET_REVOKED'").await, 1);
    assert_eq!(app.post_admin(&format!("/admin/server-wallets/{user_id}/revoke")).await.status, 404);
}
