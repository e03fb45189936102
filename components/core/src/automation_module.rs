//! The `AutomationModule` Safe module's ABI, as Rust types, and the three things the backend
//! does with it: build the EIP-712 digest a session key signs, build the `executeFromSessionKey`
//! calldata the relayer submits, and turn a revert into the reason stored as
//! `module_txs.error_reason`. The contract is `contracts/src/AutomationModule.sol`; its interface
//! `contracts/src/interfaces/IAutomationModule.sol` is mirrored here one to one, and
//! `tests/automation_module_abi.rs` checks both against one committed vector.

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::{sol, Eip712Domain, SolCall, SolError, SolInterface, SolStruct};
use std::borrow::Cow;
use std::fmt;

sol! {
    /// The message a session key signs (EIP-712 primary type). `data` is hashed as
    /// keccak256(data), as EIP-712 does for dynamic bytes.
    #[derive(Debug, PartialEq, Eq)]
    struct SessionKeyExecution {
        address safe;
        address to;
        uint256 value;
        bytes data;
        uint256 nonce;
        uint256 deadline;
    }

    /// `contracts/src/interfaces/IAutomationModule.sol`.
    #[derive(Debug, PartialEq, Eq)]
    interface IAutomationModule {
        error UnknownSessionKey(address safe, address sessionKey);
        error RevokedSessionKey(address safe, address sessionKey);
        error ExpiredSessionKey(address sessionKey, uint256 validUntil);
        error AuthorizationExpired(uint256 deadline);
        error InvalidSignatureLength(uint256 length);
        error SignatureMalleable();
        error InvalidSignature();
        error NonceAlreadyUsed(address sessionKey, uint256 nonce);
        error SelfCallForbidden(address target);
        error NativeValueForbidden(uint256 value);
        error CallNotAllowed(address target, bytes4 selector);
        error CollateralCallForbidden(bytes4 selector);
        error RecipientNotAllowed(address recipient);
        error SpenderNotAllowed(address spender);
        error TxRateExceeded(uint256 maxTxPerHour);
        error TradeNotionalExceeded(uint256 notional, uint256 maxNotionalPerTrade);
        error DailyNotionalExceeded(uint256 notionalInWindow, uint256 maxNotionalPerDay);
        error ExecutionFailed(bytes returnData);
        error Reentrancy();

        error InvalidSessionKey(address sessionKey);
        error SessionKeyAlreadyRegistered(address sessionKey);
        error InvalidValidUntil(uint256 validUntil);
        error InvalidLimits(uint256 maxNotionalPerTrade, uint256 maxNotionalPerDay, uint256 maxTxPerHour);
        error InvalidAddress(address account);

        event SessionKeyRegistered(address indexed safe, address indexed sessionKey, uint256 validUntil, uint256 maxNotionalPerTrade, uint256 maxNotionalPerDay, uint256 maxTxPerHour);
        event SessionKeyUpdated(address indexed safe, address indexed sessionKey, uint256 validUntil, uint256 maxNotionalPerTrade, uint256 maxNotionalPerDay, uint256 maxTxPerHour);
        event SessionKeyRevoked(address indexed safe, address indexed sessionKey);
        event CallAllowlistUpdated(address indexed safe, address indexed target, bytes4 indexed selector, bool allowed);
        event WithdrawalAllowlistUpdated(address indexed safe, address indexed recipient, bool allowed);
        event ExecutedFromSessionKey(address indexed safe, address indexed sessionKey, address indexed target, bytes4 selector, uint256 nonce, uint256 notional);

        function executeFromSessionKey(address safe, address sessionKey, address to, uint256 value, bytes data, uint256 nonce, uint256 deadline, bytes signature) external returns (bytes returnData);

        function registerSessionKey(address sessionKey, uint256 validUntil, uint256 maxNotionalPerTrade, uint256 maxNotionalPerDay, uint256 maxTxPerHour) external;
        function updateSessionKey(address sessionKey, uint256 validUntil, uint256 maxNotionalPerTrade, uint256 maxNotionalPerDay, uint256 maxTxPerHour) external;
        function revokeSessionKey(address sessionKey) external;
        function setCallAllowed(address target, bytes4 selector, bool allowed) external;
        function setWithdrawalRecipient(address recipient, bool allowed) external;

        function getSessionKey(address safe, address key) external view returns (uint256 validUntil, bool revoked, uint256 maxNotionalPerTrade, uint256 maxNotionalPerDay, uint256 maxTxPerHour, uint256 txCount);
        function notionalInWindow(address safe, address key) external view returns (uint256);
        function txRateAllowsNow(address safe, address key) external view returns (bool);
        function isNonceUsed(address safe, address key, uint256 nonce) external view returns (bool);
        function executionDigest(address safe, address to, uint256 value, bytes data, uint256 nonce, uint256 deadline) external view returns (bytes32);
        function domainSeparator() external view returns (bytes32);
    }
}

/// EIP-712 domain name of every AutomationModule deployment.
pub const DOMAIN_NAME: &str = "Mirror AutomationModule";
/// EIP-712 domain version of this ABI.
pub const DOMAIN_VERSION: &str = "1";

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
    IAutomationModule::executeFromSessionKeyCall {
        safe: execution.safe,
        sessionKey: session_key,
        to: execution.to,
        value: execution.value,
        data: execution.data.clone(),
        nonce: execution.nonce,
        deadline: execution.deadline,
        signature,
    }
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
    /// The target call itself reverted; `return_data` is its revert data. The transaction FAILED.
    CallFailed { return_data: Bytes },
    /// Revert data this ABI does not know (or none), kept as hex for the record.
    Unrecognized { data: Bytes },
}

