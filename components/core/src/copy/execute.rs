//! One execution pass: read the controls, claim due attempts, and take each one step along
//! its state machine (settle.rs): skip with a reason, record a would-be order (DRY), or sign,
//! persist, then post. What the pass learns about the CLOB feeds the Polymarket breaker once.

use crate::trading_account::SetupStatus;
use std::collections::HashMap;

use serde::Serialize;

use super::claim::{claim, release_profiles, ClaimedAttempt, ClaimedStatus};
use super::controls::{Controls, Verdict};
use super::settle::{self, Lease};
use super::sizing::{decide, needs, precheck, Holdings, Market, SkipReason};
use super::trades::TradeSide;
use crate::api::{ApiError, ErrorCode};
use crate::orders::{ApiCredentials, OrderType};
use crate::ports::Platform;
use crate::settings;
use crate::trading::clob::{BalanceAsset, Book, ClobError, ClobOutcomes};
use crate::trading::{self, Account, OrderIntent, TradingError};
use crate::trading_authority::{self, Authority};

/// What a pass did, for the tick's result and the tests.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PassReport {
    pub verdict: Option<Verdict>,
    pub claimed: usize,
    pub skipped: usize,
    pub dry_run: usize,
    pub submitted: usize,
    pub deferred: usize,
    pub failed: usize,
    pub clob: ClobOutcomes,
    /// What went wrong for attempts that hit an error of ours (they are put back, counted as
    /// deferred or, once out of retries, failed), and for any that could not even be put back
    /// (those wait for their lease to expire).
    pub errors: Vec<String>,
}

/// Runs one pass over due attempts (only those of `events`, when given).
pub async fn run_pass(platform: &impl Platform, events: Option<&[String]>) -> Result<PassReport, ApiError> {
    let config = platform.config();
    let controls = Controls::read(platform)?;
    let mut report = PassReport { verdict: Some(controls.verdict), ..PassReport::default() };
    if matches!(controls.verdict, Verdict::EmergencyStop | Verdict::SigningUnavailable) {
        return Ok(report);
    }
    let batch = settings::positive(config, settings::COPY_BATCH_SIZE)? as i64;
    let lease_ms = settings::positive(config, settings::COPY_LEASE_MS)? as i64;
    let owner = platform.random().id();
    let attempts = claim(platform.db(), &owner, batch, lease_ms, events)?;
    report.claimed = attempts.len();
    let mut pass = Pass::new(platform, controls, &owner)?;
    for attempt in &attempts {
        let step = match pass.step(attempt).await {
            Err(e) => {
                report.errors.push(e.to_string());
                pass.put_back(attempt, &e)
            }
            done => done,
        };
        pass.count(&mut report, step);
    }
    report.clob = pass.trading.outcomes;
    if !attempts.is_empty() {
        release_profiles(platform.db(), &owner)?;
    }
    pass.trading.record_breaker(&owner)?;
    Ok(report)
}

/// Where an attempt ended up after this pass.
enum Step {
    Skipped,
    DryRun,
    Submitted,
    Deferred,
    Failed,
    /// The lease was lost to another instance: nothing changed here.
    Lost,
}

struct Pass<'a, P: Platform> {
    platform: &'a P,
    trading: trading::Session<'a, P>,
    controls: Controls,
    owner: &'a str,
    max_event_age_ms: i64,
    max_attempts: i64,
    retry_ms: i64,
    authorities: HashMap<String, Option<Authority>>,
    books: HashMap<String, Book>,
    /// Signing said it is unavailable: nothing more is signed in this pass.
    signing_paused: bool,
    /// USD committed per profile in this pass: attempts claimed together all read the same
    /// `daily_used`, so the day's volume counts what this pass already signed.
    committed: HashMap<String, i128>,
}

