// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {IERC20} from "../../src/interfaces/IERC20.sol";
import {PolymarketSafeTestBase} from "../utils/PolymarketSafeTestBase.sol";

/// @notice Review finding 2: an ERC-20 other than the collateral (USDC.e, allowlisted for
/// wrapping into pUSD) must not be drained by its own `approve` or `transfer`.
contract OtherTokenAttackTest is PolymarketSafeTestBase {
    function test_attack_approvingAStrangerForAnotherTokenCannotDrainIt() public {
        uint256 held = usdce.balanceOf(address(safe));
        bool ok = tryExecute(address(usdce), abi.encodeCall(IERC20.approve, (stranger, type(uint256).max)));
        if (ok) {
            vm.prank(stranger);
            vm.assertTrue(usdce.transferFrom(address(safe), stranger, held), "pull");
        }
        vm.assertFalse(ok, "the stranger was approved for USDC.e");
        vm.assertEq(usdce.balanceOf(stranger), 0, "USDC.e reached the stranger");
    }

    function test_attack_transferringAnotherTokenToAStrangerIsRefused() public {
        uint256 held = usdce.balanceOf(address(safe));
        bool ok = tryExecute(address(usdce), abi.encodeCall(IERC20.transfer, (stranger, held)));
        vm.assertFalse(ok, "the USDC.e transfer to a stranger executed");
        vm.assertEq(usdce.balanceOf(address(safe)), held, "the Safe kept its USDC.e");
    }
}
