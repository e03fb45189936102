// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

/// @notice The AutomationModule's external interface: what the relayer submits, what the Safe
/// configures, what the backend reads, every event and every error. The one source of the ABI:
/// `components/core/src/automation_module.rs` generates its Rust types from this file.
interface IAutomationModule {
    /// @notice What a session key signs for one call (EIP-712 primary type, see README):
    /// `SessionKeyExecution(address safe,address to,uint256 value,bytes data,uint256 nonce,uint256 deadline,uint256 minGas,uint256 epoch)`,
    /// `data` hashed as keccak256(data).
    struct SessionKeyExecution {
        address safe;
        address to;
        uint256 value;
        bytes data;
        uint256 nonce;
        uint256 deadline;
        /// Gas the call must be given; the module refuses to start it with less.
        uint256 minGas;
        /// The key's epoch when signed; `updateSessionKey` bumps it, voiding what was signed before.
        uint256 epoch;
    }

    /// @notice The set an address argument of an allowlisted call can be pinned to.
    enum AddressSet {
        Any,
        Safe,
        WithdrawalRecipient,
        ApprovedOperator
    }

    /// @notice One (target, selector) entry of a Safe's call allowlist.
    struct CallPermission {
        bool allowed;
        /// The owners' statement that the function moves the calling Safe's tokens only during the
        /// call, for the Safe's own trade, paying what it returns to the Safe; required for a
        /// target that holds a standing approval from the Safe.
        bool callerBound;
        /// `arguments[i]` pins the i-th 32-byte word of the arguments (a static address) to a set.
        AddressSet[] arguments;
    }

    // ---- Errors raised by executeFromSessionKey (the backend stores their names as BLOCKED reasons)

    error UnknownSessionKey(address safe, address sessionKey);
    error RevokedSessionKey(address safe, address sessionKey);
    error ExpiredSessionKey(address sessionKey, uint256 validUntil);
    error AuthorizationExpired(uint256 deadline);
    error AuthorizationTooLong(uint256 deadline, uint256 latestDeadline);
    error StaleAuthorization(uint256 epoch, uint256 currentEpoch);
    error InvalidSignatureLength(uint256 length);
    error SignatureMalleable();
    error InvalidSignature();
    error NonceAlreadyUsed(address sessionKey, uint256 nonce);
    error SelfCallForbidden(address target);
    error NativeValueForbidden(uint256 value);
    error CallNotAllowed(address target, bytes4 selector);
    error CollateralCallForbidden(bytes4 selector);
    error MalformedCall(bytes4 selector);
    error RecipientNotAllowed(address recipient);
    error SpenderNotAllowed(address spender);
    error UnmeasuredApproval(address token);
    error ApprovalDecreaseForbidden(address spender);
    error ArgumentOutOfScope(uint256 index, address account);
    error StandingApprovalTarget(address target);
    error TxRateExceeded(uint256 maxTxPerHour);
    error InsufficientGas(uint256 gasLeft, uint256 minGas);
    error TradeNotionalExceeded(uint256 notional, uint256 maxNotionalPerTrade);
    error DailyNotionalExceeded(uint256 notionalInWindow, uint256 maxNotionalPerDay);
    error ExecutionFailed();
    error Reentrancy();

    // ---- Errors raised by the Safe's own configuration calls

    error InvalidSessionKey(address sessionKey);
    error SessionKeyAlreadyRegistered(address sessionKey);
    error InvalidValidUntil(uint256 validUntil);
    error InvalidLimits(uint256 maxNotionalPerTrade, uint256 maxNotionalPerDay, uint256 maxTxPerHour);
    error InvalidAddress(address account);
    error TooManyScopedArguments(uint256 count);

    // ---- Events

