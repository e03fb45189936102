//! The `AutomationModule` Safe module's ABI, as Rust types, and the three things the backend
//! does with it: build the EIP-712 digest a session key signs, build the `executeFromSessionKey`
//! calldata the relayer submits, and turn a revert into the reason stored as
//! `module_txs.error_reason`. The contract is `contracts/src/AutomationModule.sol`; the types are
//! generated from its interface `contracts/src/interfaces/IAutomationModule.sol` itself (one source
//! of truth for the ABI), and `tests/automation_module_abi.rs` checks both against one committed
//! vector.

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::{sol, Eip712Domain, SolCall, SolError, SolInterface, SolStruct};
use std::borrow::Cow;
use std::fmt;

// Path relative to this crate's CARGO_MANIFEST_DIR; the macro re-reads the file when it changes.
sol!(
    #[sol(all_derives)]
    "../../contracts/src/interfaces/IAutomationModule.sol"
);

/// The message a session key signs (EIP-712 primary type `SessionKeyExecution`): `data` is hashed
/// as keccak256(data), `minGas` is the gas the call must get, `epoch` the key's current epoch
/// (`getSessionKey`), which the owners' `updateSessionKey` bumps.
pub use IAutomationModule::SessionKeyExecution;

/// `MAX_AUTHORIZATION_LIFETIME` of the contract: the furthest an authorization's deadline may be.
pub const MAX_AUTHORIZATION_LIFETIME_SECS: u64 = 15 * 60;

/// EIP-712 domain name of every AutomationModule deployment.
pub const DOMAIN_NAME: &str = "Mirror AutomationModule";
/// EIP-712 domain version of this ABI.
pub const DOMAIN_VERSION: &str = "2";

/// The signing domain of the module deployed at `module` on `chain_id`.
pub fn domain(chain_id: u64, module: Address) -> Eip712Domain {
    Eip712Domain::new(
        Some(Cow::Borrowed(DOMAIN_NAME)),
        Some(Cow::Borrowed(DOMAIN_VERSION)),
        Some(U256::from(chain_id)),
        Some(module),
        None,
    )
}

/// The digest the session key signs (raw secp256k1 over it, no message prefix).
pub fn execution_digest(chain_id: u64, module: Address, execution: &SessionKeyExecution) -> B256 {
    execution.eip712_signing_hash(&domain(chain_id, module))
}

/// Calldata of `executeFromSessionKey` for a signed execution: what the relayer sends to the module.
pub fn execute_calldata(execution: &SessionKeyExecution, session_key: Address, signature: Bytes) -> Bytes {
    IAutomationModule::executeFromSessionKeyCall { execution: execution.clone(), sessionKey: session_key, signature }
        .abi_encode()
        .into()
}

/// Why the module (or the Safe under it) refused or failed an execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleRevert {
    /// A limit or rule of the module: the transaction is BLOCKED.
    Violation(IAutomationModule::IAutomationModuleErrors),
    /// The Safe has not enabled the module (Safe error `GS104`).
    ModuleNotEnabled,
    /// The target call itself reverted. The transaction FAILED. Its revert data is not carried
    /// (the module never copies return data); simulate the Safe's call to the target to see it.
    CallFailed,
    /// Revert data this ABI does not know (or none), kept as hex for the record.
    Unrecognized { data: Bytes },
}

const SAFE_MODULE_NOT_ENABLED: &str = "GS104";

impl ModuleRevert {
    /// Decodes the revert data of an `executeFromSessionKey` call.
    pub fn decode(data: &[u8]) -> Self {
        use IAutomationModule::IAutomationModuleErrors as E;
        match E::abi_decode(data) {
            Ok(E::ExecutionFailed(_)) => ModuleRevert::CallFailed,
            Ok(error) => ModuleRevert::Violation(error),
            Err(_) => match alloy_sol_types::Revert::abi_decode(data) {
                Ok(revert) if revert.reason == SAFE_MODULE_NOT_ENABLED => ModuleRevert::ModuleNotEnabled,
                _ => ModuleRevert::Unrecognized { data: Bytes::copy_from_slice(data) },
            },
        }
    }

