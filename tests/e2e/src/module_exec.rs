//! Module transactions end to end: a follower's Safe 1.3.0 with the AutomationModule installed
//! by their authority, session keys registered, a withdrawal recipient allowlisted and pUSD in
//! the Safe; module transactions queued with `POST /admin/module-txs` and taken through the
//! module-exec and relayer ticks.

use alloy_primitives::{Address, U256};
use alloy_sol_types::{sol, SolCall};
use serde_json::{json, Value};

use crate::accounts::{call, AccountRig};
use crate::automation::{installed_with_authority, text, until_settled};
use crate::copy::Follower;
use crate::Reply;

sol! {
    function transfer(address to, uint256 amount) returns (bool);
    function balanceOf(address owner) returns (uint256);
}

/// A withdrawal of `units` of pUSD to `to` (what the module's allowlist admits).
pub fn withdrawal(to: Address, units: u64) -> String {
    format!("0x{}", alloy_primitives::hex::encode(transferCall { to, amount: U256::from(units) }.abi_encode()))
}

pub struct Automated {
    pub rig: AccountRig,
    pub follower: Follower,
    pub safe: Address,
    pub recipient: Address,
}

impl Automated {
    /// The module installed, `recipient` allowlisted, `funds` units of pUSD in the Safe.
    pub async fn start(extra: &[(&str, &str)], deadline: std::time::Duration, funds: u64) -> Automated {
        let rig = AccountRig::start_with_deadline(extra, deadline).await;
        let (follower, safe) = installed_with_authority(&rig).await;
        let recipient = Address::repeat_byte(0x5e);
        let reply = rig
            .stack
            .user_request(&follower, "POST", "/safe-automation/withdrawal-allowlist", &json!({ "address": recipient }))
            .await;
        assert_eq!(reply.status, 202, "{}", text(&reply));
        until_settled(&rig, &follower).await;
        let data = transferCall { to: safe, amount: U256::from(funds) }.abi_encode();
        let from = rig.chain.deployer();
        rig.chain
            .send(json!({ "from": from, "to": rig.contracts.collateral, "data": alloy_primitives::Bytes::from(data) }))
            .await;
        Automated { rig, follower, safe, recipient }
    }

    /// Registers a session key (limits in `body`) and waits until it is ACTIVE: its id.
    pub async fn key(&self, body: Value) -> String {
        let reply = self.rig.stack.user_request(&self.follower, "POST", "/safe-automation/session-keys", &body).await;
        assert_eq!(reply.status, 202, "{}", text(&reply));
        let id = reply.json()["sessionKey"]["id"].as_str().unwrap().to_string();
        until_settled(&self.rig, &self.follower).await;
        let status: String = self
            .rig
            .stack
            .app
            .db
            .query_one("SELECT status FROM session_keys WHERE id = $1", &[&id])
            .await
            .unwrap()
            .get(0);
        assert_eq!(status, "ACTIVE");
        id
    }

    /// `POST /admin/module-txs`.
    pub async fn queue_raw(&self, body: &Value) -> Reply {
        let auth = format!("Bearer {}", self.rig.stack.app.admin_token);
        let headers = [("authorization", auth.as_str()), ("content-type", "application/json")];
        self.rig.stack.app.request("POST", "/admin/module-txs", &headers, body.to_string().as_bytes()).await
    }

    /// Queues a withdrawal of `units` to `to` under `key`: the row's id.
    pub async fn queue(&self, idempotency_key: &str, to: Address, units: u64, session_key: Option<&str>) -> String {
        let mut body = json!({
            "userId": self.follower.user_id, "to": self.rig.contracts.collateral,
            "data": withdrawal(to, units), "idempotencyKey": idempotency_key,
        });
        if let Some(key) = session_key {
            body["sessionKeyId"] = json!(key);
        }
        let reply = self.queue_raw(&body).await;
        assert_eq!(reply.status, 201, "{}", text(&reply));
        reply.json()["moduleTx"]["id"].as_str().unwrap().to_string()
    }

    /// One module-exec tick over HTTP: its report.
    pub async fn exec_tick(&self) -> Value {
        let reply = self.rig.stack.app.post_admin("/internal/workers/module-exec").await;
        assert_eq!(reply.status, 200, "module-exec tick: {}", text(&reply));
        reply.json()["result"].clone()
    }

    /// Ticks module-exec and the relayer until no row is PENDING or SUBMITTED.
    pub async fn settle_all(&self) {
        for _ in 0..40 {
            self.exec_tick().await;
            if self.count("SELECT count(*) FROM module_txs WHERE status IN ('PENDING', 'SUBMITTED')").await == 0 {
                return;
            }
            self.rig.relayer_tick().await;
        }
        panic!("module transactions still open: {:?}", self.rows().await);
    }

    pub async fn count(&self, sql: &str) -> i64 {
        self.rig.stack.count(sql).await
    }

    /// Every module_txs row as JSON, oldest first.
    pub async fn rows(&self) -> Vec<Value> {
        let rows = self
            .rig
            .stack
            .app
            .db
            .query("SELECT (to_jsonb(mt) - 'data' - 'signature')::text FROM module_txs mt ORDER BY created_at, id", &[])
            .await
            .unwrap();
        rows.iter().map(|r| serde_json::from_str(r.get::<_, &str>(0)).unwrap()).collect()
    }

    pub async fn row(&self, id: &str) -> Value {
        self.rig
            .stack
            .app
            .db
            .query_one("SELECT (to_jsonb(mt) - 'data' - 'signature')::text FROM module_txs mt WHERE id = $1", &[&id])
            .await
            .map(|r| serde_json::from_str(r.get::<_, &str>(0)).unwrap())
            .unwrap()
    }

    /// pUSD units `owner` holds.
    pub async fn balance(&self, owner: Address) -> U256 {
        let bytes =
            call(&self.rig.chain, self.rig.contracts.collateral, balanceOfCall { owner }.abi_encode()).await.unwrap();
        balanceOfCall::abi_decode_returns(&bytes).unwrap()
    }
}
