// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {AutomationModule} from "../../src/AutomationModule.sol";
import {FailureSwallowingTarget, GasHungryWorker} from "../mocks/GasGriefers.sol";
import {ModuleTestBase} from "../utils/ModuleTestBase.sol";

/// @notice Review findings 5 and 6: whoever submits an authorization must give the call the gas
/// the key signed for, and an authorization must not outlive its key, its key's configuration or
/// a short lifetime, whatever the owners do later.
contract AuthorizationAttackTest is ModuleTestBase {
    // ---- Finding 5: gas

    function test_attack_aSubmitterCannotStarveTheCallOfGasAndSpendTheNonce() public {
        GasHungryWorker worker = new GasHungryWorker();
        FailureSwallowingTarget target = new FailureSwallowingTarget(worker);
        allowCall(address(target), FailureSwallowingTarget.run.selector);
        bytes memory data = abi.encodeCall(FailureSwallowingTarget.run, ());
        uint256 deadline = block.timestamp + 300;
        bytes memory sig = signExecution(SESSION_KEY, address(safe), address(target), 0, data, 1, deadline);

        // Enough for the module and the target, not for the worker: the target swallows that.
        vm.prank(relayer);
        try module.executeFromSessionKey{gas: 1_000_000}(
            address(safe), sessionKey, address(target), 0, data, 1, deadline, sig
        ) returns (bytes memory) {
            vm.assertTrue(worker.done(), "the execution succeeded without the work it was signed for");
        } catch {
            vm.assertFalse(module.isNonceUsed(address(safe), sessionKey, 1), "a refused authorization spent its nonce");
        }
    }

    // ---- Finding 6: lifetime

    function test_attack_anAuthorizationCannotBeValidForAYear() public {
        vm.assertFalse(
            tryExecuteUntil(address(collateral), transferData(recipient, USD), block.timestamp + 365 days),
            "a year-long authorization executed"
        );
    }

    function test_attack_anAuthorizationCannotOutliveItsKey() public {
        vm.assertFalse(
            tryExecuteUntil(address(collateral), transferData(recipient, USD), validUntil + 1),
            "an authorization outliving the key executed"
        );
    }

    function test_attack_anAuthorizationSignedBeforeExpiryDoesNotRunOnceTheKeyIsReExtended() public {
        bytes memory data = transferData(recipient, USD);
        uint256 deadline = validUntil + 10 days;
        bytes memory sig = signExecution(SESSION_KEY, address(safe), address(collateral), 0, data, 1, deadline);
        vm.warp(validUntil + 1);
        asOwner(
            address(module),
            abi.encodeCall(
                AutomationModule.updateSessionKey, (sessionKey, block.timestamp + TTL, PER_TRADE, PER_DAY, TX_PER_HOUR)
            )
        );
        vm.assertFalse(
            submit(address(collateral), data, 1, deadline, sig), "an authorization of the expired key ran again"
        );
        vm.assertEq(collateral.balanceOf(recipient), 0, "collateral moved");
    }

    function test_attack_updatingAKeyVoidsTheAuthorizationsSignedBefore() public {
        bytes memory data = transferData(recipient, 5 * USD);
        uint256 deadline = block.timestamp + 300;
        bytes memory sig = signExecution(SESSION_KEY, address(safe), address(collateral), 0, data, 1, deadline);
        // The owners tighten the key; what it signed under the old terms must not run.
        asOwner(
            address(module),
            abi.encodeCall(AutomationModule.updateSessionKey, (sessionKey, validUntil, 10 * USD, 10 * USD, 1))
        );
        vm.assertFalse(submit(address(collateral), data, 1, deadline, sig), "a pre-update authorization ran");
    }

    function test_attack_aBlockedAuthorizationCannotBeRunByAnyoneOnceTheLimitFreesUp() public {
        for (uint256 i; i < 10; ++i) {
            execute(address(collateral), transferData(recipient, PER_TRADE));
        }
        bytes memory data = transferData(recipient, PER_TRADE);
        uint256 deadline = block.timestamp + 2 days;
        uint256 nonce = freshNonce();
        bytes memory sig = signExecution(SESSION_KEY, address(safe), address(collateral), 0, data, nonce, deadline);
        vm.assertFalse(submit(address(collateral), data, nonce, deadline, sig), "the day's limit let it through");
        // The backend marked it BLOCKED; a day later anyone replays the public calldata.
        vm.warp(block.timestamp + 25 hours);
        vm.prank(stranger);
        vm.assertFalse(submit(address(collateral), data, nonce, deadline, sig), "the blocked authorization ran later");
    }

    function submit(address to, bytes memory data, uint256 nonce, uint256 deadline, bytes memory sig)
        private
        returns (bool ok)
    {
        try module.executeFromSessionKey(address(safe), sessionKey, to, 0, data, nonce, deadline, sig) returns (
            bytes memory
        ) {
            ok = true;
        } catch {}
    }
}