    /// True for a refusal by the module's rules (runbook: BLOCKED), false for a failure (FAILED).
    pub fn is_blocked(&self) -> bool {
        matches!(self, ModuleRevert::Violation(_) | ModuleRevert::ModuleNotEnabled)
    }

    /// A stable name for `module_txs.error_reason`: the Solidity error's name, `ModuleNotEnabled`,
    /// `ExecutionFailed` or `Unrecognized`.
    pub fn reason(&self) -> &'static str {
        use IAutomationModule::IAutomationModuleErrors as E;
        match self {
            ModuleRevert::ModuleNotEnabled => "ModuleNotEnabled",
            ModuleRevert::CallFailed => "ExecutionFailed",
            ModuleRevert::Unrecognized { .. } => "Unrecognized",
            ModuleRevert::Violation(error) => match error {
                E::UnknownSessionKey(_) => "UnknownSessionKey",
                E::RevokedSessionKey(_) => "RevokedSessionKey",
                E::ExpiredSessionKey(_) => "ExpiredSessionKey",
                E::AuthorizationExpired(_) => "AuthorizationExpired",
                E::AuthorizationTooLong(_) => "AuthorizationTooLong",
                E::StaleAuthorization(_) => "StaleAuthorization",
                E::InvalidSignatureLength(_) => "InvalidSignatureLength",
                E::SignatureMalleable(_) => "SignatureMalleable",
                E::InvalidSignature(_) => "InvalidSignature",
                E::NonceAlreadyUsed(_) => "NonceAlreadyUsed",
                E::SelfCallForbidden(_) => "SelfCallForbidden",
                E::NativeValueForbidden(_) => "NativeValueForbidden",
                E::CallNotAllowed(_) => "CallNotAllowed",
                E::CollateralCallForbidden(_) => "CollateralCallForbidden",
                E::MalformedCall(_) => "MalformedCall",
                E::RecipientNotAllowed(_) => "RecipientNotAllowed",
                E::SpenderNotAllowed(_) => "SpenderNotAllowed",
                E::UnmeasuredApproval(_) => "UnmeasuredApproval",
                E::ApprovalDecreaseForbidden(_) => "ApprovalDecreaseForbidden",
                E::ArgumentOutOfScope(_) => "ArgumentOutOfScope",
                E::StandingApprovalTarget(_) => "StandingApprovalTarget",
                E::TxRateExceeded(_) => "TxRateExceeded",
                E::InsufficientGas(_) => "InsufficientGas",
                E::TradeNotionalExceeded(_) => "TradeNotionalExceeded",
                E::DailyNotionalExceeded(_) => "DailyNotionalExceeded",
                E::ExecutionFailed(_) => "ExecutionFailed",
                E::Reentrancy(_) => "Reentrancy",
                E::InvalidSessionKey(_) => "InvalidSessionKey",
                E::SessionKeyAlreadyRegistered(_) => "SessionKeyAlreadyRegistered",
                E::InvalidValidUntil(_) => "InvalidValidUntil",
                E::InvalidLimits(_) => "InvalidLimits",
                E::InvalidAddress(_) => "InvalidAddress",
                E::TooManyScopedArguments(_) => "TooManyScopedArguments",
            },
        }
    }
}