impl<'a, P: Platform> Pass<'a, P> {
    fn new(platform: &'a P, controls: Controls, owner: &'a str) -> Result<Self, ApiError> {
        let config = platform.config();
        Ok(Pass {
            platform,
            trading: trading::Session::new(platform, controls.polymarket_open)?,
            controls,
            owner,
            max_event_age_ms: settings::positive(config, settings::COPY_MAX_EVENT_AGE_MS)? as i64,
            max_attempts: settings::positive(config, settings::COPY_MAX_ATTEMPTS)? as i64,
            retry_ms: settings::positive(config, settings::COPY_RETRY_MS)? as i64,
            authorities: HashMap::new(),
            books: HashMap::new(),
            signing_paused: false,
            committed: HashMap::new(),
        })
    }

    fn count(&self, report: &mut PassReport, step: Result<Step, ApiError>) {
        match step {
            Ok(Step::Skipped) => report.skipped += 1,
            Ok(Step::DryRun) => report.dry_run += 1,
            Ok(Step::Submitted) => report.submitted += 1,
            Ok(Step::Deferred) => report.deferred += 1,
            Err(e) => {
                report.deferred += 1;
                report.errors.push(e.to_string());
            }
            Ok(Step::Failed) => report.failed += 1,
            Ok(Step::Lost) => {}
        }
    }

    async fn step(&mut self, attempt: &ClaimedAttempt) -> Result<Step, ApiError> {
        let lease = Lease { attempt_id: &attempt.id, owner: self.owner };
        let db = self.platform.db();
        if attempt.status == ClaimedStatus::Signed {
            return match &attempt.order {
                Some(order) => self.post(attempt, &lease, &order.signed_order, &order.order_hash).await,
                None => self.fail(&lease, "ORDER_MISSING", "signed attempt has no order"),
            };
        }
        let now = self.platform.clock().now_ms();
        let profile = match precheck(attempt.profile.as_ref(), &attempt.event, now, self.max_event_age_ms) {
            Ok(profile) => profile,
            Err(reason) => return self.skip(&lease, reason),
        };
        let Some(authority) = self.authority(&attempt.user_id)? else {
            return self.skip(&lease, SkipReason::NoTradingAuthority);
        };
        // A setup that has started and not finished: the account cannot fill orders yet.
        if attempt.account_setup.is_some_and(|status| status != SetupStatus::Ready) {
            return self.skip(&lease, SkipReason::AccountNotReady);
        }
        let book = match self.book(&attempt.event.asset).await {
            Ok(book) => book,
            Err(TradingError::Clob(ClobError::Rejected { .. })) => {
                return self.skip(&lease, SkipReason::MarketNotFound)
            }
            Err(e) => return self.trading_failure(attempt, &lease, e),
        };
        let buy = attempt.event.side == TradeSide::Buy;
        let dry = self.controls.verdict == Verdict::Dry;
        let (want_collateral, want_position) = needs(profile, buy);
        let mut holdings = Holdings::default();
        if want_collateral || want_position {
            let account = match self.trading.account(&authority, attempt.proxy_wallet.as_ref()) {
                Ok(account) => account,
                Err(e) => return self.trading_failure(attempt, &lease, e),
            };
            let credentials = match self.credentials(&attempt.user_id, &authority, &account, dry).await {
                Ok(found) => found,
                Err(e) => return self.trading_failure(attempt, &lease, e),
            };
            if let Some(credentials) = credentials {
                if want_collateral {
                    match self.trading.balance(&credentials, &account, BalanceAsset::Collateral).await {
                        Ok(v) => holdings.collateral = Some(v),
                        Err(e) => return self.trading_failure(attempt, &lease, e),
                    }
                }
                if want_position {
                    match self
                        .trading
                        .balance(&credentials, &account, BalanceAsset::Conditional(attempt.event.asset.clone()))
                        .await
                    {
                        Ok(v) => holdings.position = Some(v),
                        Err(e) => return self.trading_failure(attempt, &lease, e),
                    }
                }
            }
        }
        let market = Market { best_bid: book.best_bid, best_ask: book.best_ask, min_order_size: book.min_order_size };
        let committed = attempt.profile_id.as_ref().and_then(|id| self.committed.get(id)).copied().unwrap_or(0);
        let sized = match decide(profile, &attempt.event, attempt.daily_used + committed, market, holdings) {
            Ok(sized) => sized,
            Err(reason) => return self.skip(&lease, reason),
        };
        let intent = OrderIntent {
            token_id: attempt.event.asset.clone(),
            buy: sized.buy,
            price: sized.price,
            size: sized.size,
            order_type: OrderType::Gtc,
        };
        let account = match self.trading.account(&authority, attempt.proxy_wallet.as_ref()) {
            Ok(account) => account,
            Err(e) => return self.trading_failure(attempt, &lease, e),
        };
        let placement = match self.trading.prepare(&intent, &account, &book).await {
            Ok(p) => p,
            Err(e) => return self.trading_failure(attempt, &lease, e),
        };
        if dry {
            let record = match placement.record(&intent, sized.notional, None) {
                Ok(record) => record,
                Err(e) => return self.fail(&lease, e.code.as_str(), &e.message),
            };
            return Ok(match settle::persist_order(db, &lease, &record, true)? {
                Some(_) => Step::DryRun,
                None => Step::Lost,
            });
        }
        if self.signing_paused {
            return self.defer(&lease, attempt, None, true, "SIGNING_PAUSED", "signing unavailable in this pass");
        }
        let signed = match self.trading.sign(&attempt.user_id, &authority, &account, &placement).await {
            Ok(signed) => signed,
            Err(e) => return self.trading_failure(attempt, &lease, e),
        };
        let record = match placement.record(&intent, sized.notional, Some(signed)) {
            Ok(record) => record,
            Err(e) => return self.fail(&lease, e.code.as_str(), &e.message),
        };
        if settle::persist_order(db, &lease, &record, false)?.is_none() {
            return Ok(Step::Lost);
        }
        if let Some(id) = &attempt.profile_id {
            *self.committed.entry(id.clone()).or_default() += sized.notional;
        }
        self.post(attempt, &lease, &record.signed_order, &record.order_hash).await
    }

