// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {IERC20} from "../../src/interfaces/IERC20.sol";
import {Forwarder} from "../mocks/AllowanceAbusers.sol";
import {ModuleTestBase} from "../utils/ModuleTestBase.sol";

/// @notice Review finding 4: a spender the session key approves must not be able to forward the
/// collateral to an address off the withdrawal allowlist.
contract SpenderAttackTest is ModuleTestBase {
    function test_attack_aSpenderOnTheCallAllowlistCannotBeApprovedToForwardCollateral() public {
        Forwarder forwarder = new Forwarder(collateral);
        allowCall(address(forwarder), Forwarder.ping.selector);
        bool ok = tryExecute(address(collateral), abi.encodeCall(IERC20.approve, (address(forwarder), PER_TRADE)));
        if (ok) forwarder.forward(address(safe), stranger, PER_TRADE);
        vm.assertFalse(ok, "the forwarder was approved");
        vm.assertEq(collateral.balanceOf(stranger), 0, "collateral reached the stranger");
    }
}
