//! No private key, signer token, admin token, encryption key, webhook secret, CLOB API secret
//! or JWT reaches a log line or a response: the app runs as the `mirror-host` binary (as `make run` runs it), a whole session
//! is driven over HTTP, and everything it printed and answered is scanned.

use std::process::Command;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use mirror_core::signing::local_key::LocalKey;
use mirror_e2e::copy::{webhook_signature, CONDITION, TOKEN, USD};
use mirror_e2e::relayer::{pol, Key};
use mirror_e2e::signing::{random_hex, unix_now, TestUser};
use mirror_e2e::{repo_root, TestApp};
use mirror_fakes::polymarket::{BalanceAsset, FakePolymarket, FakePolymarketConfig};
use mirror_fakes::{FakeService, Kind};
use serde_json::json;

fn host_binary() -> std::path::PathBuf {
    std::env::var_os("MIRROR_HOST_BIN").map(Into::into).unwrap_or_else(|| repo_root().join("target/debug/mirror-host"))
}

struct Session {
    base: String,
    client: Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    answers: Vec<String>,
}

impl Session {
    async fn deliver(&mut self, body: &str, timestamp: &str, signature: &str) -> (u16, serde_json::Value) {
        let request = http::Request::builder()
            .method("POST")
            .uri(format!("{}/webhooks/leader-trades", self.base))
            .header("x-mirror-timestamp", timestamp)
            .header("x-mirror-signature", signature)
            .body(Full::new(Bytes::from(body.to_string())))
            .unwrap();
        let response = self.client.request(request).await.unwrap();
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).to_string();
        self.answers.push(text.clone());
        (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
    }

    async fn call(&mut self, method: &str, path: &str, auth: Option<&str>, body: &str) -> (u16, serde_json::Value) {
        let mut request = http::Request::builder().method(method).uri(format!("{}{path}", self.base));
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        let response =
            self.client.request(request.body(Full::new(Bytes::from(body.to_string()))).unwrap()).await.unwrap();
        let status = response.status().as_u16();
        let headers = format!("{:?}", response.headers());
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).to_string();
        self.answers.push(format!("{headers}\n{text}"));
        (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
    }
}

/// `mirror-host up` on spin.toml with the app's variables, logging at debug level.
struct HostProcess {
    child: std::process::Child,
    log_path: std::path::PathBuf,
}

impl HostProcess {
    /// Stops it and returns everything it logged.
    fn stop(&mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let logs = std::fs::read_to_string(&self.log_path).unwrap();
        let _ = std::fs::remove_file(&self.log_path);
        logs
    }
}

