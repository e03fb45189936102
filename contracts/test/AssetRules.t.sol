// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {AssetCalls} from "../src/AssetCalls.sol";
import {IAutomationModule} from "../src/interfaces/IAutomationModule.sol";
import {IERC20} from "../src/interfaces/IERC20.sol";
import {ConditionalTokensKit, IConditionalTokens} from "./utils/ConditionalTokensKit.sol";
import {PolymarketSafeTestBase} from "./utils/PolymarketSafeTestBase.sol";

/// @notice The asset rules on every target, with the real Conditional Tokens and a second ERC-20:
/// what the realistic allowlist still lets automation do, and each refusal's exact error.
contract AssetRulesTest is PolymarketSafeTestBase {
    address private constant ADAPTER = address(0xADA);

    // ---- Outcome tokens (ERC-1155)

    function test_setApprovalForAll_toAnApprovedOperatorIsAllowed() public {
        approveOperator(ADAPTER);
        execute(address(ctf), abi.encodeCall(IConditionalTokens.setApprovalForAll, (ADAPTER, true)));
        vm.assertTrue(ctf.isApprovedForAll(address(safe), ADAPTER), "adapter approved");
    }

    function test_setApprovalForAll_anyNonZeroWordCountsAsGranting() public {
        // An ABI coder v1 token (the CTF is 0.5) reads any non-zero word as true.
        executeExpectingRevert(
            address(ctf),
            abi.encodePacked(IConditionalTokens.setApprovalForAll.selector, abi.encode(stranger, uint256(2))),
            abi.encodeWithSelector(IAutomationModule.SpenderNotAllowed.selector, stranger)
        );
    }

    function test_setApprovalForAll_falseIsRefusedEvenForAnApprovedOperator() public {
        executeExpectingRevert(
            address(ctf),
            abi.encodeCall(IConditionalTokens.setApprovalForAll, (address(market), false)),
            abi.encodeWithSelector(IAutomationModule.ApprovalDecreaseForbidden.selector, address(market))
        );
    }

    function test_outcomeTokenTransfers_toAWithdrawalRecipientAreAllowedAndUncharged() public {
        execute(
            address(ctf),
            abi.encodeCall(IConditionalTokens.safeTransferFrom, (address(safe), recipient, binary.yes, 100 * USD, ""))
        );
        uint256[] memory rest = sharesEach();
        rest[0] -= 100 * USD;
        execute(
            address(ctf),
            abi.encodeCall(IConditionalTokens.safeBatchTransferFrom, (address(safe), recipient, outcomeIds(), rest, ""))
        );
        vm.assertEq(outcomeBalance(recipient), 2 * SHARES, "everything withdrawn");
        vm.assertEq(module.notionalInWindow(address(safe), sessionKey), 0, "outcome tokens are not collateral");
    }

    function test_outcomeTokenTransfers_withADirtyRecipientWordAreMalformed() public {
        bytes memory data =
            abi.encodeCall(IConditionalTokens.safeTransferFrom, (address(safe), recipient, binary.yes, 1, ""));
        // Set a high bit of the `to` word: a lax decoder would drop it and pay `recipient`.
        data[4 + 32] = 0x01;
        executeExpectingRevert(
            address(ctf),
            data,
            abi.encodeWithSelector(
                IAutomationModule.MalformedCall.selector, IConditionalTokens.safeTransferFrom.selector
            )
        );
    }

    function test_mergingPositionsStillWorksAndItsPayoutIsInflow() public {
        uint256 before = safeBalance();
        execute(
            address(ctf),
            abi.encodeCall(
                IConditionalTokens.mergePositions,
                (address(collateral), bytes32(0), binary.conditionId, ConditionalTokensKit.binaryPartition(), SHARES)
            )
        );
        vm.assertEq(safeBalance(), before + SHARES, "merged back into collateral");
        vm.assertEq(outcomeBalance(address(safe)), 0, "positions burnt");
        vm.assertEq(module.notionalInWindow(address(safe), sessionKey), 0, "nothing charged");
    }

    /// The CTF becomes an approved operator so the key can approve it for a split; from then on it
    /// holds the Safe's approval, and only caller-bound entries reach it.
    function test_splittingThroughTheKeyNeedsTheCtfAsACallerBoundOperator() public {
        approveOperator(address(ctf));
        bytes memory split = abi.encodeCall(
            IConditionalTokens.splitPosition,
            (address(collateral), bytes32(0), binary.conditionId, ConditionalTokensKit.binaryPartition(), 40 * USD)
        );
        execute(address(collateral), abi.encodeCall(IERC20.approve, (address(ctf), 40 * USD)));
        executeExpectingRevert(
            address(ctf), split, abi.encodeWithSelector(IAutomationModule.StandingApprovalTarget.selector, address(ctf))
        );
        allowCallerBoundCall(address(ctf), IConditionalTokens.splitPosition.selector);
        execute(address(ctf), split);
        vm.assertEq(ctf.balanceOf(address(safe), binary.yes), SHARES + 40 * USD, "YES minted to the Safe");
        // Charged when approved and again when pulled: the conservative double count.
        vm.assertEq(module.notionalInWindow(address(safe), sessionKey), 80 * USD, "charged twice");
    }

    // ---- Other ERC-20s (USDC.e): transferable to withdrawal recipients, never approvable by a key

    function test_anotherTokenTransfersToAWithdrawalRecipientUncharged() public {
        execute(address(usdce), abi.encodeCall(IERC20.transfer, (recipient, 2_000 * USD)));
        vm.assertEq(usdce.balanceOf(recipient), 2_000 * USD, "withdrawn");
        vm.assertEq(module.notionalInWindow(address(safe), sessionKey), 0, "not collateral");
    }

    function test_anotherTokensApprovalIsRefusedEvenToAnApprovedOperator() public {
        executeExpectingRevert(
            address(usdce),
            abi.encodeCall(IERC20.approve, (address(market), USD)),
            abi.encodeWithSelector(IAutomationModule.UnmeasuredApproval.selector, address(usdce))
        );
    }

    function test_increaseAndDecreaseAllowanceAreRefusedOnAnyToken() public {
        bytes4 increase = bytes4(keccak256("increaseAllowance(address,uint256)"));
        bytes4 decrease = bytes4(keccak256("decreaseAllowance(address,uint256)"));
        allowCall(address(usdce), increase);
        allowCall(address(usdce), decrease);
        executeExpectingRevert(
            address(usdce),
            abi.encodeWithSelector(increase, address(market), USD),
            abi.encodeWithSelector(IAutomationModule.UnmeasuredApproval.selector, address(usdce))
        );
        executeExpectingRevert(
            address(usdce),
            abi.encodeWithSelector(decrease, address(market), USD),
            abi.encodeWithSelector(IAutomationModule.ApprovalDecreaseForbidden.selector, address(market))
        );
        allowCall(address(collateral), increase);
        executeExpectingRevert(
            address(collateral),
            abi.encodeWithSelector(increase, address(market), USD),
            abi.encodeWithSelector(IAutomationModule.CollateralCallForbidden.selector, increase)
        );
    }

    function test_aTruncatedTransferOfAnotherTokenIsMalformed() public {
        executeExpectingRevert(
            address(usdce),
            abi.encodePacked(IERC20.transfer.selector, bytes16(0)),
            abi.encodeWithSelector(IAutomationModule.MalformedCall.selector, IERC20.transfer.selector)
        );
    }

    function test_theRecognisedSelectorsAreTheStandardOnes() public pure {
        string[10] memory signatures = [
            "approve(address,uint256)",
            "increaseAllowance(address,uint256)",
            "decreaseAllowance(address,uint256)",
            "setApprovalForAll(address,bool)",
            "transfer(address,uint256)",
            "transferFrom(address,address,uint256)",
            "safeTransferFrom(address,address,uint256,uint256,bytes)",
            "safeBatchTransferFrom(address,address,uint256[],uint256[],bytes)",
            "safeTransferFrom(address,address,uint256)",
            "safeTransferFrom(address,address,uint256,bytes)"
        ];
        bytes4[10] memory constants = [
            AssetCalls.APPROVE,
            AssetCalls.INCREASE_ALLOWANCE,
            AssetCalls.DECREASE_ALLOWANCE,
            AssetCalls.SET_APPROVAL_FOR_ALL,
            AssetCalls.TRANSFER,
            AssetCalls.TRANSFER_FROM,
            AssetCalls.SAFE_TRANSFER_FROM_1155,
            AssetCalls.SAFE_BATCH_TRANSFER_FROM,
            AssetCalls.SAFE_TRANSFER_FROM_721,
            AssetCalls.SAFE_TRANSFER_FROM_721_DATA
        ];
        for (uint256 i; i < signatures.length; ++i) {
            vm.assertEq(bytes32(constants[i]), bytes32(bytes4(keccak256(bytes(signatures[i])))), signatures[i]);
        }
    }
}
