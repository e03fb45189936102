//! The copy-trading stack: the app (LIVE unless told otherwise) with the real signer, a fake
//! Polymarket (CLOB + Data API) with one scripted market, a leader, and followers with server
//! wallets and collateral.

use std::time::Duration;

use alloy_primitives::{keccak256, Address};
use hmac::{Hmac, Mac};
use mirror_fakes::polymarket::{BalanceAsset, FakePolymarket, FakePolymarketConfig};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::signing::{random_hex, unix_now, SignerStack, TestUser};
use crate::{Reply, TestApp};

/// The scripted market's outcome token and condition.
pub const TOKEN: &str = "71321045679252212594626385532706912750332728571942532289631379312455583992563";
pub const CONDITION: &str = "0xc1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1";

/// One USD (or one share) in raw 6-decimal units.
pub const USD: u64 = 1_000_000;

pub struct CopyStack {
    pub app: TestApp,
    pub signer: SignerStack,
    pub polymarket: FakePolymarket,
    pub webhook_secret: String,
    /// The leader everyone follows (lower-case `0x…`).
    pub leader: String,
}

/// A follower: an end user whose trading authority is a server wallet.
pub struct Follower {
    pub user: TestUser,
    pub address: Address,
    pub user_id: String,
}

impl CopyStack {
    /// LIVE mode, a market at bid 0.50 / ask 0.52 (tick 0.01, minimum 5 shares).
    pub async fn start(overrides: &[(&str, &str)]) -> CopyStack {
        Self::start_with(overrides, FakePolymarketConfig::default(), Duration::from_secs(30)).await
    }

    pub async fn start_with(
        overrides: &[(&str, &str)],
        config: FakePolymarketConfig,
        invocation_timeout: Duration,
    ) -> CopyStack {
        let polymarket = FakePolymarket::start(config).await;
        polymarket.add_market(TOKEN, "0.01", false, "5", &[("0.50", "10000")], &[("0.52", "10000")]);
        let webhook_secret = random_hex(24);
        let (clob, data) = (polymarket.clob_url(), polymarket.data_url());
        let mut variables: Vec<(&str, &str)> = vec![
            ("polymarket_clob_url", &clob),
            ("polymarket_data_url", &data),
            ("copy_execution_mode", "LIVE"),
            ("leader_webhook_secret", &webhook_secret),
        ];
        variables.extend_from_slice(overrides);
        let (app, signer) = TestApp::with_signer_and_timeout(&variables, invocation_timeout).await.expect("app");
        let leader = format!("0x{}", random_hex(20));
        CopyStack { app, signer, polymarket, webhook_secret, leader }
    }

    /// A new user with a server wallet (created by `GET /me`) holding `collateral` raw units.
    pub async fn follower(&self, collateral: u64) -> Follower {
        let user = TestUser::new();
        let me = self.app.request("GET", "/me", &[("authorization", &user.bearer())], b"").await;
        assert_eq!(me.status, 200, "{}", String::from_utf8_lossy(&me.body));
        let me = me.json();
        let address: Address = me["tradingAuthority"]["address"].as_str().unwrap().parse().unwrap();
        self.polymarket.set_balance(address, BalanceAsset::Collateral, collateral);
        Follower { user, address, user_id: me["id"].as_str().unwrap().to_string() }
    }

    /// Follows the leader with `profile` (the `POST /copy-profiles` body without `leaderAddress`).
    pub async fn follow(&self, follower: &Follower, profile: Value) -> String {
        let mut body = profile;
        body["leaderAddress"] = json!(self.leader);
        let reply = self.user_request(follower, "POST", "/copy-profiles", &body).await;
        assert_eq!(reply.status, 201, "{}", String::from_utf8_lossy(&reply.body));
        reply.json()["id"].as_str().unwrap().to_string()
    }

    pub async fn user_request(&self, follower: &Follower, method: &str, path: &str, body: &Value) -> Reply {
        let bearer = follower.user.bearer();
        let bytes = if body.is_null() { Vec::new() } else { body.to_string().into_bytes() };
        self.app
            .request(method, path, &[("authorization", &bearer), ("content-type", "application/json")], &bytes)
            .await
    }

    /// A fill of the leader on the scripted market, as the Data API reports it, traded now.
    pub fn trade(&self, side: &str, size: &str, price: &str) -> Value {
        json!({
            "proxyWallet": self.leader, "side": side, "asset": TOKEN, "conditionId": CONDITION,
            "size": size.parse::<f64>().unwrap(), "price": price.parse::<f64>().unwrap(), "timestamp": unix_now(),
            "outcome": "Yes", "outcomeIndex": 0,
            "transactionHash": format!("{}", keccak256(random_hex(16).as_bytes())),
            "slug": "will-it-rain", "eventSlug": "weather"
        })
    }

    /// Delivers fills to `POST /webhooks/leader-trades`, signed as the sender signs them.
    pub async fn webhook(&self, trades: &[Value]) -> Reply {
        let body = json!({ "trades": trades }).to_string();
        let timestamp = unix_now().to_string();
        let signature = webhook_signature(&self.webhook_secret, &timestamp, body.as_bytes());
        self.app
            .request(
                "POST",
                "/webhooks/leader-trades",
                &[
                    ("x-mirror-timestamp", &timestamp),
                    ("x-mirror-signature", &signature),
                    ("content-type", "application/json"),
                ],
                body.as_bytes(),
            )
            .await
    }

    /// Fires the copy-trading worker once; panics if the tick failed.
    pub async fn tick(&self) -> crate::Counted {
        let (result, round_trips) = self.app.tick("copy-trading").await;
        result.expect("copy-trading tick");
        round_trips
    }

    /// A count from the app's database.
    pub async fn count(&self, sql: &str) -> i64 {
        self.app.db.query_one(sql, &[]).await.expect(sql).get(0)
    }

    /// Sets `exec_mode` exactly as the runbook's `redis-cli SET exec_mode ...` does.
    pub async fn set_exec_mode(&self, document: &str) {
        self.app.redis_set("exec_mode", document).await;
    }
}

/// `sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`.
pub fn webhook_signature(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", alloy_primitives::hex::encode(mac.finalize().into_bytes()))
}
