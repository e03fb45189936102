//! The order path every order takes — copies and manual orders alike: market data and the
//! exchange version from the CLOB, the order built with Polymarket's rounding, signed through
//! the signing pipeline by the user's authority, persisted, then posted with L2 auth. One
//! `Session` per invocation caches what does not change within it and counts the CLOB's
//! availability for the Polymarket breaker.

mod account;
pub mod clob;
mod credentials;
pub mod order_routes;
mod order_status;
mod placement;
pub mod reconcile;

use std::collections::HashMap;

use alloy_primitives::Bytes;
use serde_json::Value;

pub use account::{account, Account, AccountKind, AccountRules, ProxyType, SafeKeyOwner, StoredProxy};
pub use order_status::OrderStatus;
pub use placement::{OrderIntent, Placement, PreparedOrder};

use crate::api::{ApiError, ErrorCode};
use crate::orders::{ApiCredentials, Chain, Exchange};
use crate::ports::Platform;
use crate::settings;
use crate::trading::clob::{record_breaker, BalanceAsset, Book, BreakerLimits, Clob, ClobError, ClobOutcomes, Posted};
use crate::trading_authority::Authority;

/// Consecutive CLOB availability failures after which a session stops calling it: the
/// breaker will hear about them at the end of the pass.
const GIVE_UP_AFTER: u32 = 3;

/// Why the order path stopped.
#[derive(Debug)]
pub enum TradingError {
    /// The signing pipeline refused or failed (its error code says which).
    Signing(ApiError),
    Clob(ClobError),
    /// The Polymarket breaker is open, or this session saw the CLOB fail repeatedly.
    PolymarketPaused,
    /// Configuration or stored data made the order impossible.
    Invalid(ApiError),
}

impl From<ApiError> for TradingError {
    fn from(e: ApiError) -> Self {
        TradingError::Invalid(e)
    }
}

/// One invocation's use of the order path.
pub struct Session<'a, P: Platform> {
    platform: &'a P,
    clob: Clob<'a, P::Http>,
    chain: Chain,
    polymarket_open: bool,
    consecutive_failures: u32,
    exchange_version: Option<u64>,
    credentials: HashMap<alloy_primitives::Address, ApiCredentials>,
    breaker: BreakerLimits,
    account_rules: AccountRules,
    /// CLOB availability seen in this session.
    pub outcomes: ClobOutcomes,
}

impl<'a, P: Platform> Session<'a, P> {
    pub fn new(platform: &'a P, polymarket_open: bool) -> Result<Self, ApiError> {
        let config = platform.config();
        Ok(Session {
            platform,
            clob: Clob {
                http: platform.http(),
                base_url: settings::base_url(config, settings::POLYMARKET_CLOB_URL)?,
                timeout: settings::millis(config, settings::POLYMARKET_TIMEOUT_MS)?,
            },
            chain: Chain::try_from(settings::positive(config, settings::POLYGON_CHAIN_ID)?).map_err(|e| {
                ApiError::from(crate::ports::ConfigError::Invalid {
                    name: settings::POLYGON_CHAIN_ID.into(),
                    reason: e.to_string(),
                })
            })?,
            polymarket_open,
            consecutive_failures: 0,
            exchange_version: None,
            credentials: HashMap::new(),
            breaker: BreakerLimits::from_config(config)?,
            account_rules: AccountRules {
                factory: crate::trading_account::safe_factory(config)?,
                safe_key_owner: safe_key_owner(config)?,
            },
            outcomes: ClobOutcomes::default(),
        })
    }

    pub fn account(&self, authority: &Authority, proxy: Option<&StoredProxy>) -> Result<Account, TradingError> {
        account(authority, proxy, self.account_rules).map_err(TradingError::Invalid)
    }

    pub async fn book(&mut self, token_id: &str) -> Result<Book, TradingError> {
        self.guard()?;
        let result = self.clob.book(token_id).await;
        self.observe(&result);
        result.map_err(TradingError::Clob)
    }

    pub async fn balance(
        &mut self,
        credentials: &ApiCredentials,
        account: &Account,
        asset: BalanceAsset,
    ) -> Result<i128, TradingError> {
        self.guard()?;
        let now = self.now_secs();
        let result =
            self.clob.balance(credentials, account.key_owner, &asset, account.signature_type.as_u8(), now).await;
        self.observe(&result);
        result.map_err(TradingError::Clob)
    }

