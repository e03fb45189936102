// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {IAutomationModule} from "../../src/interfaces/IAutomationModule.sol";
import {IConditionalTokens} from "../utils/ConditionalTokensKit.sol";
import {PolymarketSafeTestBase} from "../utils/PolymarketSafeTestBase.sol";

/// @notice Review finding 1: with the CTF's approval and transfer functions on the allowlist, one
/// execution must not hand the Safe's outcome tokens to anyone.
contract OutcomeTokenAttackTest is PolymarketSafeTestBase {
    function test_attack_setApprovalForAllCannotHandTheOutcomeTokensToAStranger() public {
        executeExpectingRevert(
            address(ctf),
            abi.encodeCall(IConditionalTokens.setApprovalForAll, (stranger, true)),
            abi.encodeWithSelector(IAutomationModule.SpenderNotAllowed.selector, stranger)
        );
        vm.assertFalse(ctf.isApprovedForAll(address(safe), stranger), "the stranger was approved");
        vm.assertEq(outcomeBalance(address(safe)), 2 * SHARES, "the Safe kept its outcome tokens");
    }

    function test_attack_safeTransferFromCannotSendOutcomeTokensToAStranger() public {
        executeExpectingRevert(
            address(ctf),
            abi.encodeCall(IConditionalTokens.safeTransferFrom, (address(safe), stranger, binary.yes, SHARES, "")),
            abi.encodeWithSelector(IAutomationModule.RecipientNotAllowed.selector, stranger)
        );
        vm.assertEq(outcomeBalance(stranger), 0, "outcome tokens reached the stranger");
    }

    function test_attack_safeBatchTransferFromCannotSendOutcomeTokensToAStranger() public {
        executeExpectingRevert(
            address(ctf),
            abi.encodeCall(
                IConditionalTokens.safeBatchTransferFrom, (address(safe), stranger, outcomeIds(), sharesEach(), "")
            ),
            abi.encodeWithSelector(IAutomationModule.RecipientNotAllowed.selector, stranger)
        );
        vm.assertEq(outcomeBalance(stranger), 0, "outcome tokens reached the stranger");
    }
}
