// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {AssetCalls} from "./AssetCalls.sol";
import {CallPermissions} from "./CallPermissions.sol";
import {IAutomationModule} from "./interfaces/IAutomationModule.sol";
import {IERC20} from "./interfaces/IERC20.sol";
import {ISafe} from "./interfaces/ISafe.sol";
import {SessionKey, SessionKeyWindows} from "./SessionKeyWindows.sol";

/// @title AutomationModule — session keys with limits the chain enforces, for Safes
/// @notice A Safe enables this module and registers session keys. A session key authorizes one
/// call at a time with an EIP-712 signature; anyone (Mirror's relayer) submits it. The module
/// executes it through the Safe only within the key's limits: expiry, revocation, per-trade and
/// rolling-day notional (collateral leaving the Safe, measured, never declared), transactions per
/// hour, the Safe's call allowlist (optionally scoped by argument), its withdrawal allowlist and its
/// approved operators, with every token's approvals and transfers held to the asset rules. Everything
/// is stored per Safe and only the Safe itself (a transaction its owners signed) can change its own
/// configuration.
/// @dev One deployment serves every Safe on a chain. See contracts/README.md for the rules.
contract AutomationModule is IAutomationModule {
    using SessionKeyWindows for SessionKey;

    string public constant NAME = "Mirror AutomationModule";
    string public constant VERSION = "2";

    bytes32 public constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    /// @dev `bytes data` is hashed as keccak256(data), as EIP-712 does for dynamic bytes.
    bytes32 public constant EXECUTION_TYPEHASH = keccak256(
        "SessionKeyExecution(address safe,address to,uint256 value,bytes data,uint256 nonce,uint256 deadline,uint256 minGas,uint256 epoch)"
    );

    uint256 public constant MIN_SESSION_TTL = 300;
    uint256 public constant MAX_SESSION_TTL = 30 days;
    uint256 public constant MAX_TX_PER_HOUR = SessionKeyWindows.TX_LOG_SIZE;
    /// @notice The longest an authorization can be valid for, counted from its execution: a stale
    /// copy trade, or one refused for a limit whose calldata is public, dies within this.
    uint256 public constant MAX_AUTHORIZATION_LIFETIME = 15 minutes;
    /// @dev Gas spent between the check and the target's first instruction besides the 1/64
    /// retentions: the module's call, the proxy's delegatecall, the Safe's module check, calldata
    /// copy and call (about 10,000; kept conservative, checked by a fuzz test).
    uint256 private constant CALL_GAS_OVERHEAD = 30_000;

    /// @dev secp256k1n / 2: an `s` above it is the malleated twin of a valid signature.
    uint256 private constant HALF_CURVE_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;
    /// @dev Safe FallbackManager and GuardManager slots (1.3.0 and later).
    uint256 private constant FALLBACK_HANDLER_SLOT = uint256(keccak256("fallback_manager.handler.address"));
    uint256 private constant GUARD_SLOT = uint256(keccak256("guard_manager.guard.address"));

    /// @notice The token whose outflow is measured as notional (pUSD on Polygon, 6 decimals).
    address public immutable COLLATERAL;

    bytes32 private immutable CACHED_DOMAIN_SEPARATOR;
    uint256 private immutable CACHED_CHAIN_ID;
    address private immutable CACHED_THIS;

    mapping(address safe => mapping(address key => SessionKey)) private keys;
    mapping(address safe => mapping(address key => mapping(uint256 word => uint256 bits))) private usedNonces;
    /// @dev Packed CallPermission (see CallPermissions); 0 = not allowed.
    mapping(address safe => mapping(address target => mapping(bytes4 selector => uint256))) private permissions;
    mapping(address safe => mapping(address recipient => bool)) private withdrawalRecipients;
    mapping(address safe => mapping(address operator => bool)) private approvedOperators;

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
    function executeFromSessionKey(SessionKeyExecution calldata execution, address sessionKey, bytes calldata signature)
        external
    {
        if (executing) revert Reentrancy();
        executing = true;

        address safe = execution.safe;
        SessionKey storage key = keys[safe][sessionKey];
        _checkAuthorizationLive(key, safe, sessionKey, execution);
        if (_recoverSigner(executionDigest(execution), signature) != sessionKey) revert InvalidSignature();
        address spender = _checkCall(safe, execution.to, execution.value, execution.data);
        if (!key.txAllowed(block.timestamp)) revert TxRateExceeded(key.maxTxPerHour);

        // Effects before the call: the nonce is spent and the execution counted, so a reentrant
        // or repeated submission sees them. A revert anywhere below undoes them with the call.
        _useNonce(safe, sessionKey, execution.nonce);
        key.recordTx(block.timestamp);

        uint256 notional = _executeMeasured(safe, execution.to, execution.data, execution.minGas, spender);
        _chargeNotional(key, notional);

        emit ExecutedFromSessionKey(
            safe, sessionKey, execution.to, AssetCalls.selectorOf(execution.data), execution.nonce, notional
        );
        executing = false;
    }

    /// @inheritdoc IAutomationModule
    function executionDigest(SessionKeyExecution calldata execution) public view returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(
                EXECUTION_TYPEHASH,
                execution.safe,
                execution.to,
                execution.value,
                keccak256(execution.data),
                execution.nonce,
                execution.deadline,
                execution.minGas,
                execution.epoch
            )
        );
        return keccak256(abi.encodePacked(hex"1901", domainSeparator(), structHash));
    }

    /// @inheritdoc IAutomationModule
    function domainSeparator() public view returns (bytes32) {
        if (block.chainid == CACHED_CHAIN_ID && address(this) == CACHED_THIS) return CACHED_DOMAIN_SEPARATOR;
        return _buildDomainSeparator();
    }

    /// @dev The key is registered, not revoked, not expired; the authorization is of the key's
    /// current epoch, not past its deadline, and its deadline is neither past the key's expiry nor
    /// further than MAX_AUTHORIZATION_LIFETIME away.
    function _checkAuthorizationLive(
        SessionKey storage key,
        address safe,
        address sessionKey,
        SessionKeyExecution calldata execution
    ) private view {
        uint256 validUntil = key.validUntil;
        if (validUntil == 0) revert UnknownSessionKey(safe, sessionKey);
        if (key.revoked) revert RevokedSessionKey(safe, sessionKey);
        if (block.timestamp > validUntil) revert ExpiredSessionKey(sessionKey, validUntil);
        uint256 deadline = execution.deadline;
        if (block.timestamp > deadline) revert AuthorizationExpired(deadline);
        uint256 latest = block.timestamp + MAX_AUTHORIZATION_LIFETIME;
        if (latest > validUntil) latest = validUntil;
        if (deadline > latest) revert AuthorizationTooLong(deadline, latest);
        if (execution.epoch != key.epoch) revert StaleAuthorization(execution.epoch, key.epoch);
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
        bytes4 selector = AssetCalls.selectorOf(data);
        // The 0x00000000 entry stands for calls without a selector; real data never matches it.
        if (selector == bytes4(0) && data.length >= 4) revert CallNotAllowed(to, selector);
        uint256 permission = permissions[safe][to][selector];
        if (!CallPermissions.isAllowed(permission)) revert CallNotAllowed(to, selector);
        _checkNotSafeComponent(safe, to);
        spender = _checkAssetCall(safe, to, selector, data);
        _checkScopedArguments(safe, permission, data);
        if (!CallPermissions.isCallerBound(permission) && to != COLLATERAL) _checkNoStandingApproval(safe, to);
    }

    /// @dev Another enabled module, the fallback handler and the guard act for the Safe when the
    /// Safe calls them (register keys, change what the Safe answers, turn the guard off).
    function _checkNotSafeComponent(address safe, address to) private view {
        ISafe s = ISafe(safe);
        if (
            s.isModuleEnabled(to) || abi.decode(s.getStorageAt(FALLBACK_HANDLER_SLOT, 1), (address)) == to
                || abi.decode(s.getStorageAt(GUARD_SLOT, 1), (address)) == to
        ) revert SelfCallForbidden(to);
    }

    /// @dev The asset rules, on every target: approvals only to approved operators, and of the
    /// collateral only (its increase is charged); never lowered or revoked; transfers only to
    /// withdrawal recipients. On the collateral itself only `transfer` and `approve`.
    function _checkAssetCall(address safe, address to, bytes4 selector, bytes calldata data)
        private
        view
        returns (address spender)
    {
        if (to == COLLATERAL) {
            if (data.length < 68) revert CollateralCallForbidden(selector);
            if (selector == AssetCalls.TRANSFER) {
                _checkRecipient(safe, AssetCalls.addressAt(data, 0));
                return address(0);
            }
            if (selector == AssetCalls.APPROVE) {
                spender = AssetCalls.addressAt(data, 0);
                if (!approvedOperators[safe][spender]) revert SpenderNotAllowed(spender);
                return spender;
            }
            revert CollateralCallForbidden(selector);
        }
        if (selector == AssetCalls.APPROVE || selector == AssetCalls.INCREASE_ALLOWANCE) {
            // Another token's allowance is not measured: only the owners may grant it.
            revert UnmeasuredApproval(to);
        }
        if (selector == AssetCalls.DECREASE_ALLOWANCE) revert ApprovalDecreaseForbidden(AssetCalls.addressAt(data, 0));
        if (selector == AssetCalls.SET_APPROVAL_FOR_ALL) {
            address operator = AssetCalls.addressAt(data, 0);
            // A lax (ABI coder v1) token reads any non-zero word as true, so only zero revokes.
            if (AssetCalls.word(data, 1) == 0) revert ApprovalDecreaseForbidden(operator);
            if (!approvedOperators[safe][operator]) revert SpenderNotAllowed(operator);
        } else if (selector == AssetCalls.TRANSFER) {
            _checkRecipient(safe, AssetCalls.addressAt(data, 0));
        } else if (AssetCalls.isTransferFrom(selector)) {
            _checkRecipient(safe, AssetCalls.addressAt(data, 1));
        }
    }

    function _checkRecipient(address safe, address recipient) private view {
        if (!withdrawalRecipients[safe][recipient]) revert RecipientNotAllowed(recipient);
    }

    /// @dev Each pinned argument word must hold an address of its set.
    function _checkScopedArguments(address safe, uint256 permission, bytes calldata data) private view {
        uint256 index;
        for (uint256 scopes = CallPermissions.scopesOf(permission); scopes != 0; scopes >>= 2) {
            AddressSet set = AddressSet(scopes & 3);
            if (set != AddressSet.Any) {
                address account = AssetCalls.addressAt(data, index);
                bool member = set == AddressSet.Safe
                    ? account == safe
                    : set == AddressSet.WithdrawalRecipient
                        ? withdrawalRecipients[safe][account]
                        : approvedOperators[safe][account];
                if (!member) revert ArgumentOutOfScope(index, account);
            }
            ++index;
        }
    }

    /// @dev A target holding an approval from the Safe can pull the Safe's tokens whenever it is
    /// told to, later or onward to anyone, where the module measures nothing or only a net figure.
    /// Approved operators are where approvals go; a collateral allowance shows on the token.
    function _checkNoStandingApproval(address safe, address to) private view {
        if (approvedOperators[safe][to] || IERC20(COLLATERAL).allowance(safe, to) != 0) {
            revert StandingApprovalTarget(to);
        }
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
    /// granted (collateral a spender can pull later is charged when it is granted). The call gets
    /// at least `minGas` or does not start (as Safe's GS010): a target that swallows a sub-call's
    /// failure cannot be run degraded by a submitter that sends too little gas.
    function _executeMeasured(address safe, address to, bytes calldata data, uint256 minGas, address spender)
        private
        returns (uint256 notional)
    {
        IERC20 collateral = IERC20(COLLATERAL);
        uint256 balanceBefore = collateral.balanceOf(safe);
        uint256 allowanceBefore = spender == address(0) ? 0 : collateral.allowance(safe, spender);

        // Three frames deep (module -CALL-> Safe proxy -DELEGATECALL-> singleton -CALL-> target),
        // each passing on at most 63/64 of what it has, and each copying `data` into memory first.
        // (Compared with what is left first, so that an absurd minGas cannot overflow the product.)
        uint256 available = gasleft();
        if (
            minGas > available
                || available < (minGas * 64 * 64 * 64) / (63 * 63 * 63) + CALL_GAS_OVERHEAD + 3 * _copyCost(data.length)
        ) revert InsufficientGas(available, minGas);
        // The variant without return data: a target cannot make the submitter pay to copy it.
        if (!ISafe(safe).execTransactionFromModule(to, 0, data, ISafe.Operation.Call)) revert ExecutionFailed();

        uint256 balanceAfter = collateral.balanceOf(safe);
        if (balanceAfter < balanceBefore) notional = balanceBefore - balanceAfter;
        if (spender != address(0)) {
            uint256 allowanceAfter = collateral.allowance(safe, spender);
            // Lowering an allowance would let a key wipe the owners' standing approval.
            if (allowanceAfter < allowanceBefore) revert ApprovalDecreaseForbidden(spender);
            notional += allowanceAfter - allowanceBefore;
        }
    }

    /// @dev Gas to copy `length` bytes into a frame's empty memory: 3 per word to copy, and the
    /// expansion 3 per word plus words² / 512 (the yellow paper's C_mem).
    function _copyCost(uint256 length) private pure returns (uint256) {
        uint256 words = (length + 31) / 32 + 8; // plus the few words of ABI head around it
        return 6 * words + (words * words) / 512;
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
        // 65,536 updates before an epoch repeats; authorizations live minutes, so none survives it.
        uint16 epoch = key.epoch + 1;
        key.epoch = epoch;
        emit SessionKeyUpdated(
            msg.sender, sessionKey, validUntil, maxNotionalPerTrade, maxNotionalPerDay, maxTxPerHour, epoch
        );
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
    function invalidateNonces(address sessionKey, uint256 wordPosition, uint256 mask) external {
        usedNonces[msg.sender][sessionKey][wordPosition] |= mask;
        emit NoncesInvalidated(msg.sender, sessionKey, wordPosition, mask);
    }

    /// @inheritdoc IAutomationModule
    function setCallAllowed(address target, bytes4 selector, bool allowed) external {
        _setCallPermission(target, selector, allowed ? 1 : 0);
        emit CallAllowlistUpdated(msg.sender, target, selector, allowed, false, new AddressSet[](0));
    }

    /// @inheritdoc IAutomationModule
    /// @dev Trailing `Any` arguments pin nothing and are not stored.
    function setCallPermission(address target, bytes4 selector, CallPermission calldata permission) external {
        _setCallPermission(target, selector, CallPermissions.pack(permission));
        emit CallAllowlistUpdated(
            msg.sender,
            target,
            selector,
            permission.allowed,
            permission.allowed && permission.callerBound,
            permission.allowed ? permission.arguments : new AddressSet[](0)
        );
    }

    /// @dev `selector` 0x00000000 stands for calls whose data is shorter than four bytes.
    function _setCallPermission(address target, bytes4 selector, uint256 packed) private {
        if (target == address(0) || target == msg.sender || target == address(this)) revert InvalidAddress(target);
        permissions[msg.sender][target][selector] = packed;
    }

    /// @inheritdoc IAutomationModule
    function setWithdrawalRecipient(address recipient, bool allowed) external {
        if (recipient == address(0)) revert InvalidAddress(recipient);
        if (withdrawalRecipients[msg.sender][recipient] == allowed) return;
        withdrawalRecipients[msg.sender][recipient] = allowed;
        emit WithdrawalAllowlistUpdated(msg.sender, recipient, allowed);
    }

    /// @inheritdoc IAutomationModule
    function setApprovedOperator(address operator, bool approved) external {
        if (operator == address(0) || operator == msg.sender || operator == address(this)) {
            revert InvalidAddress(operator);
        }
        if (approvedOperators[msg.sender][operator] == approved) return;
        approvedOperators[msg.sender][operator] = approved;
        emit ApprovedOperatorUpdated(msg.sender, operator, approved);
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
        // Every cast below is of a value bounded just above: now + 30 days (before 2106), uint64
        // max, 256.
        // forge-lint: disable-next-line(unsafe-typecast)
        key.validUntil = uint32(validUntil);
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

    /// @inheritdoc IAutomationModule
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
        )
    {
        SessionKey storage k = keys[safe][key];
        return (k.validUntil, k.revoked, k.maxNotionalPerTrade, k.maxNotionalPerDay, k.maxTxPerHour, k.txCount, k.epoch);
    }

    /// @inheritdoc IAutomationModule
    function notionalInWindow(address safe, address key) external view returns (uint256) {
        return keys[safe][key].dayOutflow(block.timestamp);
    }

    /// @inheritdoc IAutomationModule
    function txRateAllowsNow(address safe, address key) external view returns (bool) {
        return keys[safe][key].txAllowed(block.timestamp);
    }

    /// @inheritdoc IAutomationModule
    function isNonceUsed(address safe, address key, uint256 nonce) external view returns (bool) {
        // forge-lint: disable-next-line(incorrect-shift)
        return usedNonces[safe][key][nonce >> 8] & (1 << (nonce & 0xff)) != 0;
    }

    /// @inheritdoc IAutomationModule
    function isCallAllowed(address safe, address target, bytes4 selector) external view returns (bool) {
        return CallPermissions.isAllowed(permissions[safe][target][selector]);
    }

    /// @inheritdoc IAutomationModule
    function getCallPermission(address safe, address target, bytes4 selector)
        external
        view
        returns (CallPermission memory)
    {
        return CallPermissions.unpack(permissions[safe][target][selector]);
    }

    /// @inheritdoc IAutomationModule
    function isWithdrawalRecipient(address safe, address recipient) external view returns (bool) {
        return withdrawalRecipients[safe][recipient];
    }

    /// @inheritdoc IAutomationModule
    function isApprovedOperator(address safe, address operator) external view returns (bool) {
        return approvedOperators[safe][operator];
    }

    // =========================================================================================

    function _buildDomainSeparator() private view returns (bytes32) {
        return keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256(bytes(NAME)), keccak256(bytes(VERSION)), block.chainid, address(this))
        );
    }
}