    async fn post(
        &mut self,
        attempt: &ClaimedAttempt,
        lease: &Lease<'_>,
        signed_order: &serde_json::Value,
        order_hash: &str,
    ) -> Result<Step, ApiError> {
        let Some(authority) = self.authority(&attempt.user_id)? else {
            return self.fail(lease, "NO_TRADING_AUTHORITY", "the user has no trading authority to post with");
        };
        let account = match self.trading.account(&authority, attempt.proxy_wallet.as_ref()) {
            Ok(account) => account,
            Err(e) => return self.trading_failure(attempt, lease, e),
        };
        let credentials = match self.credentials(&attempt.user_id, &authority, &account, false).await {
            Ok(Some(c)) => c,
            Ok(None) => return self.fail(lease, "NO_CLOB_CREDENTIALS", "no CLOB credentials"),
            Err(e) => return self.trading_failure(attempt, lease, e),
        };
        match self.trading.post(&credentials, account.key_owner, signed_order, order_hash).await {
            Ok(posted) => {
                settle::posted(
                    self.platform.db(),
                    lease,
                    &posted.order_id,
                    posted.status.eq_ignore_ascii_case("matched"),
                )?;
                Ok(Step::Submitted)
            }
            Err(e) => self.trading_failure(attempt, lease, e),
        }
    }

    /// Maps a failure of the trading path onto the attempt: deferred when it may succeed
    /// later, signed again on a version change, failed when refused.
    fn trading_failure(
        &mut self,
        attempt: &ClaimedAttempt,
        lease: &Lease<'_>,
        error: TradingError,
    ) -> Result<Step, ApiError> {
        match error {
            TradingError::Signing(e) => {
                let uncounted = matches!(
                    e.code,
                    ErrorCode::SigningRateLimited
                        | ErrorCode::SigningCircuitBreakerOpen
                        | ErrorCode::SigningUnavailable
                );
                if matches!(e.code, ErrorCode::SigningCircuitBreakerOpen | ErrorCode::SigningUnavailable) {
                    self.signing_paused = true;
                }
                if uncounted {
                    self.defer(
                        lease,
                        attempt,
                        e.retry_after_secs.map(|s| s as i64 * 1000),
                        true,
                        e.code.as_str(),
                        &e.message,
                    )
                } else {
                    self.fail(lease, e.code.as_str(), &e.message)
                }
            }
            TradingError::Clob(ClobError::VersionMismatch) => {
                settle::resign(self.platform.db(), lease)?;
                Ok(Step::Deferred)
            }
            TradingError::Clob(e @ ClobError::Unavailable { .. }) | TradingError::Clob(e @ ClobError::Duplicate) => {
                self.defer(lease, attempt, e.retry_after(), false, e.code(), &e.message())
            }
            TradingError::PolymarketPaused => {
                self.defer(lease, attempt, None, true, "POLYMARKET_BREAKER_OPEN", "Polymarket circuit breaker open")
            }
            TradingError::Clob(e) => self.fail(lease, e.code(), &e.message()),
            TradingError::Invalid(e) => self.fail(lease, e.code.as_str(), &e.message),
        }
    }

