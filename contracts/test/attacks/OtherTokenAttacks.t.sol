// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {IAutomationModule} from "../../src/interfaces/IAutomationModule.sol";
import {IERC20} from "../../src/interfaces/IERC20.sol";
import {PolymarketSafeTestBase} from "../utils/PolymarketSafeTestBase.sol";

/// @notice Review finding 2: an ERC-20 other than the collateral (USDC.e, allowlisted for
/// wrapping into pUSD) must not be drained by its own `approve` or `transfer`.
contract OtherTokenAttackTest is PolymarketSafeTestBase {
    function test_attack_approvingAStrangerForAnotherTokenCannotDrainIt() public {
        executeExpectingRevert(
            address(usdce),
            abi.encodeCall(IERC20.approve, (stranger, type(uint256).max)),
            abi.encodeWithSelector(IAutomationModule.UnmeasuredApproval.selector, address(usdce))
        );
        vm.assertEq(usdce.allowance(address(safe), stranger), 0, "the stranger was approved for USDC.e");
    }

    function test_attack_transferringAnotherTokenToAStrangerIsRefused() public {
        uint256 held = usdce.balanceOf(address(safe));
        executeExpectingRevert(
            address(usdce),
            abi.encodeCall(IERC20.transfer, (stranger, held)),
            abi.encodeWithSelector(IAutomationModule.RecipientNotAllowed.selector, stranger)
        );
        vm.assertEq(usdce.balanceOf(address(safe)), held, "the Safe kept its USDC.e");
    }
}
