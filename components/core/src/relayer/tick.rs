//! The relayer worker's tick (every 5 s, and `POST /internal/workers/relayer`): read the chain
//! once, settle what mined, replace what is stuck, send what is due — every send of the tick at
//! once, never waiting for a receipt inside it.

use std::collections::HashMap;

use alloy_primitives::{Address, B256, U256};
use futures::StreamExt;
use serde::Serialize;
use serde_json::json;

use super::build::{self, Outgoing, Plan};
use super::chain::{self, ChainState};
use super::keys::RelayerKeys;
use super::rpc::Rpc;
use super::send_outcome::{classify_send, SendOutcome};
use super::settings::Policy;
use super::state::{BalanceState, KeyState, RelayerState};
use super::store::{self, Deferral, RelayerTx};
use super::tx_status::{TxKind, TxStatus};
use crate::api::ApiError;
use crate::ports::{Db, Platform};
use crate::workers::{record_heartbeat, Worker};

/// Sends in flight at once within a tick.
const SEND_CONCURRENCY: usize = 32;

/// What a tick did, returned by `/internal/workers/relayer`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TickReport {
    pub configured: bool,
    pub rpc_unavailable: bool,
    pub claimed: usize,
    pub sent: usize,
    pub replaced: usize,
    pub confirmed: usize,
    pub failed: usize,
    pub requeued: usize,
    pub deferred: usize,
    pub waiting_for_funds: usize,
    pub gaps_filled: u64,
    pub lost_leases: usize,
    pub rpc_calls: u32,
    pub rpc_requests: u32,
    /// `RELAY_TX_FAILED` lines (runbook 004), also written to the component's log.
    pub failures: Vec<String>,
}

pub async fn run_relayer(platform: &impl Platform) -> Result<TickReport, ApiError> {
    let config = platform.config();
    let Some(keys) = RelayerKeys::from_config(config)? else {
        record_heartbeat(platform.redis(), Worker::Relayer, platform.clock().now_ms())?;
        return Ok(TickReport::default());
    };
    let policy = Policy::read(config)?;
    let tick = platform.random().id();
    let rpc = Rpc::new(platform.http(), &policy.rpc_url, policy.rpc_timeout);
    let mut report = TickReport { configured: true, ..TickReport::default() };
    let addresses: Vec<Address> = keys.all().map(|k| k.address()).collect();

    let chain = chain::read_state(&rpc, &addresses, policy.max_fee_per_gas, policy.min_priority_fee).await.ok();

    if let Some(chain) = &chain {
        let db = platform.db();
        let pending: Vec<_> = chain.accounts.iter().map(|a| (a.address, a.pending_nonce)).collect();
        store::ensure_accounts(db, &pending)?;
        let mined: Vec<_> = chain.accounts.iter().map(|a| (a.address, a.mined_nonce)).collect();
        report.gaps_filled = store::fill_gaps(db, &mined)?;
        process(platform, &rpc, &keys, &policy, chain, &tick, &mut report).await?;
    } else {
        report.rpc_unavailable = true;
    }
    report.rpc_calls = rpc.calls();
    report.rpc_requests = rpc.requests();
    let now = platform.clock().now_ms();
    publish(platform, &keys, &policy, chain.as_ref(), &report, now)?;
    record_heartbeat(platform.redis(), Worker::Relayer, now)?;
    for line in &report.failures {
        eprintln!("{line}");
    }
    Ok(report)
}

fn publish(
    platform: &impl Platform,
    keys: &RelayerKeys,
    policy: &Policy,
    chain: Option<&ChainState>,
    report: &TickReport,
    now: i64,
) -> Result<(), ApiError> {
    let key_state = |address: Address| {
        chain.and_then(|c| c.account(address)).map(|a| {
            let state = BalanceState::of(a.balance, policy.balance_warning, policy.balance_critical);
            KeyState::new(a.address, a.balance, state, a.mined_nonce, a.pending_nonce)
        })
    };
    RelayerState {
        checked_at_ms: now,
        rpc_unavailable: report.rpc_unavailable,
        insufficient_funds: report.waiting_for_funds > 0,
        current: key_state(keys.current.address()),
        retiring: keys.retiring.iter().filter_map(|k| key_state(k.address())).collect(),
    }
    .publish(platform.redis())?;
    Ok(())
}

