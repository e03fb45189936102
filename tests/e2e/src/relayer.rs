//! A relayer rig: anvil (the chain), the fault proxy in front of it (the app's RPC), the
//! counter contract at a fixed address, a funded relayer key, and the app wired to them.

use alloy_primitives::{Address, U256};
use anyhow::Result;
use k256::ecdsa::SigningKey;
use mirror_fakes::{counter_contract, Anvil, FaultProxy};
use serde_json::{json, Value};

use crate::{Reply, TestApp};

/// Where the counter contract lives on the rig's chain.
pub const TARGET: Address = Address::new([0x7a; 20]);

/// One POL in wei.
pub fn pol(tenths_of_milli: u64) -> U256 {
    U256::from(tenths_of_milli) * U256::from(100_000_000_000_000u64)
}

/// A relayer key and its address.
#[derive(Clone, Debug)]
pub struct Key {
    pub hex: String,
    pub address: Address,
}

impl Key {
    pub fn random() -> Key {
        let hex = format!("0x{}", crate::signing::random_hex(32));
        let secret = alloy_primitives::hex::decode(&hex[2..]).expect("hex");
        let key = SigningKey::from_slice(&secret).expect("a random 32-byte key");
        Key { hex, address: Address::from_private_key(&key) }
    }

    pub fn signing_key(&self) -> SigningKey {
        SigningKey::from_slice(&alloy_primitives::hex::decode(&self.hex[2..]).expect("hex")).expect("key")
    }
}

pub struct RelayerRig {
    pub anvil: Anvil,
    pub proxy: FaultProxy,
    pub app: TestApp,
    pub key: Key,
}

impl RelayerRig {
    /// anvil with `anvil_args`, the relayer key funded with 10 POL, the app with `overrides`.
    pub async fn start(anvil_args: &[&str], overrides: &[(&str, &str)]) -> Result<RelayerRig> {
        Self::start_with_key(anvil_args, overrides, Key::random()).await
    }

    pub async fn start_with_key(anvil_args: &[&str], overrides: &[(&str, &str)], key: Key) -> Result<RelayerRig> {
        Self::start_with(anvil_args, overrides, key, std::time::Duration::from_secs(30)).await
    }

    /// As `start_with_key`, with the host killing any invocation past `invocation_timeout`.
    pub async fn start_with(
        anvil_args: &[&str],
        overrides: &[(&str, &str)],
        key: Key,
        invocation_timeout: std::time::Duration,
    ) -> Result<RelayerRig> {
        let anvil = Anvil::start(anvil_args).await;
        anvil.set_code(TARGET, &counter_contract()).await;
        anvil.set_balance(key.address, pol(100_000)).await;
        let proxy = FaultProxy::start(&anvil.url()).await;
        let mut variables: Vec<(String, String)> = vec![
            ("polygon_rpc_url".into(), proxy.url()),
            ("polygon_rpc_host".into(), proxy.url()),
            ("relayer_private_key".into(), key.hex.clone()),
            ("relayer_min_priority_fee_gwei".into(), "1".into()),
            ("relayer_retry_ms".into(), "100".into()),
        ];
        variables.extend(overrides.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let borrowed: Vec<(&str, &str)> = variables.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let app = TestApp::with_options(&borrowed, invocation_timeout).await?;
        Ok(RelayerRig { anvil, proxy, app, key })
    }

    /// `POST /admin/relayer/transactions`.
    pub async fn submit(&self, idempotency_key: &str, to: Address, data: &str) -> Reply {
        let body = json!({ "to": to.to_string(), "data": data, "idempotencyKey": idempotency_key });
        self.admin("POST", "/admin/relayer/transactions", &body.to_string()).await
    }

    /// A call to the counter; its row's id.
    pub async fn submit_count(&self, idempotency_key: &str) -> String {
        let reply = self.submit(idempotency_key, TARGET, "0x").await;
        assert_eq!(reply.status, 201, "{}", String::from_utf8_lossy(&reply.body));
        reply.json()["id"].as_str().expect("id").to_string()
    }

    pub async fn admin(&self, method: &str, path: &str, body: &str) -> Reply {
        let auth = format!("Bearer {}", self.app.admin_token);
        let headers = [("authorization", auth.as_str()), ("content-type", "application/json")];
        self.app.request(method, path, &headers, body.as_bytes()).await
    }

    /// One relayer tick over HTTP (on the host and on Spin alike); its report.
    pub async fn tick(&self) -> Value {
        let reply = self.app.post_admin("/internal/workers/relayer").await;
        assert_eq!(reply.status, 200, "tick: {}", String::from_utf8_lossy(&reply.body));
        reply.json()["result"].clone()
    }

    /// Ticks until no row is PENDING or SUBMITTED (at most `ticks` times).
    pub async fn settle(&self, ticks: usize) {
        for _ in 0..ticks {
            if self.open_rows().await == 0 {
                return;
            }
            self.tick().await;
        }
        panic!("rows still open after {ticks} ticks: {:?}", self.statuses().await);
    }

    pub async fn open_rows(&self) -> i64 {
        self.count("SELECT count(*) FROM relayer_txs WHERE status IN ('PENDING', 'SUBMITTED')").await
    }

    pub async fn count(&self, sql: &str) -> i64 {
        self.app.db.query_one(sql, &[]).await.expect(sql).get(0)
    }

    pub async fn statuses(&self) -> Vec<(String, String, Option<String>)> {
        let rows = self
            .app
            .db
            .query("SELECT kind, status, error_reason FROM relayer_txs ORDER BY created_at", &[])
            .await
            .expect("statuses");
        rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect()
    }

    /// The row's columns as text (NULL as `None`).
    pub async fn row(&self, id: &str) -> Value {
        let row = self
            .app
            .db
            .query_one("SELECT to_jsonb(t)::text FROM relayer_txs t WHERE id = $1", &[&id])
            .await
            .expect("relayer row");
        serde_json::from_str(row.get::<_, &str>(0)).expect("row JSON")
    }

    /// Calls the counter has counted.
    pub async fn counted(&self) -> U256 {
        self.anvil.storage(TARGET, U256::ZERO).await
    }
}
