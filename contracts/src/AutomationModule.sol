// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {IAutomationModule} from "./interfaces/IAutomationModule.sol";
import {IERC20} from "./interfaces/IERC20.sol";
import {ISafe} from "./interfaces/ISafe.sol";
import {SessionKey, SessionKeyWindows} from "./SessionKeyWindows.sol";

/// @title AutomationModule — session keys with limits the chain enforces, for Safes
/// @notice A Safe enables this module and registers session keys. A session key authorizes one
/// call at a time with an EIP-712 signature; anyone (Mirror's relayer) submits it. The module
/// executes it through the Safe only within the key's limits: expiry, revocation, per-trade and
/// rolling-day notional (collateral leaving the Safe, measured, never declared), transactions per
/// hour, the Safe's call allowlist and its withdrawal allowlist. Everything is stored per Safe and
/// only the Safe itself (a transaction its owners signed) can change its own configuration.
/// @dev One deployment serves every Safe on a chain. See contracts/README.md for the rules.
contract AutomationModule is IAutomationModule {
    using SessionKeyWindows for SessionKey;

    string public constant NAME = "Mirror AutomationModule";
    string public constant VERSION = "1";

    bytes32 public constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    /// @dev `bytes data` is hashed as keccak256(data), as EIP-712 does for dynamic bytes.
    bytes32 public constant EXECUTION_TYPEHASH = keccak256(
        "SessionKeyExecution(address safe,address to,uint256 value,bytes data,uint256 nonce,uint256 deadline)"
    );

    uint256 public constant MIN_SESSION_TTL = 300;
    uint256 public constant MAX_SESSION_TTL = 30 days;
    uint256 public constant MAX_TX_PER_HOUR = SessionKeyWindows.TX_LOG_SIZE;

    /// @dev secp256k1n / 2: an `s` above it is the malleated twin of a valid signature.
    uint256 private constant HALF_CURVE_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /// @notice The token whose outflow is measured as notional (pUSD on Polygon, 6 decimals).
    address public immutable COLLATERAL;

    bytes32 private immutable CACHED_DOMAIN_SEPARATOR;
    uint256 private immutable CACHED_CHAIN_ID;
    address private immutable CACHED_THIS;

    mapping(address safe => mapping(address key => SessionKey)) private keys;
    mapping(address safe => mapping(address key => mapping(uint256 word => uint256 bits))) private usedNonces;
    mapping(address safe => mapping(address target => mapping(bytes4 selector => bool))) private allowedCalls;
    /// @dev How many selectors a target has on the allowlist: an approval spender must have one.
    mapping(address safe => mapping(address target => uint256)) private allowedSelectorCount;
    mapping(address safe => mapping(address recipient => bool)) private withdrawalRecipients;

    bool private transient executing;

    constructor(address collateral) {
        if (collateral == address(0)) revert InvalidAddress(collateral);
        COLLATERAL = collateral;
        CACHED_CHAIN_ID = block.chainid;
        CACHED_THIS = address(this);
        CACHED_DOMAIN_SEPARATOR = _buildDomainSeparator();
    }

    // =========================================================================================
    // Execution
    // =========================================================================================

    /// @inheritdoc IAutomationModule
    function executeFromSessionKey(
        address safe,
        address sessionKey,
        address to,
        uint256 value,
        bytes calldata data,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes memory returnData) {
        if (executing) revert Reentrancy();
        executing = true;

        SessionKey storage key = keys[safe][sessionKey];
        _checkKeyActive(key, safe, sessionKey);
        if (block.timestamp > deadline) revert AuthorizationExpired(deadline);
        if (_recoverSigner(executionDigest(safe, to, value, data, nonce, deadline), signature) != sessionKey) {
            revert InvalidSignature();
        }
        address spender = _checkCall(safe, to, value, data);
        if (!key.txAllowed(block.timestamp)) revert TxRateExceeded(key.maxTxPerHour);

        // Effects before the call: the nonce is spent and the execution counted, so a reentrant
        // or repeated submission sees them. A revert anywhere below undoes them with the call.
        _useNonce(safe, sessionKey, nonce);
        key.recordTx(block.timestamp);

        uint256 notional;
        (returnData, notional) = _executeMeasured(safe, to, data, spender);
        _chargeNotional(key, notional);

        emit ExecutedFromSessionKey(safe, sessionKey, to, _selector(data), nonce, notional);
        executing = false;
    }

    /// @notice The EIP-712 digest a session key signs to authorize one call.
    function executionDigest(
        address safe,
        address to,
        uint256 value,
        bytes calldata data,
        uint256 nonce,
        uint256 deadline
    ) public view returns (bytes32) {
        bytes32 structHash =
            keccak256(abi.encode(EXECUTION_TYPEHASH, safe, to, value, keccak256(data), nonce, deadline));
        return keccak256(abi.encodePacked(hex"1901", domainSeparator(), structHash));
    }

    /// @notice EIP712Domain(name, version, chainId, this module's address).
    function domainSeparator() public view returns (bytes32) {
        if (block.chainid == CACHED_CHAIN_ID && address(this) == CACHED_THIS) return CACHED_DOMAIN_SEPARATOR;
        return _buildDomainSeparator();
    }

    function _checkKeyActive(SessionKey storage key, address safe, address sessionKey) private view {
        uint256 validUntil = key.validUntil;
        if (validUntil == 0) revert UnknownSessionKey(safe, sessionKey);
        if (key.revoked) revert RevokedSessionKey(safe, sessionKey);
        if (block.timestamp > validUntil) revert ExpiredSessionKey(sessionKey, validUntil);
    }

    /// @dev Only 65-byte (r, s, v) signatures with v in {27, 28} and a low s are accepted, so each
    /// authorization has exactly one valid encoding.
    function _recoverSigner(bytes32 digest, bytes calldata signature) private pure returns (address signer) {
        if (signature.length != 65) revert InvalidSignatureLength(signature.length);
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if (uint256(s) > HALF_CURVE_ORDER) revert SignatureMalleable();
        if (v != 27 && v != 28) revert InvalidSignature();
        signer = ecrecover(digest, v, r, s);
        if (signer == address(0)) revert InvalidSignature();
    }

    /// @dev The call policy. Returns the spender when the call is a collateral approval, whose
    /// allowance increase is charged as notional.
    function _checkCall(address safe, address to, uint256 value, bytes calldata data)
        private
        view
        returns (address spender)
    {
        // Calling the Safe would reach its owner-only functions (owners, modules, guard); calling
        // this module from the Safe would rewrite the Safe's own limits.
        if (to == safe || to == address(this)) revert SelfCallForbidden(to);
        // Native POL leaving the Safe is not measured as notional, so none may leave.
        if (value != 0) revert NativeValueForbidden(value);
        bytes4 selector = _selector(data);
        if (!allowedCalls[safe][to][selector]) revert CallNotAllowed(to, selector);
        if (to != COLLATERAL) return address(0);

        if (data.length < 68) revert CollateralCallForbidden(selector);
        if (selector == IERC20.transfer.selector) {
            (address recipient,) = abi.decode(data[4:], (address, uint256));
            if (!withdrawalRecipients[safe][recipient]) revert RecipientNotAllowed(recipient);
            return address(0);
        }
        if (selector == IERC20.approve.selector) {
            (spender,) = abi.decode(data[4:], (address, uint256));
            if (allowedSelectorCount[safe][spender] == 0) revert SpenderNotAllowed(spender);
            return spender;
        }
        revert CollateralCallForbidden(selector);
    }

    function _useNonce(address safe, address sessionKey, uint256 nonce) private {
        // forge-lint: disable-next-line(incorrect-shift)
        uint256 bit = 1 << (nonce & 0xff);
        mapping(uint256 => uint256) storage words = usedNonces[safe][sessionKey];
        uint256 word = words[nonce >> 8];
        if (word & bit != 0) revert NonceAlreadyUsed(sessionKey, nonce);
        words[nonce >> 8] = word | bit;
    }

    /// @dev Notional = collateral the Safe holds less after the call, plus any allowance the call
    /// granted (collateral a spender can pull later is charged when it is granted).
    function _executeMeasured(address safe, address to, bytes calldata data, address spender)
        private
        returns (bytes memory returnData, uint256 notional)
    {
        IERC20 collateral = IERC20(COLLATERAL);
        uint256 balanceBefore = collateral.balanceOf(safe);
        uint256 allowanceBefore = spender == address(0) ? 0 : collateral.allowance(safe, spender);

        bool success;
        (success, returnData) = ISafe(safe).execTransactionFromModuleReturnData(to, 0, data, ISafe.Operation.Call);
        if (!success) revert ExecutionFailed(returnData);

        uint256 balanceAfter = collateral.balanceOf(safe);
        if (balanceAfter < balanceBefore) notional = balanceBefore - balanceAfter;
        if (spender != address(0)) {
            uint256 allowanceAfter = collateral.allowance(safe, spender);
            if (allowanceAfter > allowanceBefore) notional += allowanceAfter - allowanceBefore;
        }
    }

    function _chargeNotional(SessionKey storage key, uint256 notional) private {
        if (notional == 0) return;
        uint256 perTrade = key.maxNotionalPerTrade;
        if (notional > perTrade) revert TradeNotionalExceeded(notional, perTrade);
        uint256 inWindow = key.dayOutflow(block.timestamp) + notional;
        uint256 perDay = key.maxNotionalPerDay;
        if (inWindow > perDay) revert DailyNotionalExceeded(inWindow, perDay);
        key.recordOutflow(block.timestamp, notional);
    }

    // =========================================================================================
    // Configuration — msg.sender is the Safe
    // =========================================================================================

    /// @inheritdoc IAutomationModule
    function registerSessionKey(
        address sessionKey,
        uint256 validUntil,
        uint256 maxNotionalPerTrade,
        uint256 maxNotionalPerDay,
        uint256 maxTxPerHour
    ) external {
        if (sessionKey == address(0)) revert InvalidSessionKey(sessionKey);
        SessionKey storage key = keys[msg.sender][sessionKey];
        if (key.validUntil != 0) revert SessionKeyAlreadyRegistered(sessionKey);
        _setLimits(key, validUntil, maxNotionalPerTrade, maxNotionalPerDay, maxTxPerHour);
        emit SessionKeyRegistered(
            msg.sender, sessionKey, validUntil, maxNotionalPerTrade, maxNotionalPerDay, maxTxPerHour
        );
    }

    /// @inheritdoc IAutomationModule
    /// @dev The key's history (its executions and spent notional) carries over to the new limits.
    function updateSessionKey(
        address sessionKey,
        uint256 validUntil,
        uint256 maxNotionalPerTrade,
        uint256 maxNotionalPerDay,
        uint256 maxTxPerHour
    ) external {
        SessionKey storage key = keys[msg.sender][sessionKey];
        if (key.validUntil == 0) revert UnknownSessionKey(msg.sender, sessionKey);
        if (key.revoked) revert RevokedSessionKey(msg.sender, sessionKey);
        _setLimits(key, validUntil, maxNotionalPerTrade, maxNotionalPerDay, maxTxPerHour);
        emit SessionKeyUpdated(msg.sender, sessionKey, validUntil, maxNotionalPerTrade, maxNotionalPerDay, maxTxPerHour);
    }

    /// @inheritdoc IAutomationModule
    function revokeSessionKey(address sessionKey) external {
        SessionKey storage key = keys[msg.sender][sessionKey];
        if (key.validUntil == 0) revert UnknownSessionKey(msg.sender, sessionKey);
        if (key.revoked) revert RevokedSessionKey(msg.sender, sessionKey);
        key.revoked = true;
        emit SessionKeyRevoked(msg.sender, sessionKey);
    }

    /// @inheritdoc IAutomationModule
    /// @dev `selector` 0x00000000 stands for calls whose data is shorter than four bytes.
    function setCallAllowed(address target, bytes4 selector, bool allowed) external {
        if (target == address(0) || target == msg.sender || target == address(this)) revert InvalidAddress(target);
        if (allowedCalls[msg.sender][target][selector] == allowed) return;
        allowedCalls[msg.sender][target][selector] = allowed;
        if (allowed) ++allowedSelectorCount[msg.sender][target];
        else --allowedSelectorCount[msg.sender][target];
        emit CallAllowlistUpdated(msg.sender, target, selector, allowed);
    }

    /// @inheritdoc IAutomationModule
    function setWithdrawalRecipient(address recipient, bool allowed) external {
        if (recipient == address(0)) revert InvalidAddress(recipient);
        if (withdrawalRecipients[msg.sender][recipient] == allowed) return;
        withdrawalRecipients[msg.sender][recipient] = allowed;
        emit WithdrawalAllowlistUpdated(msg.sender, recipient, allowed);
    }

    function _setLimits(
        SessionKey storage key,
        uint256 validUntil,
        uint256 maxNotionalPerTrade,
        uint256 maxNotionalPerDay,
        uint256 maxTxPerHour
    ) private {
        if (validUntil < block.timestamp + MIN_SESSION_TTL || validUntil > block.timestamp + MAX_SESSION_TTL) {
            revert InvalidValidUntil(validUntil);
        }
        if (
            maxNotionalPerTrade == 0 || maxNotionalPerTrade > maxNotionalPerDay || maxNotionalPerDay > type(uint64).max
                || maxTxPerHour == 0 || maxTxPerHour > MAX_TX_PER_HOUR
        ) revert InvalidLimits(maxNotionalPerTrade, maxNotionalPerDay, maxTxPerHour);
        // Every cast below is of a value bounded just above: now + 30 days, uint64 max, 256.
        // forge-lint: disable-next-line(unsafe-typecast)
        key.validUntil = uint40(validUntil);
        // forge-lint: disable-next-line(unsafe-typecast)
        key.maxNotionalPerTrade = uint64(maxNotionalPerTrade);
        // forge-lint: disable-next-line(unsafe-typecast)
        key.maxNotionalPerDay = uint64(maxNotionalPerDay);
        // forge-lint: disable-next-line(unsafe-typecast)
        key.maxTxPerHour = uint16(maxTxPerHour);
    }

    // =========================================================================================
    // Views
    // =========================================================================================

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
            uint256 txCount
        )
    {
        SessionKey storage k = keys[safe][key];
        return (k.validUntil, k.revoked, k.maxNotionalPerTrade, k.maxNotionalPerDay, k.maxTxPerHour, k.txCount);
    }

    /// @notice Notional charged to the key in the current clock hour and the 24 before it.
    function notionalInWindow(address safe, address key) external view returns (uint256) {
        return keys[safe][key].dayOutflow(block.timestamp);
    }

    /// @notice Whether one more execution now would stay within the key's transactions per hour.
    function txRateAllowsNow(address safe, address key) external view returns (bool) {
        return keys[safe][key].txAllowed(block.timestamp);
    }

    function isNonceUsed(address safe, address key, uint256 nonce) external view returns (bool) {
        // forge-lint: disable-next-line(incorrect-shift)
        return usedNonces[safe][key][nonce >> 8] & (1 << (nonce & 0xff)) != 0;
    }

    function isCallAllowed(address safe, address target, bytes4 selector) external view returns (bool) {
        return allowedCalls[safe][target][selector];
    }

    function isWithdrawalRecipient(address safe, address recipient) external view returns (bool) {
        return withdrawalRecipients[safe][recipient];
    }

    // =========================================================================================

    function _buildDomainSeparator() private view returns (bytes32) {
        return keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256(bytes(NAME)), keccak256(bytes(VERSION)), block.chainid, address(this))
        );
    }

    function _selector(bytes calldata data) private pure returns (bytes4) {
        return data.length < 4 ? bytes4(0) : bytes4(data[0:4]);
    }
}
