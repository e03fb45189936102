//! Every SQL statement in runbooks 000 and 001 (`docs/runbooks/`) runs, as pasted, against the
//! migrated schema — and the diagnostic queries find the rows they are meant to find. When the
//! originals sit beside the clone (`../shared/seeds/`), the repository's copies must match them.

use mirror_e2e::{repo_root, TestApp};

const RUNBOOKS: [(&str, &str); 2] = [("000", "000_7f81011a7ce55384.txt"), ("001", "001_eb442bde8eec3f93.txt")];

/// The statements of every ```sql block, comments dropped, in order.
fn extract(runbook: &str) -> Vec<String> {
    let mut statements = Vec::new();
    for block in runbook.split("```sql\n").skip(1) {
        let body = block.split("```").next().unwrap_or_default();
        let code: Vec<&str> = body.lines().filter(|l| !l.trim_start().starts_with("--")).collect();
        for statement in code.join("\n").split(';') {
            let lines: Vec<&str> = statement.trim().lines().map(str::trim_end).collect();
            let text = lines.join("\n");
            if !text.is_empty() {
                statements.push(text);
            }
        }
    }
    statements
}

fn runbook(file: &str) -> String {
    std::fs::read_to_string(repo_root().join("docs/runbooks").join(file)).expect("docs/runbooks")
}

/// The SQL of runbook `id`, in order.
fn statements(id: &str) -> Vec<String> {
    let (_, file) = RUNBOOKS.iter().find(|(i, _)| *i == id).expect("a runbook id");
    extract(&runbook(file))
}

