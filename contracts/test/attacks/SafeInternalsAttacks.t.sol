// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {AutomationModule} from "../../src/AutomationModule.sol";
import {IAutomationModule} from "../../src/interfaces/IAutomationModule.sol";
import {SwitchableGuard} from "../mocks/SafeParts.sol";
import {ModuleTestBase} from "../utils/ModuleTestBase.sol";
import {ISafeFull, SafeKit} from "../utils/SafeKit.sol";

/// @notice Review finding 7: another enabled module, the fallback handler and the guard act for
/// the Safe when the Safe calls them; none may be a session key's target.
contract SafeInternalsAttackTest is ModuleTestBase {
    function test_attack_aKeyCannotRegisterAnUnlimitedKeyInAnotherEnabledModule() public {
        AutomationModule other = new AutomationModule(address(collateral));
        SafeKit.enableModule(safe, OWNER_KEY, address(other));
        allowCall(address(other), AutomationModule.registerSessionKey.selector);
        address attackerKey = vm.addr(OTHER_KEY);
        executeExpectingRevert(
            address(other),
            abi.encodeCall(
                AutomationModule.registerSessionKey,
                (attackerKey, block.timestamp + 30 days, type(uint64).max, type(uint64).max, 256)
            ),
            abi.encodeWithSelector(IAutomationModule.SelfCallForbidden.selector, address(other))
        );
        (uint256 registered,,,,,,) = other.getSessionKey(address(safe), attackerKey);
        vm.assertEq(registered, 0, "an attacker's key was registered for the Safe");
    }

    function test_attack_theFallbackHandlerIsNotATarget() public {
        address handler = SafeKit.fallbackHandlerOf(safe);
        bytes4 getMessageHash = bytes4(keccak256("getMessageHash(bytes)"));
        allowCall(handler, getMessageHash);
        executeExpectingRevert(
            handler,
            abi.encodeWithSelector(getMessageHash, bytes("x")),
            abi.encodeWithSelector(IAutomationModule.SelfCallForbidden.selector, handler)
        );
    }

    function test_attack_theGuardIsNotATarget() public {
        SwitchableGuard guard = new SwitchableGuard();
        asOwner(address(safe), abi.encodeCall(ISafeFull.setGuard, (address(guard))));
        allowCall(address(guard), SwitchableGuard.disable.selector);
        executeExpectingRevert(
            address(guard),
            abi.encodeCall(SwitchableGuard.disable, ()),
            abi.encodeWithSelector(IAutomationModule.SelfCallForbidden.selector, address(guard))
        );
        vm.assertFalse(guard.disabled(address(safe)), "the key turned the owners' guard off");
    }
}
