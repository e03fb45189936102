// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

/// @notice The AutomationModule's external interface: what the relayer submits, what the Safe
/// configures, every event and every error. `components/core/src/automation_module.rs` mirrors it.
interface IAutomationModule {
    // ---- Errors raised by executeFromSessionKey (the backend stores their names as BLOCKED reasons)

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

    // ---- Errors raised by the Safe's own configuration calls

    error InvalidSessionKey(address sessionKey);
    error SessionKeyAlreadyRegistered(address sessionKey);
    error InvalidValidUntil(uint256 validUntil);
    error InvalidLimits(uint256 maxNotionalPerTrade, uint256 maxNotionalPerDay, uint256 maxTxPerHour);
    error InvalidAddress(address account);

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
        uint256 maxTxPerHour
    );
    event SessionKeyRevoked(address indexed safe, address indexed sessionKey);
    event CallAllowlistUpdated(address indexed safe, address indexed target, bytes4 indexed selector, bool allowed);
    event WithdrawalAllowlistUpdated(address indexed safe, address indexed recipient, bool allowed);
    event ExecutedFromSessionKey(
        address indexed safe,
        address indexed sessionKey,
        address indexed target,
        bytes4 selector,
        uint256 nonce,
        uint256 notional
    );

    // ---- Execution (anyone may submit; the session key's signature authorizes)

    function executeFromSessionKey(
        address safe,
        address sessionKey,
        address to,
        uint256 value,
        bytes calldata data,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes memory returnData);

    // ---- Configuration (msg.sender is the Safe: a Safe transaction its owners signed)

    function registerSessionKey(
        address sessionKey,
        uint256 validUntil,
        uint256 maxNotionalPerTrade,
        uint256 maxNotionalPerDay,
        uint256 maxTxPerHour
    ) external;
    function updateSessionKey(
        address sessionKey,
        uint256 validUntil,
        uint256 maxNotionalPerTrade,
        uint256 maxNotionalPerDay,
        uint256 maxTxPerHour
    ) external;
    function revokeSessionKey(address sessionKey) external;
    function setCallAllowed(address target, bytes4 selector, bool allowed) external;
    function setWithdrawalRecipient(address recipient, bool allowed) external;
}
