// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {AutomationModule} from "../../src/AutomationModule.sol";
import {IAutomationModule} from "../../src/interfaces/IAutomationModule.sol";
import {IERC20} from "../../src/interfaces/IERC20.sol";
import {TestCollateral} from "../mocks/TestCollateral.sol";
import {MockMarket} from "../mocks/MockMarket.sol";
import {ISafeFull, SafeKit} from "./SafeKit.sol";
import {Vm, VM_ADDRESS} from "./Vm.sol";

/// @notice A real Safe (1.4.1 unless a suite picks 1.3.0 with `safeVersion`) with the module enabled and one session key at the runbook's
/// defaults ($100 per trade, $1000 per day, 60 tx per hour, 7 days), configured the way
/// production does it: through Safe transactions its owner signs. The market stands for the
/// exchange: an approved operator with the owners' standing approval, its functions allowlisted
/// as caller-bound.
abstract contract ModuleTestBase {
    Vm internal constant vm = Vm(VM_ADDRESS);

    uint256 internal constant USD = 1e6; // collateral has 6 decimals
    uint256 internal constant PER_TRADE = 100 * USD;
    uint256 internal constant PER_DAY = 1000 * USD;
    uint256 internal constant TX_PER_HOUR = 60;
    uint256 internal constant TTL = 7 days;
    uint256 internal constant START = 1_767_225_600; // 2026-01-01T00:00:00Z, an hour boundary
    uint256 internal constant POLYGON = 137;

    uint256 internal constant OWNER_KEY = 0xA11CE;
    uint256 internal constant SESSION_KEY = 0x5E55;
    uint256 internal constant OTHER_KEY = 0xBAD;

    address internal owner;
    address internal sessionKey;
    address internal relayer = address(0x4E1A7E4);
    address internal recipient = address(0x1111); // on the withdrawal allowlist
    address internal stranger = address(0x2222); // on no list

    SafeKit.Deployment internal safeDeployment;
    ISafeFull internal safe;
    AutomationModule internal module;
    TestCollateral internal collateral;
    MockMarket internal market;
    uint256 internal validUntil;

    uint256 private nextNonce = 1;

    function setUp() public virtual {
        vm.chainId(POLYGON);
        vm.warp(START);
        owner = vm.addr(OWNER_KEY);
        sessionKey = vm.addr(SESSION_KEY);

        collateral = new TestCollateral();
        module = new AutomationModule(address(collateral));
        market = new MockMarket(collateral);
        safeDeployment = SafeKit.deploy(safeVersion());
        safe = SafeKit.createSafe(safeDeployment, owner, 1);
        vm.label(address(safe), "Safe");
        vm.label(address(module), "AutomationModule");

        collateral.mint(address(safe), 100_000 * USD);
        SafeKit.enableModule(safe, OWNER_KEY, address(module));
        validUntil = block.timestamp + TTL;
        asOwner(
            address(module),
            abi.encodeCall(
                AutomationModule.registerSessionKey, (sessionKey, validUntil, PER_TRADE, PER_DAY, TX_PER_HOUR)
            )
        );
        allowCall(address(collateral), IERC20.transfer.selector);
        allowCall(address(collateral), IERC20.approve.selector);
        allowCallerBoundCall(address(market), MockMarket.buy.selector);
        allowCallerBoundCall(address(market), MockMarket.buyDeclared.selector);
        allowCallerBoundCall(address(market), MockMarket.sell.selector);
        allowCallerBoundCall(address(market), MockMarket.fail.selector);
        asOwner(address(module), abi.encodeCall(AutomationModule.setWithdrawalRecipient, (recipient, true)));
        asOwner(address(module), abi.encodeCall(AutomationModule.setApprovedOperator, (address(market), true)));
        // The owners' own standing approval, as Polymarket onboarding sets it for the exchange.
        asOwner(address(collateral), abi.encodeCall(IERC20.approve, (address(market), type(uint256).max)));
    }

    /// @notice The Safe version the suite runs against; a suite overrides it to run on 1.3.0.
    function safeVersion() internal pure virtual returns (SafeKit.Version) {
        return SafeKit.Version.V1_4_1;
    }

    // ---- Safe owner actions (real Safe transactions)

    function asOwner(address to, bytes memory data) internal {
        SafeKit.execAsOwner(safe, OWNER_KEY, to, data);
    }

    function allowCall(address target, bytes4 selector) internal {
        asOwner(address(module), abi.encodeCall(AutomationModule.setCallAllowed, (target, selector, true)));
    }

    function allowCallerBoundCall(address target, bytes4 selector) internal {
        allowScopedCall(target, selector, true, new IAutomationModule.AddressSet[](0));
    }

    function allowScopedCall(
        address target,
        bytes4 selector,
        bool callerBound,
        IAutomationModule.AddressSet[] memory arguments
    ) internal {
        asOwner(
            address(module),
            abi.encodeCall(
                AutomationModule.setCallPermission,
                (target, selector, IAutomationModule.CallPermission(true, callerBound, arguments))
            )
        );
    }

    function approveOperator(address operator) internal {
        asOwner(address(module), abi.encodeCall(AutomationModule.setApprovedOperator, (operator, true)));
    }

    // ---- Session key authorizations

    function freshNonce() internal returns (uint256) {
        return nextNonce++;
    }

    /// @notice An authorization with no gas floor, at the session key's current epoch in `forSafe`.
    function executionOf(address forSafe, address to, uint256 value, bytes memory data, uint256 nonce, uint256 deadline)
        internal
        view
        returns (IAutomationModule.SessionKeyExecution memory)
    {
        return IAutomationModule.SessionKeyExecution({
            safe: forSafe,
            to: to,
            value: value,
            data: data,
            nonce: nonce,
            deadline: deadline,
            minGas: 0,
            epoch: epochOf(forSafe, sessionKey)
        });
    }

    /// @notice A key's epoch, read from the module's storage with vm.load rather than with
    /// getSessionKey, so that building an authorization is never the call an expectRevert
    /// applies to. Layout: `keys` is slot 0; the epoch is bits 40..55 of the record's first slot
    /// (checked against getSessionKey in AutomationModuleConfigTest).
    function epochOf(address forSafe, address key) internal view returns (uint256) {
        bytes32 record = keccak256(abi.encode(key, keccak256(abi.encode(forSafe, uint256(0)))));
        return (uint256(vm.load(address(module), record)) >> 40) & 0xffff;
    }

    function sign(uint256 signerKey, IAutomationModule.SessionKeyExecution memory execution)
        internal
        view
        returns (bytes memory)
    {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(signerKey, module.executionDigest(execution));
        return abi.encodePacked(r, s, v);
    }

    function signExecution(
        uint256 signerKey,
        address forSafe,
        address to,
        uint256 value,
        bytes memory data,
        uint256 nonce,
        uint256 deadline
    ) internal view returns (bytes memory) {
        return sign(signerKey, executionOf(forSafe, to, value, data, nonce, deadline));
    }

    /// @notice Signs with the session key and submits from the relayer.
    function execute(address to, bytes memory data) internal {
        uint256 nonce = freshNonce();
        uint256 deadline = shortDeadline();
        bytes memory signature = signExecution(SESSION_KEY, address(safe), to, 0, data, nonce, deadline);
        vm.prank(relayer);
        module.executeFromSessionKey(executionOf(address(safe), to, 0, data, nonce, deadline), sessionKey, signature);
    }

    /// @notice Like `execute`, but expects the module to revert with `revertData`.
    function executeExpectingRevert(address to, bytes memory data, bytes memory revertData) internal {
        uint256 nonce = freshNonce();
        uint256 deadline = shortDeadline();
        bytes memory signature = signExecution(SESSION_KEY, address(safe), to, 0, data, nonce, deadline);
        vm.expectRevert(revertData);
        vm.prank(relayer);
        module.executeFromSessionKey(executionOf(address(safe), to, 0, data, nonce, deadline), sessionKey, signature);
    }

    /// @notice Five minutes, or until the key expires if that is sooner.
    function shortDeadline() internal view returns (uint256) {
        return block.timestamp + 300 < validUntil ? block.timestamp + 300 : validUntil;
    }

    /// @notice Like `execute`, but reports a revert instead of failing.
    function tryExecute(address to, bytes memory data) internal returns (bool ok) {
        return tryExecuteUntil(to, data, block.timestamp);
    }

    /// @notice `tryExecute` with the authorization valid until `deadline`.
    function tryExecuteUntil(address to, bytes memory data, uint256 deadline) internal returns (bool ok) {
        uint256 nonce = freshNonce();
        bytes memory signature = signExecution(SESSION_KEY, address(safe), to, 0, data, nonce, deadline);
        try module.executeFromSessionKey(
            executionOf(address(safe), to, 0, data, nonce, deadline), sessionKey, signature
        ) {
            ok = true;
        } catch {
            ok = false;
        }
    }

    function setLimits(uint256 perTrade, uint256 perDay, uint256 txPerHour) internal {
        vm.prank(address(safe));
        module.updateSessionKey(sessionKey, validUntil, perTrade, perDay, txPerHour);
    }

    /// @dev Maps `x` uniformly enough onto [min, max] for fuzzing.
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (min == 0 && max == type(uint256).max) return x;
        return min + x % (max - min + 1);
    }

    function transferData(address to, uint256 amount) internal pure returns (bytes memory) {
        return abi.encodeCall(IERC20.transfer, (to, amount));
    }

    function safeBalance() internal view returns (uint256) {
        return collateral.balanceOf(address(safe));
    }
}