const SAFE_MODULE_NOT_ENABLED: &str = "GS104";

impl ModuleRevert {
    /// Decodes the revert data of an `executeFromSessionKey` call.
    pub fn decode(data: &[u8]) -> Self {
        use IAutomationModule::IAutomationModuleErrors as E;
        match E::abi_decode(data) {
            Ok(E::ExecutionFailed(failed)) => ModuleRevert::CallFailed { return_data: failed.returnData },
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
            ModuleRevert::CallFailed { .. } => "ExecutionFailed",
            ModuleRevert::Unrecognized { .. } => "Unrecognized",
            ModuleRevert::Violation(error) => match error {
                E::UnknownSessionKey(_) => "UnknownSessionKey",
                E::RevokedSessionKey(_) => "RevokedSessionKey",
                E::ExpiredSessionKey(_) => "ExpiredSessionKey",
                E::AuthorizationExpired(_) => "AuthorizationExpired",
                E::InvalidSignatureLength(_) => "InvalidSignatureLength",
                E::SignatureMalleable(_) => "SignatureMalleable",
                E::InvalidSignature(_) => "InvalidSignature",
                E::NonceAlreadyUsed(_) => "NonceAlreadyUsed",
                E::SelfCallForbidden(_) => "SelfCallForbidden",
                E::NativeValueForbidden(_) => "NativeValueForbidden",
                E::CallNotAllowed(_) => "CallNotAllowed",
                E::CollateralCallForbidden(_) => "CollateralCallForbidden",
                E::RecipientNotAllowed(_) => "RecipientNotAllowed",
                E::SpenderNotAllowed(_) => "SpenderNotAllowed",
                E::TxRateExceeded(_) => "TxRateExceeded",
                E::TradeNotionalExceeded(_) => "TradeNotionalExceeded",
                E::DailyNotionalExceeded(_) => "DailyNotionalExceeded",
                E::ExecutionFailed(_) => "ExecutionFailed",
                E::Reentrancy(_) => "Reentrancy",
                E::InvalidSessionKey(_) => "InvalidSessionKey",
                E::SessionKeyAlreadyRegistered(_) => "SessionKeyAlreadyRegistered",
                E::InvalidValidUntil(_) => "InvalidValidUntil",
                E::InvalidLimits(_) => "InvalidLimits",
                E::InvalidAddress(_) => "InvalidAddress",
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
            ModuleRevert::CallFailed { return_data } => {
                write!(f, "{reason}: target reverted with {return_data}")
            }
            ModuleRevert::Unrecognized { data } => write!(f, "{reason}: {data}"),
            ModuleRevert::ModuleNotEnabled => {
                write!(f, "{reason}: the Safe has not enabled the module")
            }
            ModuleRevert::Violation(error) => match error {
                E::ExpiredSessionKey(e) => write!(f, "{reason}: valid until {}", e.validUntil),
                E::AuthorizationExpired(e) => write!(f, "{reason}: deadline {}", e.deadline),
                E::NonceAlreadyUsed(e) => write!(f, "{reason}: nonce {}", e.nonce),
                E::CallNotAllowed(e) => write!(f, "{reason}: {} selector {}", e.target, e.selector),
                E::CollateralCallForbidden(e) => write!(f, "{reason}: selector {}", e.selector),
                E::RecipientNotAllowed(e) => write!(f, "{reason}: {}", e.recipient),
                E::SpenderNotAllowed(e) => write!(f, "{reason}: {}", e.spender),
                E::TxRateExceeded(e) => {
                    write!(f, "{reason}: more than {} per hour", e.maxTxPerHour)
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

/// Every selector of the module's errors, by name (for checks against the contract's build).
pub fn error_selectors() -> Vec<(&'static str, [u8; 4])> {
    use IAutomationModule as M;
    vec![
        ("UnknownSessionKey", M::UnknownSessionKey::SELECTOR),
        ("RevokedSessionKey", M::RevokedSessionKey::SELECTOR),
        ("ExpiredSessionKey", M::ExpiredSessionKey::SELECTOR),
        ("AuthorizationExpired", M::AuthorizationExpired::SELECTOR),
        ("InvalidSignatureLength", M::InvalidSignatureLength::SELECTOR),
        ("SignatureMalleable", M::SignatureMalleable::SELECTOR),
        ("InvalidSignature", M::InvalidSignature::SELECTOR),
        ("NonceAlreadyUsed", M::NonceAlreadyUsed::SELECTOR),
        ("SelfCallForbidden", M::SelfCallForbidden::SELECTOR),
        ("NativeValueForbidden", M::NativeValueForbidden::SELECTOR),
        ("CallNotAllowed", M::CallNotAllowed::SELECTOR),
        ("CollateralCallForbidden", M::CollateralCallForbidden::SELECTOR),
        ("RecipientNotAllowed", M::RecipientNotAllowed::SELECTOR),
        ("SpenderNotAllowed", M::SpenderNotAllowed::SELECTOR),
        ("TxRateExceeded", M::TxRateExceeded::SELECTOR),
        ("TradeNotionalExceeded", M::TradeNotionalExceeded::SELECTOR),
        ("DailyNotionalExceeded", M::DailyNotionalExceeded::SELECTOR),
        ("ExecutionFailed", M::ExecutionFailed::SELECTOR),
        ("Reentrancy", M::Reentrancy::SELECTOR),
    ]
}
