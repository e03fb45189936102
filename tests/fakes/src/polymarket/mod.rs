//! A fake Polymarket — the CLOB (V2) and the Data API, each on its own loopback port — that
//! verifies what the real one verifies: L1 EIP-712 and L2 HMAC authentication, order shape,
//! EIP-712 order signatures of every signature type (type 3 through ERC-1271 on a node),
//! tick-size and minimum-size rules, duplicates, balances. It shares no code with `mirror-core`:
//! it is the independent check of core's order code, anchored to vectors from the reference
//! TypeScript client.

mod api_keys;
mod balances;
mod data_api;
mod decimal;
mod endpoint;
mod l1_auth;
mod l2_auth;
mod market;
mod order;
mod order_routes;
mod placement;
mod public_routes;
mod signature;
mod state;
mod wallet_factories;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use alloy_primitives::{Address, B256};
use axum::routing::{get, post};
use axum::Router;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use endpoint::Endpoint;
pub use l1_auth::{clob_auth_hash, CLOB_AUTH_MESSAGE};
pub use l2_auth::l2_signature;
pub use order::{exchange_domain, order_hash, Order};
pub use wallet_factories::{proxy_of, safe_of};

use crate::json_rpc::JsonRpc;
use crate::Behaviour;
use state::{Shared, State};

#[derive(Clone, Debug)]
pub struct FakePolymarketConfig {
    pub chain_id: u64,
    /// A node for ERC-1271 checks of type-3 orders (and of contract addresses at L1); without
    /// one, type-3 orders are refused.
    pub rpc_url: Option<String>,
    /// What `GET /version` answers and which EIP-712 domain version orders must be signed for.
    pub exchange_version: u8,
    /// pUSD (raw 6-decimal units) held by every address no test set a balance for: the
    /// sandbox's followers can buy without a faucet. Zero by default.
    pub opening_collateral: u64,
    /// The Safe factory (address, init code hash) type-2 makers are derived with; Polygon's
    /// when `None`.
    pub safe_factory: Option<(Address, B256)>,
}

impl Default for FakePolymarketConfig {
    fn default() -> FakePolymarketConfig {
        FakePolymarketConfig {
            chain_id: 137,
            rpc_url: None,
            exchange_version: 2,
            opening_collateral: 0,
            safe_factory: None,
        }
    }
}

/// What a balance is of: pUSD, or one outcome token.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum BalanceAsset {
    Collateral,
    Conditional(String),
}

/// API credentials as the CLOB issues them (`apiKey`, `secret`, `passphrase` on the wire).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiCreds {
    pub api_key: String,
    pub secret: String,
    pub passphrase: String,
}

/// An order the fake took, with the request body it came in.
#[derive(Clone, Debug)]
pub struct AcceptedOrder {
    pub order_hash: String,
    pub owner_api_key: String,
    pub maker: Address,
    pub signer: Address,
    pub token_id: String,
    pub maker_amount: u64,
    pub taker_amount: u64,
    pub side: String,
    pub signature_type: u8,
    pub order_type: String,
    pub body: Value,
    pub received_at: Instant,
}

/// The running fake; both servers stop when it is dropped.
pub struct FakePolymarket {
    shared: Arc<Shared>,
    clob: SocketAddr,
    data: SocketAddr,
    servers: Vec<JoinHandle<()>>,
}

impl FakePolymarket {
    pub async fn start(config: FakePolymarketConfig) -> FakePolymarket {
        let shared = Arc::new(Shared {
            rpc: config.rpc_url.as_deref().map(JsonRpc::new),
            exchange_version: std::sync::atomic::AtomicU8::new(config.exchange_version),
            config,
            state: Mutex::new(State::default()),
        });
        let clob = Router::new()
            .route("/", get(public_routes::ok))
            .route("/ok", get(public_routes::ok))
            .route("/version", get(public_routes::version))
            .route("/tick-size", get(public_routes::tick_size))
            .route("/neg-risk", get(public_routes::neg_risk))
            .route("/book", get(public_routes::book))
            .route("/auth/api-key", post(api_keys::create))
            .route("/auth/derive-api-key", get(api_keys::derive))
            .route("/order", post(order_routes::post_order).delete(order_routes::cancel_order))
            .route("/orders", post(order_routes::post_orders))
            .route("/data/order/{id}", get(order_routes::order_status))
            .route("/balance-allowance", get(balances::balance_allowance))
            .with_state(shared.clone());
        let data = Router::new()
            .route("/trades", get(data_api::trades))
            .route("/activity", get(data_api::activity))
            .route("/positions", get(data_api::positions))
            .with_state(shared.clone());
        let (clob, clob_server) = serve(clob).await;
        let (data, data_server) = serve(data).await;
        FakePolymarket { shared, clob, data, servers: vec![clob_server, data_server] }
    }