#[test]
fn the_repositorys_runbooks_are_the_originals() {
    let seeds = repo_root().join("../shared/seeds");
    if !seeds.is_dir() {
        eprintln!("the original runbooks are not beside the clone: the repository's copies are used as they are");
        return;
    }
    for entry in std::fs::read_dir(repo_root().join("docs/runbooks")).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.ends_with(".txt") {
            let original = std::fs::read_to_string(seeds.join(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(runbook(&name), original, "docs/runbooks/{name} differs from ../shared/seeds/{name}");
        }
    }
}

#[test]
fn the_runbooks_hold_the_statements_this_suite_runs() {
    assert!(statements("000").len() > 20, "runbook 000's SQL blocks were found");
    assert!(!statements("001").is_empty());
}

/// Rows the runbooks' diagnostic queries should surface; ids are the runbooks' own placeholders
/// so the statements run exactly as written.
const FIXTURE: &str = "
INSERT INTO users (id, dynamic_user_id, email) VALUES
  ('USER_ID', 'dyn-1', 'ops@example.com'), ('u2', 'dyn-2', 'late@example.com');
INSERT INTO wallets (user_id, type, address, enc_priv_key) VALUES
  ('USER_ID', 'TRADING_EOA', '0x1111111111111111111111111111111111111111', NULL),
  ('u2', 'TRADING_EOA', '0x2222222222222222222222222222222222222222', 'v1:nonce:ciphertext');
INSERT INTO server_wallets (id, user_id, address, status) VALUES
  ('sw1', 'USER_ID', '0x3333333333333333333333333333333333333333', 'READY');
INSERT INTO audit_logs (user_id, action) VALUES
  ('USER_ID', 'MIGRATION_STARTED'), ('USER_ID', 'MIGRATION_COMPLETED'), ('u2', 'MIGRATION_STARTED'),
  ('USER_ID', 'SIGNING_REQUESTED'), ('USER_ID', 'SIGNING_FAILED');
INSERT INTO signing_requests (user_id, kind, purpose, payload_hash, status, updated_at) VALUES
  ('USER_ID', 'TYPED_DATA', 'ORDER', 'h1', 'SUCCEEDED', now() + interval '250 milliseconds'),
  ('USER_ID', 'TYPED_DATA', 'ORDER', 'h2', 'FAILED', now());
INSERT INTO copy_profiles (id, user_id, leader_address, sizing_mode, fixed_amount) VALUES
  ('cp1', 'USER_ID', '0x4444444444444444444444444444444444444444', 'FIXED_USD', 5000000);
INSERT INTO leader_events (id, leader_address, fill_key, transaction_hash, asset, condition_id, side, size, price, market_slug, source, traded_at) VALUES
  ('le1', '0x4444444444444444444444444444444444444444', 'fill-1', '0xabc', '123', '0xcond', 'BUY', 10, 0.55, 'will-it-rain', 'POLL', now());
INSERT INTO copy_attempts (user_id, copy_profile_id, leader_event_id) VALUES ('USER_ID', 'cp1', 'le1');
INSERT INTO safe_automations (id, user_id, safe_address, module_address) VALUES
  ('sa1', 'USER_ID', '0x5555555555555555555555555555555555555555', '0x6666666666666666666666666666666666666666');
INSERT INTO session_keys (id, safe_automation_id, address, enc_private_key, expires_at) VALUES
  ('SESSION_KEY_ID', 'sa1', '0x7777777777777777777777777777777777777777', '\\x00', now() + interval '7 days'),
  ('sk-expired', 'sa1', '0x8888888888888888888888888888888888888888', '\\x00', now() - interval '1 hour');
INSERT INTO module_txs (safe_automation_id, session_key_id, idempotency_key, to_address, status, error_reason, created_at) VALUES
  ('sa1', 'SESSION_KEY_ID', 'k1', '0x9999999999999999999999999999999999999999', 'PENDING', NULL, now() - interval '40 minutes'),
  ('sa1', 'SESSION_KEY_ID', 'k2', '0x9999999999999999999999999999999999999999', 'FAILED', 'execution reverted', now()),
  ('sa1', 'SESSION_KEY_ID', 'k3', '0x9999999999999999999999999999999999999999', 'BLOCKED', 'MaxNotionalPerTradeExceeded', now());
INSERT INTO withdrawal_allowlists (safe_automation_id, address, label) VALUES
  ('sa1', '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'cold wallet');
";

/// Statements whose result a runbook reader relies on, with the row count the fixture implies.
fn expected_rows(statement: &str) -> Option<usize> {
    let cases: [(&str, usize); 10] = [
        ("FROM users u\nLEFT JOIN server_wallets sw", 2),
        ("SELECT COUNT(*) FROM wallets WHERE enc_priv_key IS NOT NULL", 1),
        ("WHERE action = 'MIGRATION_STARTED'", 1),
        ("WHERE bp.id IS NULL", 1),
        ("WHERE sk.status = 'ACTIVE'", 2),
        ("WHERE status = 'ACTIVE' AND expires_at < NOW()", 1),
        ("WHERE mt.status = 'FAILED'", 1),
        ("WHERE mt.status = 'BLOCKED'", 1),
        ("FROM withdrawal_allowlists wa", 1),
        ("JOIN leader_events le ON ca.leader_event_id = le.id", 1),
    ];
    cases.iter().find(|(needle, _)| statement.contains(needle)).map(|(_, n)| *n)
}

#[tokio::test]
async fn every_runbook_statement_runs_against_the_schema() {
    let app = TestApp::start().await.unwrap();
    app.db.batch_execute(FIXTURE).await.expect("fixture matches the schema");
    let mut checked = 0;
    for (id, _) in RUNBOOKS {
        for statement in statements(id) {
            // Each statement in its own rolled-back transaction, so UPDATEs don't change what
            // later queries see.
            app.db.batch_execute("BEGIN").await.unwrap();
            let rows = app
                .db
                .query(statement.as_str(), &[])
                .await
                .unwrap_or_else(|e| panic!("runbook {id} statement failed: {e}\n{statement}"));
            app.db.batch_execute("ROLLBACK").await.unwrap();
            if let Some(expected) = expected_rows(&statement) {
                assert_eq!(rows.len(), expected, "runbook {id}:\n{statement}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 10 + 1, "every expectation matched a statement (001 repeats one)");
}

#[tokio::test]
async fn runbook_updates_change_what_they_say() {
    let app = TestApp::start().await.unwrap();
    app.db.batch_execute(FIXTURE).await.unwrap();
    let paused =
        app.db.execute("UPDATE copy_profiles SET status = 'PAUSED' WHERE status = 'ENABLED'", &[]).await.unwrap();
    assert_eq!(paused, 1);
    let revoked = app
        .db
        .execute("UPDATE session_keys SET status = 'REVOKED', revoked_at = NOW() WHERE id = 'SESSION_KEY_ID'", &[])
        .await
        .unwrap();
    assert_eq!(revoked, 1);
    let stuck = app
        .db
        .execute(
            "UPDATE module_txs SET status = 'FAILED', error_reason = 'Manual: nonce stuck' WHERE status = 'PENDING' AND created_at < NOW() - INTERVAL '30 minutes'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(stuck, 1);
    let bad = app.db.execute("UPDATE copy_profiles SET status = 'PAUZED'", &[]).await;
    assert!(bad.is_err(), "statuses are constrained");
}

/// Runbook 000's Phase 2B statements (every one on a Phase 2B table), the placeholders filled in
/// as an operator would.
fn phase_2b(user: &str, key: &str) -> Vec<String> {
    let tables = ["session_keys", "module_txs", "withdrawal_allowlists", "safe_automations"];
    statements("000")
        .into_iter()
        .filter(|s| tables.iter().any(|t| s.contains(t)))
        .map(|s| s.replace("'USER_ID'", &format!("'{user}'")).replace("'SESSION_KEY_ID'", &format!("'{key}'")))
        .collect()
}

alloy_sol_types::sol! {
    function redeemPositions(address collateralToken, bytes32 parentCollectionId, bytes32 conditionId, uint256[] indexSets);
}

/// After real flows on anvil — a withdrawal CONFIRMED, one BLOCKED by the module's per-trade
/// limit, a redeem FAILED in the CTF (no such condition), one left PENDING for 40 minutes, a key expired — every
/// Phase 2B query finds what it is for, and the manual fix for stuck rows is final.
#[tokio::test]
async fn the_phase_2b_queries_find_what_the_flows_left() {
    use alloy_primitives::Address;
    use mirror_e2e::module_exec::Automated;
    use serde_json::{json, Value};

    use alloy_sol_types::SolCall;
    let a = Automated::start(&[], std::time::Duration::from_secs(30), 300_000_000).await;
    let key = a.key(Value::Null).await;
    let expiring = a.key(json!({ "ttlSeconds": 300 })).await;
    let confirmed = a.queue("sql-ok", a.recipient, 1_000_000, Some(&key)).await;
    let blocked = a.queue("sql-blocked", a.recipient, 200_000_000, Some(&key)).await;
    let redeem = redeemPositionsCall {
        collateralToken: a.rig.contracts.collateral,
        parentCollectionId: Default::default(),
        conditionId: alloy_primitives::B256::repeat_byte(0xc0),
        indexSets: vec![alloy_primitives::U256::from(1), alloy_primitives::U256::from(2)],
    };
    let body = json!({
        "userId": a.follower.user_id, "to": a.rig.contracts.ctf, "sessionKeyId": key, "idempotencyKey": "sql-failed",
        "data": format!("0x{}", alloy_primitives::hex::encode(redeem.abi_encode())),
    });
    let reply = a.queue_raw(&body).await;
    assert_eq!(reply.status, 201);
    let failed = reply.json()["moduleTx"]["id"].as_str().unwrap().to_string();
    a.settle_all().await;
    let db = &a.rig.stack.app.db;
    let status = |id: String| async move {
        let row = db.query_one("SELECT status FROM module_txs WHERE id = $1", &[&id]).await.unwrap();
        row.get::<_, String>(0)
    };
    assert_eq!(status(confirmed).await, "CONFIRMED");
    assert_eq!(status(blocked).await, "BLOCKED");
    assert_eq!(status(failed).await, "FAILED", "the CTF has no such condition to redeem");
    let stuck = a.queue("sql-stuck", Address::repeat_byte(0x5e), 1, Some(&key)).await;
    db.execute("UPDATE module_txs SET created_at = now() - interval '40 minutes' WHERE id = $1", &[&stuck])
        .await
        .unwrap();
    db.execute("UPDATE session_keys SET expires_at = now() - interval '1 second' WHERE id = $1", &[&expiring])
        .await
        .unwrap();

    let user = a.follower.user_id.clone();
    let queries = phase_2b(&user, &key);
    let rows = |needle: &str| {
        let statement = queries.iter().find(|s| s.contains(needle)).unwrap_or_else(|| panic!("{needle}")).clone();
        async move { db.query(statement.as_str(), &[]).await.unwrap_or_else(|e| panic!("{statement}: {e}")) }
    };
    assert_eq!(rows("WHERE status = 'ACTIVE' AND expires_at < NOW()").await.len(), 1, "before a worker pass");
    assert_eq!(rows("WHERE sk.status = 'ACTIVE'").await.len(), 2);
    assert_eq!(rows("SELECT COUNT(*) FROM module_txs WHERE status = 'PENDING'").await[0].get::<_, i64>(0), 1);
    assert_eq!(rows("AND created_at < NOW() - INTERVAL '5 minutes'").await.len(), 1, "the stale pending row");
    let failures = rows("WHERE mt.status = 'FAILED'").await;
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].get::<_, String>("email"), format!("{}@example.com", a.follower.user.sub));
    let refused = rows("WHERE mt.status = 'BLOCKED'").await;
    assert_eq!(refused.len(), 1);
    assert!(refused[0].get::<_, String>("error_reason").starts_with("TradeNotionalExceeded"));
    let allowlist = rows("FROM withdrawal_allowlists wa").await;
    assert_eq!((allowlist.len(), allowlist[0].get::<_, String>("address")), (1, format!("{:#x}", a.recipient)));
    assert_eq!(rows("WHERE session_key_id =").await.len(), 4, "the key's history, for review");

    // "Module Stuck Transactions" step 4, pasted: the row is FAILED for good.
    let fix = queries.iter().find(|s| s.starts_with("UPDATE module_txs")).unwrap();
    assert_eq!(db.execute(fix.as_str(), &[]).await.unwrap(), 1);
    a.exec_tick().await;
    assert_eq!(rows("WHERE status = 'ACTIVE' AND expires_at < NOW()").await.len(), 0, "after a pass");
    assert_eq!(rows("WHERE sk.status = 'ACTIVE'").await.len(), 1);
    let row = db
        .query_one("SELECT status, error_reason, relayer_tx_id FROM module_txs WHERE id = $1", &[&stuck])
        .await
        .unwrap();
    assert_eq!(
        (row.get::<_, String>(0), row.get::<_, String>(1), row.get::<_, Option<String>>(2)),
        ("FAILED".into(), "Manual: nonce stuck".into(), None),
        "never resurrected, nothing relayed"
    );
    // "Session Key Compromise" step 2, pasted: nothing is queued under the key any more.
    let revoke = queries.iter().find(|s| s.starts_with("UPDATE session_keys")).unwrap();
    assert_eq!(db.execute(revoke.as_str(), &[]).await.unwrap(), 1);
    assert_eq!(rows("WHERE sk.status = 'ACTIVE'").await.len(), 0);
}
