//! Everything the fake remembers between requests — markets, balances, issued keys, orders,
//! trades, scripted behaviours, counters — and the per-request bookkeeping every route shares:
//! counting, applying the scripted behaviour, recording rejections.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use alloy_primitives::{Address, U256};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::endpoint::{scripted, Endpoint, Scripted};
use super::l2_auth;
use super::market::Market;
use super::{AcceptedOrder, ApiCreds, BalanceAsset, FakePolymarketConfig};
use crate::json_rpc::JsonRpc;
use crate::Behaviour;

/// Credentials issued to an address for one L1 nonce.
#[derive(Clone, Debug)]
pub(crate) struct IssuedKey {
    pub address: Address,
    pub nonce: U256,
    pub creds: ApiCreds,
}

/// An accepted order's life on the book, as `GET /data/order/{id}` reports it.
#[derive(Clone, Debug)]
pub(crate) struct OrderRecord {
    pub status: String,
    pub size_matched: u64,
    pub shares: u64,
    pub collateral: u64,
    pub created_at: u64,
    pub expiration: u64,
}

#[derive(Default)]
pub(crate) struct State {
    pub markets: HashMap<String, Market>,
    pub balances: HashMap<(Address, BalanceAsset), u64>,
    pub keys: Vec<IssuedKey>,
    pub accepted: Vec<AcceptedOrder>,
    pub records: HashMap<String, OrderRecord>,
    pub rejected: Vec<(String, u16, String)>,
    pub behaviours: HashMap<Endpoint, Behaviour>,
    pub counts: HashMap<Endpoint, usize>,
    pub trades: Vec<Value>,
}

impl State {
    /// What `address` holds of `asset`: the balance a test set, else the configured opening
    /// collateral for pUSD and nothing of an outcome token.
    pub(crate) fn balance(&self, config: &FakePolymarketConfig, address: Address, asset: BalanceAsset) -> u64 {
        let opening = match asset {
            BalanceAsset::Collateral => config.opening_collateral,
            BalanceAsset::Conditional(_) => 0,
        };
        self.balances.get(&(address, asset)).copied().unwrap_or(opening)
    }
}

pub(crate) struct Shared {
    pub config: FakePolymarketConfig,
    /// The exchange version orders must be signed for now (starts as the config's; a test
    /// may move it, as Polymarket did from V1 to V2).
    pub exchange_version: std::sync::atomic::AtomicU8,
    pub rpc: Option<JsonRpc>,
    pub state: Mutex<State>,
}

impl Shared {
    /// Counts the request and applies the endpoint's scripted behaviour (or `Any`'s): `Some`
    /// is the answer to give instead of the endpoint's own.
    pub(crate) async fn enter(&self, endpoint: Endpoint) -> Option<Response> {
        let behaviour = {
            let mut state = self.state.lock().unwrap();
            *state.counts.entry(endpoint).or_default() += 1;
            *state.counts.entry(Endpoint::Any).or_default() += 1;
            let behaviours = &state.behaviours;
            behaviours.get(&endpoint).or(behaviours.get(&Endpoint::Any)).copied().unwrap_or(Behaviour::Healthy)
        };
        match scripted(behaviour) {
            Scripted::Answer(response) => Some(response),
            Scripted::Proceed { after } => {
                if let Some(delay) = after {
                    tokio::time::sleep(delay).await;
                }
                None
            }
        }
    }

    /// Records a rejection and answers it as the real CLOB does: `{"error": message}`.
    pub(crate) fn reject(&self, endpoint: Endpoint, status: u16, message: &str) -> Response {
        self.state.lock().unwrap().rejected.push((endpoint.name().to_owned(), status, message.to_owned()));
        let status = StatusCode::from_u16(status).expect("status");
        (status, Json(json!({ "error": message }))).into_response()
    }

    /// The key an L2 request proves, or the 401 the real CLOB answers (boxed: it is the rare
    /// path).
    pub(crate) fn l2(
        &self,
        endpoint: Endpoint,
        headers: &HeaderMap,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> Result<IssuedKey, Box<Response>> {
        let issued = {
            let state = self.state.lock().unwrap();
            l2_auth::authenticate(headers, &state.keys, method, path, body).cloned()
        };
        issued.ok_or_else(|| Box::new(self.reject(endpoint, 401, "Unauthorized/Invalid api key")))
    }
}

pub(crate) fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs()
}

pub(crate) fn now_millis() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_millis()
}