/// The reason with its figures, e.g. `DailyNotionalExceeded: 1100000000 in window > 1000000000`
/// (amounts in collateral base units, 6 decimals), for logs and the operator's view.
impl fmt::Display for ModuleRevert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use IAutomationModule::IAutomationModuleErrors as E;
        let reason = self.reason();
        match self {
            ModuleRevert::CallFailed => write!(f, "{reason}: the target call reverted"),
            ModuleRevert::Unrecognized { data } => write!(f, "{reason}: {data}"),
            ModuleRevert::ModuleNotEnabled => {
                write!(f, "{reason}: the Safe has not enabled the module")
            }
            ModuleRevert::Violation(error) => match error {
                E::ExpiredSessionKey(e) => write!(f, "{reason}: valid until {}", e.validUntil),
                E::AuthorizationExpired(e) => write!(f, "{reason}: deadline {}", e.deadline),
                E::AuthorizationTooLong(e) => {
                    write!(f, "{reason}: deadline {} > {}", e.deadline, e.latestDeadline)
                }
                E::StaleAuthorization(e) => {
                    write!(f, "{reason}: epoch {} != {}", e.epoch, e.currentEpoch)
                }
                E::NonceAlreadyUsed(e) => write!(f, "{reason}: nonce {}", e.nonce),
                E::CallNotAllowed(e) => write!(f, "{reason}: {} selector {}", e.target, e.selector),
                E::CollateralCallForbidden(e) => write!(f, "{reason}: selector {}", e.selector),
                E::MalformedCall(e) => write!(f, "{reason}: selector {}", e.selector),
                E::RecipientNotAllowed(e) => write!(f, "{reason}: {}", e.recipient),
                E::SpenderNotAllowed(e) => write!(f, "{reason}: {}", e.spender),
                E::UnmeasuredApproval(e) => write!(f, "{reason}: token {}", e.token),
                E::ApprovalDecreaseForbidden(e) => write!(f, "{reason}: {}", e.spender),
                E::ArgumentOutOfScope(e) => {
                    write!(f, "{reason}: argument {} is {}", e.index, e.account)
                }
                E::StandingApprovalTarget(e) => write!(f, "{reason}: {}", e.target),
                E::TxRateExceeded(e) => {
                    write!(f, "{reason}: more than {} per hour", e.maxTxPerHour)
                }
                E::InsufficientGas(e) => {
                    write!(f, "{reason}: {} gas left, call needs {}", e.gasLeft, e.minGas)
                }
                E::TradeNotionalExceeded(e) => {
                    write!(f, "{reason}: {} > {}", e.notional, e.maxNotionalPerTrade)
                }
                E::DailyNotionalExceeded(e) => {
                    write!(f, "{reason}: {} in window > {}", e.notionalInWindow, e.maxNotionalPerDay)
                }
                _ => f.write_str(reason),
            },
        }
    }
}

/// Every selector of the errors `executeFromSessionKey` raises, by name (for checks against the
/// contract's build).
pub fn error_selectors() -> Vec<(&'static str, [u8; 4])> {
    use IAutomationModule as M;
    vec![
        ("UnknownSessionKey", M::UnknownSessionKey::SELECTOR),
        ("RevokedSessionKey", M::RevokedSessionKey::SELECTOR),
        ("ExpiredSessionKey", M::ExpiredSessionKey::SELECTOR),
        ("AuthorizationExpired", M::AuthorizationExpired::SELECTOR),
        ("AuthorizationTooLong", M::AuthorizationTooLong::SELECTOR),
        ("StaleAuthorization", M::StaleAuthorization::SELECTOR),
        ("InvalidSignatureLength", M::InvalidSignatureLength::SELECTOR),
        ("SignatureMalleable", M::SignatureMalleable::SELECTOR),
        ("InvalidSignature", M::InvalidSignature::SELECTOR),
        ("NonceAlreadyUsed", M::NonceAlreadyUsed::SELECTOR),
        ("SelfCallForbidden", M::SelfCallForbidden::SELECTOR),
        ("NativeValueForbidden", M::NativeValueForbidden::SELECTOR),
        ("CallNotAllowed", M::CallNotAllowed::SELECTOR),
        ("CollateralCallForbidden", M::CollateralCallForbidden::SELECTOR),
        ("MalformedCall", M::MalformedCall::SELECTOR),
        ("RecipientNotAllowed", M::RecipientNotAllowed::SELECTOR),
        ("SpenderNotAllowed", M::SpenderNotAllowed::SELECTOR),
        ("UnmeasuredApproval", M::UnmeasuredApproval::SELECTOR),
        ("ApprovalDecreaseForbidden", M::ApprovalDecreaseForbidden::SELECTOR),
        ("ArgumentOutOfScope", M::ArgumentOutOfScope::SELECTOR),
        ("StandingApprovalTarget", M::StandingApprovalTarget::SELECTOR),
        ("TxRateExceeded", M::TxRateExceeded::SELECTOR),
        ("InsufficientGas", M::InsufficientGas::SELECTOR),
        ("TradeNotionalExceeded", M::TradeNotionalExceeded::SELECTOR),
        ("DailyNotionalExceeded", M::DailyNotionalExceeded::SELECTOR),
        ("ExecutionFailed", M::ExecutionFailed::SELECTOR),
        ("Reentrancy", M::Reentrancy::SELECTOR),
    ]
}