    event SessionKeyRegistered(
        address indexed safe,
        address indexed sessionKey,
        uint256 validUntil,
        uint256 maxNotionalPerTrade,
        uint256 maxNotionalPerDay,
        uint256 maxTxPerHour
    );
    event SessionKeyUpdated(
        address indexed safe,
        address indexed sessionKey,
        uint256 validUntil,
        uint256 maxNotionalPerTrade,
        uint256 maxNotionalPerDay,
        uint256 maxTxPerHour,
        uint256 epoch
    );
    event SessionKeyRevoked(address indexed safe, address indexed sessionKey);
    event NoncesInvalidated(address indexed safe, address indexed sessionKey, uint256 wordPosition, uint256 mask);
    event CallAllowlistUpdated(
        address indexed safe,
        address indexed target,
        bytes4 indexed selector,
        bool allowed,
        bool callerBound,
        AddressSet[] arguments
    );
    event WithdrawalAllowlistUpdated(address indexed safe, address indexed recipient, bool allowed);
    event ApprovedOperatorUpdated(address indexed safe, address indexed operator, bool approved);
    event ExecutedFromSessionKey(
        address indexed safe,
        address indexed sessionKey,
        address indexed target,
        bytes4 selector,
        uint256 nonce,
        uint256 notional
    );

    // ---- Execution (anyone may submit; the session key's signature authorizes)

    /// @notice Runs `execution.to.call(execution.data)` from the Safe within the key's limits.
    /// Returns nothing: the target's return data is never copied (the submitter would pay for it).
    function executeFromSessionKey(SessionKeyExecution calldata execution, address sessionKey, bytes calldata signature)
        external;

    // ---- Configuration (msg.sender is the Safe: a Safe transaction its owners signed)

    function registerSessionKey(
        address sessionKey,
        uint256 validUntil,
        uint256 maxNotionalPerTrade,
        uint256 maxNotionalPerDay,
        uint256 maxTxPerHour
    ) external;
    /// @notice New limits for a key; bumps its epoch, so every authorization signed before is void.
    function updateSessionKey(
        address sessionKey,
        uint256 validUntil,
        uint256 maxNotionalPerTrade,
        uint256 maxNotionalPerDay,
        uint256 maxTxPerHour
    ) external;
    function revokeSessionKey(address sessionKey) external;
    /// @notice Marks the nonces `wordPosition * 256 + i` for every bit i set in `mask` as used.
    function invalidateNonces(address sessionKey, uint256 wordPosition, uint256 mask) external;
    /// @notice An unscoped entry: `setCallPermission(target, selector, (allowed, false, []))`.
    function setCallAllowed(address target, bytes4 selector, bool allowed) external;
    /// @notice Sets or (with `allowed` false, other fields ignored) removes an allowlist entry.
    function setCallPermission(address target, bytes4 selector, CallPermission calldata permission) external;
    function setWithdrawalRecipient(address recipient, bool allowed) external;
    /// @notice Who a session key may approve (ERC-20 approve, ERC-1155/721 setApprovalForAll).
    function setApprovedOperator(address operator, bool approved) external;

    // ---- Views

    /// @notice A key's limits and state; `validUntil` 0 means the key was never registered.
    function getSessionKey(address safe, address key)
        external
        view
        returns (
            uint256 validUntil,
            bool revoked,
            uint256 maxNotionalPerTrade,
            uint256 maxNotionalPerDay,
            uint256 maxTxPerHour,
            uint256 txCount,
            uint256 epoch
        );
    /// @notice Notional charged to the key in the current clock hour and the 24 before it.
    function notionalInWindow(address safe, address key) external view returns (uint256);
    /// @notice Whether one more execution now would stay within the key's transactions per hour.
    function txRateAllowsNow(address safe, address key) external view returns (bool);
    function isNonceUsed(address safe, address key, uint256 nonce) external view returns (bool);
    function isCallAllowed(address safe, address target, bytes4 selector) external view returns (bool);
    function getCallPermission(address safe, address target, bytes4 selector)
        external
        view
        returns (CallPermission memory);
    function isWithdrawalRecipient(address safe, address recipient) external view returns (bool);
    function isApprovedOperator(address safe, address operator) external view returns (bool);
    /// @notice The EIP-712 digest a session key signs to authorize `execution`.
    function executionDigest(SessionKeyExecution calldata execution) external view returns (bytes32);
    /// @notice EIP712Domain(name, version, chainId, this module's address).
    function domainSeparator() external view returns (bytes32);
}