    fn skip(&self, lease: &Lease<'_>, reason: SkipReason) -> Result<Step, ApiError> {
        Ok(if settle::skip(self.platform.db(), lease, reason.as_str())? { Step::Skipped } else { Step::Lost })
    }

    /// After an error of ours, the attempt goes back at once rather than at its lease's expiry.
    /// A PENDING one spends a retry, so one that keeps failing ends FAILED after
    /// `copy_max_attempts` instead of being claimed forever; a SIGNED one does not, as its
    /// stored order may already be on the CLOB and only re-posting it can tell. The status is
    /// read again: one claimed PENDING may have had its order persisted (and posted) before the
    /// error.
    fn put_back(&self, attempt: &ClaimedAttempt, error: &ApiError) -> Result<Step, ApiError> {
        let lease = Lease { attempt_id: &attempt.id, owner: self.owner };
        let Some(status) = settle::status(self.platform.db(), &lease)? else {
            return Ok(Step::Lost);
        };
        self.defer(&lease, attempt, None, status == "SIGNED", error.code.as_str(), &error.message)
    }

    fn fail(&self, lease: &Lease<'_>, code: &str, message: &str) -> Result<Step, ApiError> {
        settle::fail(self.platform.db(), lease, code, message)?;
        Ok(Step::Failed)
    }

    fn defer(
        &self,
        lease: &Lease<'_>,
        attempt: &ClaimedAttempt,
        retry_after_ms: Option<i64>,
        uncounted: bool,
        code: &str,
        message: &str,
    ) -> Result<Step, ApiError> {
        if !uncounted && attempt.attempts >= self.max_attempts {
            return self.fail(lease, code, message);
        }
        let backoff = self.retry_ms.saturating_mul(1 << (attempt.attempts.clamp(1, 6) - 1));
        let delay = retry_after_ms.unwrap_or(0).max(if uncounted { self.retry_ms } else { backoff });
        settle::defer(self.platform.db(), lease, delay, uncounted, code, message)?;
        Ok(Step::Deferred)
    }

    fn authority(&mut self, user_id: &str) -> Result<Option<Authority>, ApiError> {
        if let Some(found) = self.authorities.get(user_id) {
            return Ok(found.clone());
        }
        let found = trading_authority::find(self.platform, user_id)?;
        self.authorities.insert(user_id.to_string(), found.clone());
        Ok(found)
    }

    /// The token's book, fetched once per pass.
    async fn book(&mut self, token_id: &str) -> Result<Book, TradingError> {
        if let Some(found) = self.books.get(token_id) {
            return Ok(found.clone());
        }
        let found = self.trading.book(token_id).await?;
        self.books.insert(token_id.to_string(), found.clone());
        Ok(found)
    }

    /// The user's CLOB credentials; derived (which signs) unless `read_only`.
    async fn credentials(
        &mut self,
        user_id: &str,
        authority: &Authority,
        account: &Account,
        read_only: bool,
    ) -> Result<Option<ApiCredentials>, TradingError> {
        if self.signing_paused && !read_only {
            return self.trading.stored_credentials(account).map_err(TradingError::Invalid);
        }
        self.trading.credentials(user_id, authority, account, read_only).await
    }
}