    /// `http://127.0.0.1:<port>` of the CLOB.
    pub fn clob_url(&self) -> String {
        format!("http://{}", self.clob)
    }

    /// `http://127.0.0.1:<port>` of the Data API.
    pub fn data_url(&self) -> String {
        format!("http://{}", self.data)
    }

    /// Lists a market for `token_id`; prices and sizes are decimal strings, levels in any order.
    pub fn add_market(
        &self,
        token_id: &str,
        tick_size: &str,
        neg_risk: bool,
        min_order_size: &str,
        bids: &[(&str, &str)],
        asks: &[(&str, &str)],
    ) {
        let market = market::Market::new(token_id, tick_size, neg_risk, min_order_size, bids, asks);
        self.state().markets.insert(token_id.to_owned(), market);
    }

    /// Moves the CLOB to another exchange version: `/version` says so, and orders signed for
    /// the old one are refused with `order_version_mismatch`.
    pub fn set_exchange_version(&self, version: u8) {
        self.shared.exchange_version.store(version, std::sync::atomic::Ordering::SeqCst);
    }

    /// Sets what `address` holds of `asset`, in raw 6-decimal units.
    pub fn set_balance(&self, address: Address, asset: BalanceAsset, raw_amount: u64) {
        self.state().balances.insert((address, asset), raw_amount);
    }

    /// Adds a Data API trade object; `"maker": true` marks a maker fill (hidden unless
    /// `takerOnly=false`, and stripped from answers).
    pub fn push_trade(&self, trade: Value) {
        self.state().trades.push(trade);
    }

    pub fn set_behaviour(&self, endpoint: Endpoint, behaviour: Behaviour) {
        self.state().behaviours.insert(endpoint, behaviour);
    }

    /// Moves an accepted order on, e.g. to "MATCHED" with `size_matched` "10"; unknown hashes
    /// are a test bug.
    pub fn set_order_status(&self, order_hash: &str, status: &str, size_matched: &str) {
        let mut state = self.state();
        let record = state.records.get_mut(order_hash).unwrap_or_else(|| panic!("no order {order_hash}"));
        record.status = status.to_owned();
        record.size_matched = decimal::to_raw(size_matched).expect("size_matched such as \"10\"");
    }

    pub fn accepted_orders(&self) -> Vec<AcceptedOrder> {
        self.state().accepted.clone()
    }

    /// (endpoint, status, error) of every request the fake refused on its own judgement — not
    /// the failures scripted with `set_behaviour`.
    pub fn rejected(&self) -> Vec<(String, u16, String)> {
        self.state().rejected.clone()
    }

    /// Requests received by `endpoint` (all of them for `Endpoint::Any`), answered or not.
    pub fn request_count(&self, endpoint: Endpoint) -> usize {
        self.state().counts.get(&endpoint).copied().unwrap_or(0)
    }

    /// Every credential issued so far, with the address it belongs to.
    pub fn api_keys(&self) -> Vec<(Address, ApiCreds)> {
        self.state().keys.iter().map(|k| (k.address, k.creds.clone())).collect()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.shared.state.lock().unwrap()
    }
}

impl Drop for FakePolymarket {
    fn drop(&mut self) {
        for server in &self.servers {
            server.abort();
        }
    }
}

async fn serve(router: Router) -> (SocketAddr, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind fake Polymarket");
    let addr = listener.local_addr().expect("address");
    let server = tokio::spawn(async move {
        axum::serve(listener, router).await.expect("fake Polymarket");
    });
    (addr, server)
}
