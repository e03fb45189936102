// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {AutomationModule} from "../../src/AutomationModule.sol";
import {IAutomationModule} from "../../src/interfaces/IAutomationModule.sol";
import {FailureSwallowingTarget, GasHungryWorker} from "../mocks/GasGriefers.sol";
import {ModuleTestBase} from "../utils/ModuleTestBase.sol";

/// @notice Review findings 5 and 6: whoever submits an authorization must give the call the gas
/// the key signed for, and an authorization must not outlive its key, its key's configuration or
/// a short lifetime, whatever the owners do later.
contract AuthorizationAttackTest is ModuleTestBase {
    uint256 private constant LIFETIME = 15 minutes;

    // ---- Finding 5: gas

    function test_attack_aSubmitterCannotStarveTheCallOfGasAndSpendTheNonce() public {
        GasHungryWorker worker = new GasHungryWorker();
        FailureSwallowingTarget target = new FailureSwallowingTarget(worker);
        allowCall(address(target), FailureSwallowingTarget.run.selector);
        IAutomationModule.SessionKeyExecution memory e = executionOf(
            address(safe), address(target), 0, abi.encodeCall(FailureSwallowingTarget.run, ()), 1, block.timestamp
        );
        e.minGas = worker.NEEDS() + 100_000; // the worker's need plus the target's own
        bytes memory sig = sign(SESSION_KEY, e);

        // Enough for the module and the target, not for the worker: the target would swallow that.
        vm.expectPartialRevert(IAutomationModule.InsufficientGas.selector);
        vm.prank(relayer);
        module.executeFromSessionKey{gas: 1_000_000}(e, sessionKey, sig);
        vm.assertFalse(module.isNonceUsed(address(safe), sessionKey, 1), "a refused authorization spent its nonce");

        // With the gas it was signed for, it runs in full.
        vm.prank(relayer);
        module.executeFromSessionKey{gas: 3_000_000}(e, sessionKey, sig);
        vm.assertTrue(worker.done(), "the work was done");
    }

    // ---- Finding 6: lifetime

    function test_attack_anAuthorizationCannotBeValidForAYear() public {
        uint256 deadline = block.timestamp + 365 days;
        expectRefusedUntil(
            deadline,
            abi.encodeWithSelector(
                IAutomationModule.AuthorizationTooLong.selector, deadline, block.timestamp + LIFETIME
            )
        );
    }

    function test_attack_anAuthorizationCannotOutliveItsKey() public {
        uint256 soon = block.timestamp + 600;
        setValidUntil(soon);
        expectRefusedUntil(
            soon + 1, abi.encodeWithSelector(IAutomationModule.AuthorizationTooLong.selector, soon + 1, soon)
        );
    }

    function test_attack_anAuthorizationSignedBeforeExpiryDoesNotRunOnceTheKeyIsReExtended() public {
        IAutomationModule.SessionKeyExecution memory e =
            executionOf(address(safe), address(collateral), 0, transferData(recipient, USD), 1, validUntil + 10 days);
        bytes memory sig = sign(SESSION_KEY, e);
        vm.warp(validUntil + 1);
        setValidUntil(block.timestamp + TTL);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAutomationModule.AuthorizationTooLong.selector, e.deadline, block.timestamp + LIFETIME
            )
        );
        module.executeFromSessionKey(e, sessionKey, sig);
        vm.assertEq(collateral.balanceOf(recipient), 0, "collateral moved");
    }

    function test_attack_updatingAKeyVoidsTheAuthorizationsSignedBefore() public {
        IAutomationModule.SessionKeyExecution memory e =
            executionOf(address(safe), address(collateral), 0, transferData(recipient, 5 * USD), 1, block.timestamp);
        bytes memory sig = sign(SESSION_KEY, e);
        // The owners tighten the key; what it signed under the old terms must not run.
        asOwner(
            address(module),
            abi.encodeCall(AutomationModule.updateSessionKey, (sessionKey, validUntil, 10 * USD, 10 * USD, 1))
        );
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.StaleAuthorization.selector, 0, 1));
        module.executeFromSessionKey(e, sessionKey, sig);
    }

    function test_attack_aBlockedAuthorizationCannotBeRunByAnyoneOnceTheLimitFreesUp() public {
        for (uint256 i; i < 10; ++i) {
            execute(address(collateral), transferData(recipient, PER_TRADE));
        }
        IAutomationModule.SessionKeyExecution memory e = executionOf(
            address(safe), address(collateral), 0, transferData(recipient, PER_TRADE), 99, block.timestamp + LIFETIME
        );
        bytes memory sig = sign(SESSION_KEY, e);
        vm.expectRevert(
            abi.encodeWithSelector(IAutomationModule.DailyNotionalExceeded.selector, PER_DAY + PER_TRADE, PER_DAY)
        );
        module.executeFromSessionKey(e, sessionKey, sig);
        // The backend marked it BLOCKED; a day later anyone replays the public calldata.
        vm.warp(block.timestamp + 25 hours);
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.AuthorizationExpired.selector, e.deadline));
        vm.prank(stranger);
        module.executeFromSessionKey(e, sessionKey, sig);
        // Nor can it be signed to live long enough for that.
        expectRefusedUntil(
            block.timestamp + 2 days,
            abi.encodeWithSelector(
                IAutomationModule.AuthorizationTooLong.selector, block.timestamp + 2 days, block.timestamp + LIFETIME
            )
        );
    }

    function setValidUntil(uint256 until) private {
        validUntil = until;
        setLimits(PER_TRADE, PER_DAY, TX_PER_HOUR);
    }

    function expectRefusedUntil(uint256 deadline, bytes memory revertData) private {
        IAutomationModule.SessionKeyExecution memory e =
            executionOf(address(safe), address(collateral), 0, transferData(recipient, USD), freshNonce(), deadline);
        bytes memory sig = sign(SESSION_KEY, e);
        vm.expectRevert(revertData);
        module.executeFromSessionKey(e, sessionKey, sig);
    }
}
