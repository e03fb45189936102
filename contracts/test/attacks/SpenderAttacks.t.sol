// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {IAutomationModule} from "../../src/interfaces/IAutomationModule.sol";
import {IERC20} from "../../src/interfaces/IERC20.sol";
import {Forwarder} from "../mocks/AllowanceAbusers.sol";
import {ModuleTestBase} from "../utils/ModuleTestBase.sol";

/// @notice Review finding 4: a spender the session key approves must not be able to forward the
/// collateral to an address off the withdrawal allowlist.
contract SpenderAttackTest is ModuleTestBase {
    function test_attack_aSpenderOnTheCallAllowlistCannotBeApprovedToForwardCollateral() public {
        Forwarder forwarder = new Forwarder(collateral);
        allowCall(address(forwarder), Forwarder.ping.selector);
        executeExpectingRevert(
            address(collateral),
            abi.encodeCall(IERC20.approve, (address(forwarder), PER_TRADE)),
            abi.encodeWithSelector(IAutomationModule.SpenderNotAllowed.selector, address(forwarder))
        );
        vm.expectRevert(bytes("allowance"));
        forwarder.forward(address(safe), stranger, PER_TRADE);
        vm.assertEq(collateral.balanceOf(stranger), 0, "collateral reached the stranger");
    }
}
