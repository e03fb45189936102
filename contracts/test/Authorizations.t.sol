// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {AutomationModule} from "../src/AutomationModule.sol";
import {IAutomationModule} from "../src/interfaces/IAutomationModule.sol";
import {GasProbe} from "./mocks/GasProbe.sol";
import {ModuleTestBase} from "./utils/ModuleTestBase.sol";

/// @notice An authorization's bounds: lifetime, epoch, owners' nonce invalidation, gas floor.
contract AuthorizationsTest is ModuleTestBase {
    function transferAuthorization(uint256 nonce, uint256 deadline)
        private
        view
        returns (IAutomationModule.SessionKeyExecution memory)
    {
        return executionOf(address(safe), address(collateral), 0, transferData(recipient, USD), nonce, deadline);
    }

    function submit(IAutomationModule.SessionKeyExecution memory e) private {
        module.executeFromSessionKey(e, sessionKey, sign(SESSION_KEY, e));
    }

    function test_deadline_upToTheMaximumLifetimeInclusive() public {
        uint256 latest = block.timestamp + module.MAX_AUTHORIZATION_LIFETIME();
        submit(transferAuthorization(1, latest));
        IAutomationModule.SessionKeyExecution memory e = transferAuthorization(2, latest + 1);
        bytes memory sig = sign(SESSION_KEY, e);
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.AuthorizationTooLong.selector, latest + 1, latest));
        module.executeFromSessionKey(e, sessionKey, sig);
    }

    function test_deadline_upToTheKeysExpiryInclusive() public {
        vm.warp(validUntil - 60);
        submit(transferAuthorization(1, validUntil));
        IAutomationModule.SessionKeyExecution memory e = transferAuthorization(2, validUntil + 1);
        bytes memory sig = sign(SESSION_KEY, e);
        vm.expectRevert(
            abi.encodeWithSelector(IAutomationModule.AuthorizationTooLong.selector, validUntil + 1, validUntil)
        );
        module.executeFromSessionKey(e, sessionKey, sig);
    }

    function test_epoch_updateBumpsItAndEmitsIt() public {
        vm.expectEmit(true, true, false, true, address(module));
        emit IAutomationModule.SessionKeyUpdated(
            address(safe), sessionKey, validUntil, PER_TRADE, PER_DAY, TX_PER_HOUR, 1
        );
        setLimits(PER_TRADE, PER_DAY, TX_PER_HOUR);
        (,,,,,, uint256 epoch) = module.getSessionKey(address(safe), sessionKey);
        vm.assertEq(epoch, 1, "epoch");
        submit(transferAuthorization(1, block.timestamp));
    }

    function test_epoch_anAuthorizationForAFutureEpochIsStaleToo() public {
        IAutomationModule.SessionKeyExecution memory e = transferAuthorization(1, block.timestamp);
        e.epoch = 1;
        bytes memory sig = sign(SESSION_KEY, e);
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.StaleAuthorization.selector, 1, 0));
        module.executeFromSessionKey(e, sessionKey, sig);
    }

    function test_invalidateNonces_voidsPendingAuthorizationsAndEmits() public {
        IAutomationModule.SessionKeyExecution memory e = transferAuthorization(300, block.timestamp);
        bytes memory sig = sign(SESSION_KEY, e);
        vm.expectEmit(true, true, false, true, address(module));
        emit IAutomationModule.NoncesInvalidated(address(safe), sessionKey, 1, 1 << 44);
        asOwner(address(module), abi.encodeCall(AutomationModule.invalidateNonces, (sessionKey, 1, 1 << 44)));
        vm.assertTrue(module.isNonceUsed(address(safe), sessionKey, 300), "nonce 256 + 44 used");
        vm.assertFalse(module.isNonceUsed(address(safe), sessionKey, 301), "its neighbour untouched");
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.NonceAlreadyUsed.selector, sessionKey, 300));
        module.executeFromSessionKey(e, sessionKey, sig);
    }

    function test_invalidateNonces_aStrangerWritesOnlyItsOwnNamespace() public {
        vm.prank(stranger);
        module.invalidateNonces(sessionKey, 0, type(uint256).max);
        vm.assertFalse(module.isNonceUsed(address(safe), sessionKey, 5), "the Safe's nonces untouched");
    }

    function test_minGas_noGasIsEverEnoughForAnAbsurdFloor() public {
        IAutomationModule.SessionKeyExecution memory e = transferAuthorization(1, block.timestamp);
        e.minGas = type(uint256).max;
        bytes memory sig = sign(SESSION_KEY, e);
        vm.expectPartialRevert(IAutomationModule.InsufficientGas.selector);
        module.executeFromSessionKey(e, sessionKey, sig);
    }

    function test_minGas_theCallGetsAtLeastWhatWasSigned() public {
        GasProbe probe = new GasProbe();
        allowCall(address(probe), GasProbe.probe.selector);
        IAutomationModule.SessionKeyExecution memory e =
            executionOf(address(safe), address(probe), 0, abi.encodeCall(GasProbe.probe, ("")), 1, block.timestamp);
        e.minGas = 500_000;
        bytes memory sig = sign(SESSION_KEY, e);
        module.executeFromSessionKey{gas: 700_000}(e, sessionKey, sig);
        vm.assertLe(e.minGas, probe.gasAtEntry(), "the target got the gas it was signed for");
    }
}