async fn process<P: Platform>(
    platform: &P,
    rpc: &Rpc<'_, P::Http>,
    keys: &RelayerKeys,
    policy: &Policy,
    chain: &ChainState,
    tick: &str,
    report: &mut TickReport,
) -> Result<(), ApiError> {
    let db = platform.db();
    let now = platform.clock().now_ms();
    let current = chain.account(keys.current.address()).expect("the chain state holds every key");
    let take_new =
        BalanceState::of(current.balance, policy.balance_warning, policy.balance_critical) != BalanceState::Critical;
    let addresses: Vec<Address> = keys.all().map(|k| k.address()).collect();
    let claimed = store::claim(db, tick, &addresses, take_new, policy.lease.as_millis() as i64, policy.batch_size)?;
    report.claimed = claimed.len();
    if claimed.is_empty() {
        return Ok(());
    }

    let hashes: Vec<B256> = claimed.iter().flat_map(|t| t.sent_hashes.iter().copied()).collect();
    let receipts: HashMap<B256, store::Receipt> = match chain::receipts(rpc, &hashes).await {
        Ok(found) => hashes.iter().zip(found).filter_map(|(h, r)| r.map(|r| (*h, r))).collect(),
        Err(_) => {
            // Without receipts nothing can be decided about rows in flight; new ones wait too,
            // so that every tick sees the same chain it decides on.
            report.rpc_unavailable = true;
            for tx in &claimed {
                count_lost(report, store::release(db, tick, &tx.id)?);
            }
            return Ok(());
        }
    };

    let mut to_build: Vec<&RelayerTx> = Vec::new();
    let mut outgoing: Vec<Outgoing> = Vec::new();
    for tx in &claimed {
        if let Some(receipt) = tx.sent_hashes.iter().find_map(|h| receipts.get(h)) {
            settle(platform, rpc, tx, receipt, tick, report).await?;
            continue;
        }
        let account = tx.relayer.and_then(|a| chain.account(a));
        if let (Some(nonce), Some(account)) = (tx.nonce, account) {
            // Mined past this nonce, and by none of this row's hashes: another transaction used it.
            if account.mined_nonce > nonce {
                count_lost(report, store::requeue_nonce_used(db, tick, &tx.id, nonce)?);
                report.requeued += 1;
                continue;
            }
        }
        let stuck = tx.last_sent_ms.is_some_and(|sent| now - sent >= policy.stuck_after.as_millis() as i64);
        match (tx.status, &tx.raw_tx) {
            (TxStatus::Submitted, _) if !stuck => count_lost(report, store::release(db, tick, &tx.id)?),
            (TxStatus::Submitted, _) => to_build.push(tx),
            (_, Some(raw)) if !tx.cancelling(policy.max_attempts) => outgoing.push(Outgoing::resend(tx, raw.clone())),
            _ => to_build.push(tx),
        }
    }

    let plans = build::plan(rpc, policy, chain, &to_build).await;
    let mut balances: HashMap<Address, U256> = chain.accounts.iter().map(|a| (a.address, a.balance)).collect();
    for (tx, plan) in to_build.iter().zip(plans) {
        match plan {
            Plan::Wait(deferral) => {
                count_lost(report, store::defer(db, tick, &tx.id, &deferral)?);
                report.deferred += 1;
            }
            Plan::GiveUp { reason, revert_data } => {
                if store::fail_unsent(db, tick, &tx.id, &reason, revert_data.as_deref())? {
                    report.failed += 1;
                    report.failures.push(failure_line(tx, &reason));
                } else {
                    report.lost_leases += 1;
                }
            }
            Plan::Release => count_lost(report, store::release(db, tick, &tx.id)?),
            Plan::Sign(unsigned) => {
                let relayer = tx.relayer.unwrap_or(keys.current.address());
                let balance = balances.entry(relayer).or_default();
                let cost = unsigned.cost();
                if *balance < cost {
                    let wait = Deferral::wait(
                        "INSUFFICIENT_FUNDS: the relayer cannot pay for this transaction",
                        policy.retry.as_millis() as i64,
                    );
                    count_lost(report, store::defer(db, tick, &tx.id, &wait)?);
                    report.waiting_for_funds += 1;
                    continue;
                }
                *balance -= cost;
                let floor = chain.account(relayer).map_or(0, |a| a.pending_nonce);
                let nonce = match tx.nonce {
                    Some(nonce) => nonce,
                    None => match store::assign_nonce(db, tick, &tx.id, relayer, floor)? {
                        Some(nonce) => nonce,
                        None => {
                            report.lost_leases += 1;
                            continue;
                        }
                    },
                };
                let key = keys.find(relayer).expect("claimed rows belong to configured keys");
                let signed = key.sign(unsigned.with_nonce(nonce, policy.chain_id));
                if !store::record_signed(db, tick, &tx.id, &signed, unsigned.gas_limit, unsigned.fees, unsigned.cancel)?
                {
                    report.lost_leases += 1;
                    continue;
                }
                if tx.status == TxStatus::Submitted {
                    report.replaced += 1;
                }
                outgoing.push(Outgoing { tx_id: tx.id.clone(), raw: signed.raw, tx: (*tx).clone() });
            }
        }
    }

    send_all(db, rpc, policy, outgoing, tick, report).await
}

