//! The module-exec worker's tick (cron every 10 s, and `POST /internal/workers/module-exec`):
//! expire keys, settle what the relayer finished, then claim PENDING rows and take each as far
//! as it can go: authorization fixed (nonce, deadline, epoch, minimum gas) and stored, signed
//! once and stored, preflighted, and handed to the relayer — every row of the tick in the same
//! few round trips, never waiting for a receipt.

use std::collections::{BTreeSet, HashMap};

use alloy_primitives::{Address, Bytes};
use serde::Serialize;

use super::authorize;
use super::chain::{self, Preflight};
use super::settings::ExecPolicy;
use super::store::{self, Claimed, Fixed, KeyState, Outcome, Submission};
use super::ModuleTxStatus;
use crate::api::ApiError;
use crate::automation_module::{execute_calldata, ModuleRevert};
use crate::ports::{Db, Platform};
use crate::relayer::rpc::Rpc;
use crate::settings;
use crate::workers::{record_heartbeat, Worker};

/// Settled rows read per tick.
const SETTLE_LIMIT: i64 = 1000;

/// What a tick did, returned by `/internal/workers/module-exec`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModuleExecReport {
    pub configured: bool,
    pub rpc_unavailable: bool,
    pub relayer_configured: bool,
    pub expired_keys: u64,
    pub confirmed: usize,
    pub claimed: usize,
    pub signed: usize,
    pub submitted: usize,
    pub blocked: usize,
    pub failed: usize,
    /// Left PENDING for a later tick (key not registered yet, node unavailable, key unopenable).
    pub waiting: usize,
    pub lost_leases: u64,
    pub rpc_calls: u32,
    pub rpc_requests: u32,
    /// `MODULE_TX_BLOCKED` / `MODULE_TX_FAILED` lines, also written to the component's log.
    pub failures: Vec<String>,
}

pub async fn run_module_exec(platform: &impl Platform) -> Result<ModuleExecReport, ApiError> {
    let config = platform.config();
    let Some(policy) = ExecPolicy::read(config)? else {
        record_heartbeat(platform.redis(), Worker::ModuleExec, platform.clock().now_ms())?;
        return Ok(ModuleExecReport::default());
    };
    let db = platform.db();
    let tick = platform.random().id();
    let mut report = ModuleExecReport {
        configured: true,
        relayer_configured: crate::relayer::require_configured(config).is_ok(),
        ..ModuleExecReport::default()
    };
    report.expired_keys = store::expire_keys(db)?;
    settle(db, &tick, &mut report)?;

    let now_secs = platform.clock().now_ms() / 1000;
    let claimed = store::claim(db, &tick, policy.lease.as_millis() as i64, policy.batch_size, now_secs)?;
    report.claimed = claimed.len();
    let rpc = Rpc::new(platform.http(), &policy.rpc_url, policy.rpc_timeout);
    if !claimed.is_empty() {
        process(platform, &rpc, &policy, &tick, claimed, now_secs, &mut report).await?;
    }
    report.rpc_calls = rpc.calls();
    report.rpc_requests = rpc.requests();
    record_heartbeat(platform.redis(), Worker::ModuleExec, platform.clock().now_ms())?;
    for line in &report.failures {
        eprintln!("{line}");
    }
    Ok(report)
}

/// SUBMITTED rows whose relayer row ended: CONFIRMED with its hash and gas, or BLOCKED / FAILED
/// with the reason the chain gave.
fn settle(db: &impl Db, tick: &str, report: &mut ModuleExecReport) -> Result<(), ApiError> {
    let ended = store::ended(db, SETTLE_LIMIT)?;
    let outcomes: Vec<Outcome> = ended
        .into_iter()
        .map(|row| {
            if row.confirmed {
                report.confirmed += 1;
                return Outcome {
                    id: row.id,
                    status: ModuleTxStatus::Confirmed,
                    reason: None,
                    tx_hash: row.tx_hash,
                    gas_used: row.gas_used,
                };
            }
            let (status, reason) = match row.revert_data.filter(|d| !d.is_empty()) {
                Some(data) => refused(&ModuleRevert::decode(&data)),
                None => (
                    ModuleTxStatus::Failed,
                    row.relayer_error.unwrap_or_else(|| "the relayer transaction FAILED".into()),
                ),
            };
            note(report, &row.id, status, &reason);
            Outcome { id: row.id, status, reason: Some(reason), tx_hash: row.tx_hash, gas_used: row.gas_used }
        })
        .collect();
    store::finish(db, tick, ModuleTxStatus::Submitted, &outcomes)?;
    Ok(())
}