    /// Builds the order for `intent` on this book, for the exchange version the CLOB asks for.
    pub async fn prepare(
        &mut self,
        intent: &OrderIntent,
        account: &Account,
        book: &Book,
    ) -> Result<Placement, TradingError> {
        let version = match self.exchange_version {
            Some(v) => v,
            None => {
                self.guard()?;
                let result = self.clob.version().await;
                self.observe(&result);
                let v = result.map_err(TradingError::Clob)?;
                self.exchange_version = Some(v);
                v
            }
        };
        let exchange = Exchange::from_version(version, book.neg_risk)
            .map_err(|e| TradingError::Clob(ClobError::Rejected { status: 0, message: e.to_string() }))?;
        let now_ms = self.platform.clock().now_ms();
        // A salt of zeros would make two orders of the same shape one order hash: never default it.
        let salt_bytes: [u8; 8] = self.platform.random().bytes(8).try_into().map_err(|_| {
            TradingError::Invalid(ApiError::new(ErrorCode::InternalError, "the random source gave no 8-byte salt"))
        })?;
        placement::build(intent, account, book, exchange, self.chain, now_ms, salt_bytes).map_err(TradingError::Invalid)
    }

    /// Signs a placement through the signing pipeline (limits and breaker apply) and returns
    /// the order's signature, checked to be the authority's over this placement.
    pub async fn sign(
        &mut self,
        user_id: &str,
        authority: &Authority,
        account: &Account,
        placement: &Placement,
    ) -> Result<Bytes, TradingError> {
        let payload = placement.payload(account, self.chain);
        let job = crate::signing::SigningJob { user_id, authority, purpose: "ORDER", payload: &payload };
        let signed = crate::signing::sign(self.platform, job).await.map_err(TradingError::Signing)?;
        placement.verified_signature(account, self.chain, &signed).map_err(TradingError::Signing)
    }

    /// Posts a persisted order with the user's API key.
    pub async fn post(
        &mut self,
        credentials: &ApiCredentials,
        key_owner: alloy_primitives::Address,
        stored: &Value,
        order_hash: &str,
    ) -> Result<Posted, TradingError> {
        self.guard()?;
        let mut body = stored.clone();
        body["owner"] = Value::String(credentials.api_key.clone());
        let now = self.now_secs();
        let result = self.clob.post_order(credentials, key_owner, &body, now).await;
        if matches!(result, Err(ClobError::VersionMismatch)) {
            self.exchange_version = None;
        }
        self.observe(&result);
        match result {
            // A re-post of an order the CLOB already took (its order id is its hash).
            Err(ClobError::Duplicate) => Ok(Posted { order_id: order_hash.to_string(), status: "live".into() }),
            other => other.map_err(TradingError::Clob),
        }
    }

    pub fn clob(&self) -> &Clob<'a, P::Http> {
        &self.clob
    }

    /// Records this session's CLOB availability in the Polymarket breaker (one round trip,
    /// none if the CLOB was not called).
    pub fn record_breaker(&self, pass_id: &str) -> Result<(), ApiError> {
        let now = self.platform.clock().now_ms();
        record_breaker(self.platform.redis(), &self.breaker, self.outcomes, pass_id, now)?;
        Ok(())
    }

    fn guard(&self) -> Result<(), TradingError> {
        if self.polymarket_open || self.consecutive_failures >= GIVE_UP_AFTER {
            return Err(TradingError::PolymarketPaused);
        }
        Ok(())
    }

    fn observe<T>(&mut self, result: &Result<T, ClobError>) {
        match result {
            Err(e) if e.is_availability_failure() => {
                self.outcomes.failures += 1;
                self.consecutive_failures += 1;
            }
            _ => {
                self.outcomes.successes += 1;
                self.consecutive_failures = 0;
            }
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.platform.clock().now_ms()
    }

    fn now_secs(&self) -> u64 {
        (self.platform.clock().now_ms() / 1000).max(0) as u64
    }
}

/// `safe_api_key_owner`, spelled exactly; anything else is a configuration error, not a default.
fn safe_key_owner(config: &dyn crate::ports::Config) -> Result<SafeKeyOwner, ApiError> {
    let text = settings::text(config, settings::SAFE_API_KEY_OWNER)?;
    SafeKeyOwner::parse(text.trim()).ok_or_else(|| {
        ApiError::from(crate::ports::ConfigError::Invalid {
            name: settings::SAFE_API_KEY_OWNER.into(),
            reason: "must be `authority` or `safe`".into(),
        })
    })
}