async fn send_all<D: Db, H: crate::ports::Http>(
    db: &D,
    rpc: &Rpc<'_, H>,
    policy: &Policy,
    outgoing: Vec<Outgoing>,
    tick: &str,
    report: &mut TickReport,
) -> Result<(), ApiError> {
    let answers: Vec<(Outgoing, SendOutcome)> = futures::stream::iter(outgoing)
        .map(|o| async move {
            let raw = format!("0x{}", alloy_primitives::hex::encode(&o.raw));
            let answer = rpc.call("eth_sendRawTransaction", json!([raw])).await;
            let outcome = classify_send(&answer);
            (o, outcome)
        })
        .buffer_unordered(SEND_CONCURRENCY)
        .collect()
        .await;
    let retry = policy.retry.as_millis() as i64;
    for (o, outcome) in answers {
        let deferral = match &outcome {
            SendOutcome::Accepted | SendOutcome::AlreadyKnown => {
                count_lost(report, store::mark_sent(db, tick, &o.tx_id)?);
                report.sent += 1;
                continue;
            }
            SendOutcome::NonceTooLow => {
                Deferral::wait("NONCE_TOO_LOW: reconciled from receipts and the chain next tick", retry)
            }
            SendOutcome::NonceTooHigh => Deferral::wait("NONCE_TOO_HIGH: waiting for the nonces before it", retry),
            SendOutcome::InsufficientFunds => {
                report.waiting_for_funds += 1;
                Deferral::wait("INSUFFICIENT_FUNDS: the node says the relayer cannot pay", retry)
            }
            SendOutcome::Underpriced => Deferral {
                discard_signed: true,
                ..Deferral::wait("UNDERPRICED: signed again with the market's fees", retry)
            },
            SendOutcome::Transient(reason) => {
                Deferral { maybe_sent: true, ..Deferral::wait(format!("RPC_UNAVAILABLE: {reason}"), retry) }
            }
            SendOutcome::Rejected(reason) => Deferral {
                spend_attempt: o.tx.kind != TxKind::NonceFill,
                discard_signed: true,
                ..Deferral::wait(format!("REJECTED: {reason}"), policy.backoff(o.tx.attempts).as_millis() as i64)
            },
        };
        count_lost(report, store::defer(db, tick, &o.tx_id, &deferral)?);
        report.deferred += 1;
    }
    Ok(())
}

async fn settle<P: Platform>(
    platform: &P,
    rpc: &Rpc<'_, P::Http>,
    tx: &RelayerTx,
    receipt: &store::Receipt,
    tick: &str,
    report: &mut TickReport,
) -> Result<(), ApiError> {
    let db = platform.db();
    let (error, revert_data) = if tx.cancel_hashes.contains(&receipt.hash) {
        (Some("CANCELLED: given up after its last attempt; a no-op used its nonce".to_string()), None)
    } else if receipt.succeeded {
        (None, None)
    } else {
        let data = build::replay_revert(rpc, tx, receipt.block_number).await;
        (Some(format!("REVERTED: {}", super::revert::describe_revert(&data))), Some(data))
    };
    if store::settle(db, tick, &tx.id, receipt, error.as_deref(), revert_data.as_deref())? {
        match &error {
            None => report.confirmed += 1,
            Some(reason) => {
                report.failed += 1;
                report.failures.push(failure_line(tx, reason));
            }
        }
    } else {
        report.lost_leases += 1;
    }
    Ok(())
}

fn failure_line(tx: &RelayerTx, reason: &str) -> String {
    format!("RELAY_TX_FAILED tx={} kind={} reason={reason}", tx.id, tx.kind.as_str())
}

fn count_lost(report: &mut TickReport, kept: bool) {
    if !kept {
        report.lost_leases += 1;
    }
}
