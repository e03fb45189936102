// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {IConditionalTokens} from "../utils/ConditionalTokensKit.sol";
import {PolymarketSafeTestBase} from "../utils/PolymarketSafeTestBase.sol";

/// @notice Review finding 1: with the CTF's approval and transfer functions on the allowlist, one
/// execution must not hand the Safe's outcome tokens to anyone.
contract OutcomeTokenAttackTest is PolymarketSafeTestBase {
    function test_attack_setApprovalForAllCannotHandTheOutcomeTokensToAStranger() public {
        bool ok = tryExecute(address(ctf), abi.encodeCall(IConditionalTokens.setApprovalForAll, (stranger, true)));
        if (ok) {
            vm.prank(stranger);
            ctf.safeBatchTransferFrom(address(safe), stranger, outcomeIds(), sharesEach(), "");
        }
        vm.assertFalse(ok, "the stranger was approved for all outcome tokens");
        vm.assertEq(outcomeBalance(stranger), 0, "outcome tokens reached the stranger");
        vm.assertEq(outcomeBalance(address(safe)), 2 * SHARES, "the Safe kept its outcome tokens");
    }

    function test_attack_safeTransferFromCannotSendOutcomeTokensToAStranger() public {
        bool ok = tryExecute(
            address(ctf),
            abi.encodeCall(IConditionalTokens.safeTransferFrom, (address(safe), stranger, binary.yes, SHARES, ""))
        );
        vm.assertFalse(ok, "the transfer to a stranger executed");
        vm.assertEq(outcomeBalance(stranger), 0, "outcome tokens reached the stranger");
    }

    function test_attack_safeBatchTransferFromCannotSendOutcomeTokensToAStranger() public {
        bool ok = tryExecute(
            address(ctf),
            abi.encodeCall(
                IConditionalTokens.safeBatchTransferFrom, (address(safe), stranger, outcomeIds(), sharesEach(), "")
            )
        );
        vm.assertFalse(ok, "the batch transfer to a stranger executed");
        vm.assertEq(outcomeBalance(stranger), 0, "outcome tokens reached the stranger");
    }
}