async fn start_host_binary(app: &TestApp) -> (String, HostProcess) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let log_path = std::env::temp_dir().join(format!("mirror-secrets-{}.log", random_hex(6)));
    let log = std::fs::File::create(&log_path).unwrap();
    let mut command = Command::new(host_binary());
    command
        .args([
            "up",
            "--manifest",
            repo_root().join("spin.toml").to_str().unwrap(),
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .env("RUST_LOG", "debug,wasmtime=warn,cranelift=warn")
        .stdout(log.try_clone().unwrap())
        .stderr(log);
    for (name, value) in &app.variables {
        command.env(format!("SPIN_VARIABLE_{}", name.to_uppercase()), value);
    }
    let child = command.spawn().unwrap_or_else(|e| panic!("start mirror-host ({e}): `make test` builds it"));
    for _ in 0..400 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    (format!("http://127.0.0.1:{port}"), HostProcess { child, log_path })
}

#[tokio::test]
async fn secrets_never_reach_logs_or_responses() {
    let legacy_secret = [0x5au8; 32];
    // The binary fires the health-check cron on its schedule: give it healthy services to probe,
    // so a tick landing mid-session cannot mark Dynamic down and fail the signing calls.
    let dynamic = FakeService::start(Kind::Dynamic).await;
    let polymarket = FakePolymarket::start(FakePolymarketConfig::default()).await;
    polymarket.add_market(TOKEN, "0.01", false, "5", &[("0.50", "10000")], &[("0.52", "10000")]);
    // The chain the health check probes and the relayer sends on, with the relayer's keys funded.
    let chain = mirror_fakes::Anvil::start(&[]).await;
    let (relayer, retiring) = (Key::random(), Key::random());
    for key in [&relayer, &retiring] {
        chain.set_balance(key.address, pol(100_000)).await;
    }
    let rpc = chain.url();
    let (app, signer) = TestApp::with_signer(&[
        ("dynamic_api_url", &dynamic.url()),
        ("polymarket_clob_url", &polymarket.clob_url()),
        ("polymarket_data_url", &polymarket.data_url()),
        ("copy_execution_mode", "LIVE"),
        ("polygon_rpc_url", &rpc),
        ("polygon_rpc_host", &rpc),
        ("relayer_private_key", &relayer.hex),
        ("relayer_retiring_private_keys", &retiring.hex),
        ("relayer_min_priority_fee_gwei", "1"),
    ])
    .await
    .unwrap();
    let encryption_key = app.variables["trading_key_encryption_key"].clone();

    // On the host the app runs as the `mirror-host` binary, as `make run` runs it without Spin;
    // under `MIRROR_E2E_ON=spin*` it is already served by `spin up`, whose own output and
    // component logs are scanned instead.
    let (base, mut host) = match app.spin() {
        Some(spin) => (spin.base_url.clone(), None),
        None => {
            let (base, host) = start_host_binary(&app).await;
            (base, Some(host))
        }
    };
    let mut session = Session { base, client: Client::builder(TokioExecutor::new()).build_http(), answers: Vec::new() };
    let admin = format!("Bearer {}", app.admin_token);
    let user = TestUser::new();
    let jwt = user.bearer();
    let (status, me) = session.call("GET", "/me", Some(&jwt), "").await;
    assert_eq!(status, 200, "{me}");
    let wallet = me["serverWallet"]["address"].as_str().unwrap().to_string();
    let issued = unix_now() * 1000;
    let message = format!(
        "Mirror binding proof\nI authorize Mirror server wallet {} to trade on my behalf.\nNonce: nonce-secrets-0123456789\nIssued at: {issued}",
        wallet.parse::<alloy_primitives::Address>().unwrap().to_checksum(None)
    );
    let proof = json!({ "serverWalletAddress": wallet, "nonce": "nonce-secrets-0123456789", "issuedAt": issued,
                        "signature": user.sign_personal(message.as_bytes()) });
    assert_eq!(session.call("POST", "/binding-proofs", Some(&jwt), &proof.to_string()).await.0, 201);
    session.call("POST", "/binding-proofs", Some(&jwt), &proof.to_string()).await;
    session.call("GET", "/me", Some("Bearer not.a.jwt"), "").await;

    // A Phase 1 user whose trading key the test knows, signing locally.
    let legacy_id: String = app
        .db
        .query_one("INSERT INTO users (dynamic_user_id) VALUES ('legacy-user') RETURNING id", &[])
        .await
        .unwrap()
        .get(0);
    let sealed = LocalKey::encrypt(&legacy_secret, &encryption_key, [3u8; 12]).unwrap();
    let address = LocalKey::from_secret(&legacy_secret).unwrap().address().to_checksum(None);
    app.db
        .execute(
            "INSERT INTO wallets (user_id, type, address, enc_priv_key) VALUES ($1, 'TRADING_EOA', $2, $3)",
            &[&legacy_id, &address, &sealed],
        )
        .await
        .unwrap();
    let server_user: String = app.db.query_one("SELECT user_id FROM server_wallets", &[]).await.unwrap().get(0);
    for (user_id, kind) in [
        (&server_user, "MESSAGE"),
        (&server_user, "TYPED_DATA"),
        (&server_user, "TRANSACTION"),
        (&legacy_id, "MESSAGE"),
        (&legacy_id, "TRANSACTION"),
    ] {
        let (status, body) = session
            .call("POST", "/admin/signing/check", Some(&admin), &json!({ "userId": user_id, "kind": kind }).to_string())
            .await;
        assert_eq!(status, 200, "{body}");
    }
    session.call("POST", "/admin/signing/check", Some("Bearer wrong-token"), "{}").await;

    // Copy trading: a follow, a pushed leader fill copied through the CLOB (an API key derived
    // and used), a manual order, a forged webhook.
    polymarket.set_balance(wallet.parse().unwrap(), BalanceAsset::Collateral, 1_000 * USD);
    let leader = format!("0x{}", random_hex(20));
    let follow = json!({ "leaderAddress": leader, "sizingMode": "FIXED_USD", "fixedAmountUsd": "10" });
    assert_eq!(session.call("POST", "/copy-profiles", Some(&jwt), &follow.to_string()).await.0, 201);
    let webhook_secret = app.variables["leader_webhook_secret"].clone();
    let fill = json!({ "trades": [{ "proxyWallet": leader, "side": "BUY", "asset": TOKEN, "conditionId": CONDITION,
        "size": 20, "price": 0.52, "timestamp": unix_now(), "outcomeIndex": 0,
        "transactionHash": format!("0x{}", random_hex(32)) }] })
    .to_string();
    let timestamp = unix_now().to_string();
    let signature = webhook_signature(&webhook_secret, &timestamp, fill.as_bytes());
    let (status, delivered) = session.deliver(&fill, &timestamp, &signature).await;
    assert_eq!(status, 200, "{delivered}");
    session.deliver(&fill, &timestamp, "sha256=00").await;
    let order = json!({ "tokenId": TOKEN, "side": "BUY", "price": "0.52", "size": "10" });
    let (status, placed) = session.call("POST", "/orders", Some(&jwt), &order.to_string()).await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(polymarket.accepted_orders().len(), 2, "the copy and the manual order reached the CLOB");
    session.call("POST", "/admin/signing/check", Some(&admin), "{\"userId\":").await;
    signer.proxy.set(mirror_fakes::Behaviour::Status(500));
    session
        .call(
            "POST",
            "/admin/signing/check",
            Some(&admin),
            &json!({ "userId": server_user, "kind": "MESSAGE" }).to_string(),
        )
        .await;
    session.call("POST", "/internal/workers/health-check", Some(&admin), "").await;

    // The relayer: a transaction sent and confirmed with its key, a retry refused, the lists.
    let manual = json!({ "to": relayer.address.to_string(), "idempotencyKey": "secrets" }).to_string();
    assert_eq!(session.call("POST", "/admin/relayer/transactions", Some(&admin), &manual).await.0, 201);
    for _ in 0..2 {
        assert_eq!(session.call("POST", "/internal/workers/relayer", Some(&admin), "").await.0, 200);
    }
    session.call("POST", "/admin/retry-relayer", Some(&admin), r#"{"txId": "nope"}"#).await;
    let (_, listed) = session.call("GET", "/admin/relayer/transactions", Some(&admin), "").await;
    assert_eq!(listed["transactions"][0]["status"], "CONFIRMED", "{listed}");
    session.call("GET", "/admin/dead-letters", Some(&admin), "").await;
    session.call("GET", "/health", None, "").await;
    session.call("GET", "/system/status", None, "").await;

    let logs = match (&mut host, app.spin()) {
        (Some(host), _) => host.stop(),
        (None, Some(spin)) => spin.output_text(),
        (None, None) => unreachable!("the app runs on the host binary or on Spin"),
    };
    // The host logs every invocation, Spin lists its routes: either shows the capture worked.
    assert!(logs.contains("/admin/signing/check"), "the app's logs were captured:\n{logs}");

    let jwt_token = jwt.trim_start_matches("Bearer ").to_string();
    let secrets = [
        ("admin token", app.admin_token.clone()),
        ("signer token", signer.token.clone()),
        ("signer local key", signer.local_key_hex.clone()),
        ("trading key encryption key", encryption_key.clone()),
        ("legacy private key", alloy_primitives::hex::encode(legacy_secret)),
        ("end-user JWT", jwt_token.clone()),
        ("webhook secret", webhook_secret.clone()),
        ("JWT signature", jwt_token.rsplit('.').next().unwrap().to_string()),
        ("relayer key", relayer.hex[2..].to_string()),
        ("retiring relayer key", retiring.hex[2..].to_string()),
    ];
    let mut secrets = secrets.to_vec();
    for (_, credentials) in polymarket.api_keys() {
        secrets.push(("CLOB API secret", credentials.secret));
        secrets.push(("CLOB API passphrase", credentials.passphrase));
    }
    assert!(secrets.len() > 10, "the session derived a CLOB API key");
    let answers = session.answers.join("\n");
    for (what, secret) in secrets {
        assert!(!logs.contains(&secret), "{what} appears in the logs");
        assert!(!answers.contains(&secret), "{what} appears in a response");
    }
}

/// Phase 2B: session keys generated, registered, used to authorize a withdrawal that confirms,
/// listed and revoked, all through the served app; no session key's private half (opened here
/// from the database with the encryption key) appears in what the app printed or answered.
#[tokio::test]
async fn session_keys_never_reach_logs_or_responses() {
    use mirror_e2e::module_exec::{withdrawal, Automated};

    let a = Automated::start(&[], Duration::from_secs(30), 100_000_000).await;
    a.key(serde_json::Value::Null).await;
    let app = &a.rig.stack.app;
    let (base, mut host) = match app.spin() {
        Some(spin) => (spin.base_url.clone(), None),
        None => {
            let (base, host) = start_host_binary(app).await;
            (base, Some(host))
        }
    };
    let mut session = Session { base, client: Client::builder(TokioExecutor::new()).build_http(), answers: Vec::new() };
    let admin = format!("Bearer {}", app.admin_token);
    let jwt = a.follower.user.bearer();
    let tick = async |session: &mut Session| {
        for worker in ["relayer", "module-exec"] {
            let (status, body) = session.call("POST", &format!("/internal/workers/{worker}"), Some(&admin), "").await;
            assert_eq!(status, 200, "{worker}: {body}");
        }
    };

    let (status, registered) = session.call("POST", "/safe-automation/session-keys", Some(&jwt), "").await;
    assert_eq!(status, 202, "{registered}");
    let mut active = false;
    for _ in 0..10 {
        tick(&mut session).await;
        let (_, keys) = session.call("GET", "/safe-automation/session-keys", Some(&jwt), "").await;
        if keys["sessionKeys"].as_array().unwrap().iter().any(|k| k["status"] == "ACTIVE") {
            active = true;
            break;
        }
    }
    assert!(active, "the key was registered on chain");
    let queued = json!({
        "userId": a.follower.user_id, "to": a.rig.contracts.collateral, "data": withdrawal(a.recipient, 3),
        "idempotencyKey": "secrets-withdrawal",
    });
    assert_eq!(session.call("POST", "/admin/module-txs", Some(&admin), &queued.to_string()).await.0, 201);
    let mut confirmed = false;
    for _ in 0..10 {
        tick(&mut session).await;
        let (_, listed) = session.call("GET", "/admin/module-txs", Some(&admin), "").await;
        if listed["moduleTxs"][0]["status"] == "CONFIRMED" {
            confirmed = true;
            break;
        }
    }
    assert!(confirmed, "the withdrawal executed: {:?}", session.answers.last());
    let id = registered["sessionKey"]["id"].as_str().unwrap();
    session.call("DELETE", &format!("/safe-automation/session-keys/{id}"), Some(&jwt), "").await;
    session.call("GET", "/safe-automation", Some(&jwt), "").await;
    session.call("GET", "/system/status", None, "").await;

    let logs = match (&mut host, app.spin()) {
        (Some(host), _) => host.stop(),
        (None, Some(spin)) => spin.output_text(),
        (None, None) => unreachable!("the app runs on the host binary or on Spin"),
    };
    assert!(logs.contains("/internal/workers/module-exec"), "the app's logs were captured:\n{logs}");
    let encryption_key = app.variables["trading_key_encryption_key"].clone();
    let rows = app.db.query("SELECT id, enc_private_key FROM session_keys", &[]).await.unwrap();
    assert_eq!(rows.len(), 2, "the rig's key and this session's");
    let mut secrets = vec![encryption_key.clone()];
    for row in rows {
        let opened = mirror_core::sealed::open(&encryption_key, row.get(0), row.get(1)).unwrap();
        secrets.push(alloy_primitives::hex::encode(opened));
    }
    let answers = session.answers.join("\n");
    for secret in secrets {
        assert!(!logs.to_lowercase().contains(&secret), "a session key or the encryption key appears in the logs");
        assert!(!answers.to_lowercase().contains(&secret), "a session key or the encryption key appears in a response");
    }
}