fn refused(revert: &ModuleRevert) -> (ModuleTxStatus, String) {
    let status = if revert.is_blocked() { ModuleTxStatus::Blocked } else { ModuleTxStatus::Failed };
    (status, revert.to_string())
}

fn note(report: &mut ModuleExecReport, id: &str, status: ModuleTxStatus, reason: &str) {
    match status {
        ModuleTxStatus::Blocked => report.blocked += 1,
        _ => report.failed += 1,
    }
    report.failures.push(format!("MODULE_TX_{} module_tx={id} reason=\"{reason}\"", status.as_str()));
}

/// Where each claimed row goes this tick.
#[derive(Default)]
struct Sorted {
    outcomes: Vec<Outcome>,
    waiting: Vec<String>,
}

impl Sorted {
    fn end(&mut self, report: &mut ModuleExecReport, id: &str, status: ModuleTxStatus, reason: String) {
        note(report, id, status, &reason);
        self.outcomes.push(Outcome { id: id.into(), status, reason: Some(reason), tx_hash: None, gas_used: None });
    }
}

async fn process<P: Platform>(
    platform: &P,
    rpc: &Rpc<'_, P::Http>,
    policy: &ExecPolicy,
    tick: &str,
    claimed: Vec<Claimed>,
    now_secs: i64,
    report: &mut ModuleExecReport,
) -> Result<(), ApiError> {
    let db = platform.db();
    let mut sorted = Sorted::default();
    let mut live: Vec<Claimed> = Vec::new();
    for row in claimed {
        if row.module != policy.module {
            let reason = format!("ModuleNotEnabled: the Safe runs module {:#x}, not {:#x}", row.module, policy.module);
            sorted.end(report, &row.id, ModuleTxStatus::Blocked, reason);
            continue;
        }
        match row.key_state {
            KeyState::Active => live.push(row),
            KeyState::Pending => sorted.waiting.push(row.id),
            KeyState::Revoked => {
                sorted.end(report, &row.id, ModuleTxStatus::Blocked, "RevokedSessionKey: revoked in Mirror".into())
            }
            KeyState::Expired => sorted.end(
                report,
                &row.id,
                ModuleTxStatus::Blocked,
                format!("ExpiredSessionKey: valid until {}", row.key_expires),
            ),
        }
    }

    fix_authorizations(db, rpc, policy, tick, &mut live, now_secs, &mut sorted, report).await?;
    sign_authorizations(platform, policy, tick, &mut live, &mut sorted, report)?;

    let signed: Vec<(&Claimed, Bytes)> = live
        .iter()
        .filter_map(|row| {
            let (fixed, signature) = (row.fixed.as_ref()?, row.signature.clone()?);
            Some((row, execute_calldata(&authorize::execution(row, fixed), row.key_address, signature)))
        })
        .collect();
    let calldata: Vec<Bytes> = signed.iter().map(|(_, data)| data.clone()).collect();
    let verdicts = chain::preflight(rpc, policy.module, &calldata).await;
    let mut submissions = Vec::new();
    for ((row, data), verdict) in signed.into_iter().zip(verdicts) {
        match verdict {
            Preflight::Passes if report.relayer_configured => submissions.push(Submission {
                id: row.id.clone(),
                user_id: row.user_id.clone(),
                module: row.module,
                calldata: data,
            }),
            Preflight::Passes => sorted.waiting.push(row.id.clone()),
            Preflight::Reverts(revert) => {
                let (status, reason) = refused(&revert);
                sorted.end(report, &row.id, status, reason);
            }
            Preflight::Unknown(_) => {
                report.rpc_unavailable = true;
                sorted.waiting.push(row.id.clone());
            }
        }
    }

    let submitted: BTreeSet<String> = store::submit(db, tick, &submissions)?.into_iter().collect();
    report.submitted = submitted.len();
    // Not submitted: the key was revoked meanwhile (the next tick blocks the row) or the lease
    // was lost (its new holder goes on).
    sorted.waiting.extend(submissions.into_iter().map(|s| s.id).filter(|id| !submitted.contains(id)));
    let ended = store::finish(db, tick, ModuleTxStatus::Pending, &sorted.outcomes)?;
    report.lost_leases += sorted.outcomes.len() as u64 - ended;
    report.waiting = sorted.waiting.len();
    store::release(db, tick, &sorted.waiting)?;
    Ok(())
}

/// Rows without an authorization get one: the key's epoch read from the module (one batch for
/// every key), the deadline within the module's limit and the key's expiry, and a nonce from the
/// key's counter, all stored before anything is signed.
#[allow(clippy::too_many_arguments)]
async fn fix_authorizations<H: crate::ports::Http>(
    db: &impl Db,
    rpc: &Rpc<'_, H>,
    policy: &ExecPolicy,
    tick: &str,
    live: &mut Vec<Claimed>,
    now_secs: i64,
    sorted: &mut Sorted,
    report: &mut ModuleExecReport,
) -> Result<(), ApiError> {
    let unfixed: Vec<(Address, Address)> = live
        .iter()
        .filter(|row| row.fixed.is_none())
        .map(|row| (row.safe, row.key_address))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if unfixed.is_empty() {
        return Ok(());
    }
    let states: HashMap<(Address, Address), chain::KeyOnChain> = match chain::keys(rpc, policy.module, &unfixed).await {
        Ok(states) => unfixed.iter().zip(states).filter_map(|(k, s)| Some((*k, s?))).collect(),
        Err(_) => {
            report.rpc_unavailable = true;
            HashMap::new()
        }
    };
    let mut wanted = Vec::new();
    let mut kept = Vec::new();
    for row in live.drain(..) {
        if row.fixed.is_some() {
            kept.push(row);
            continue;
        }
        let Some(state) = states.get(&(row.safe, row.key_address)) else {
            sorted.waiting.push(row.id);
            continue;
        };
        let deadline = (now_secs + policy.authorization_secs).min(row.key_expires);
        wanted.push((row.id.clone(), deadline, state.epoch, policy.min_gas));
        kept.push(row);
    }
    let fixed: HashMap<String, Fixed> = store::fix(db, tick, &wanted)?.into_iter().collect();
    for mut row in kept {
        if row.fixed.is_none() {
            match fixed.get(&row.id) {
                Some(f) => row.fixed = Some(f.clone()),
                None => {
                    report.lost_leases += 1;
                    continue;
                }
            }
        }
        live.push(row);
    }
    Ok(())
}

/// Rows fixed but not signed are signed, and the signatures stored before anything is sent.
fn sign_authorizations(
    platform: &impl Platform,
    policy: &ExecPolicy,
    tick: &str,
    live: &mut Vec<Claimed>,
    sorted: &mut Sorted,
    report: &mut ModuleExecReport,
) -> Result<(), ApiError> {
    if live.iter().all(|row| row.signature.is_some()) {
        return Ok(());
    }
    let encryption_key = settings::text(platform.config(), settings::TRADING_KEY_ENCRYPTION_KEY)?;
    let mut new = Vec::new();
    let mut kept = Vec::new();
    for mut row in live.drain(..) {
        if row.signature.is_none() {
            let fixed = row.fixed.as_ref().expect("fixed before signing");
            match authorize::sign(&encryption_key, policy.chain_id, &row, &authorize::execution(&row, fixed)) {
                Ok(signature) => {
                    new.push((row.id.clone(), signature.clone()));
                    row.signature = Some(signature);
                }
                Err(e) => {
                    // The key cannot be opened (wrong or rotated encryption key): an operator's
                    // problem, not the row's; it waits, and says why in the log.
                    report.failures.push(format!("MODULE_TX_UNSIGNABLE module_tx={} reason=\"{}\"", row.id, e.message));
                    sorted.waiting.push(row.id);
                    continue;
                }
            }
        }
        kept.push(row);
    }
    store::store_signatures(platform.db(), tick, &new)?;
    report.signed = new.len();
    *live = kept;
    Ok(())
}
