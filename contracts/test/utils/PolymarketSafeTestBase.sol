// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {IERC20} from "../../src/interfaces/IERC20.sol";
import {TestCollateral} from "../mocks/TestCollateral.sol";
import {ConditionalTokensKit, IConditionalTokens} from "./ConditionalTokensKit.sol";
import {ModuleTestBase} from "./ModuleTestBase.sol";

/// @notice ModuleTestBase plus what a Polymarket Safe holds and what its owners would allowlist:
/// outcome tokens of the real Conditional Tokens contract (500 YES and 500 NO, split by the
/// owners), bridged USDC.e next to pUSD, the exchange's standing approval for outcome tokens
/// (Polymarket onboarding), and the CTF's and USDC.e's transfer and approval functions on the
/// call allowlist, as an operator automating approvals and wrapping would put them there.
abstract contract PolymarketSafeTestBase is ModuleTestBase {
    uint256 internal constant SHARES = 500 * USD;

    IConditionalTokens internal ctf;
    ConditionalTokensKit.Market internal binary;
    TestCollateral internal usdce;

    function setUp() public virtual override {
        super.setUp();
        ctf = ConditionalTokensKit.deploy();
        vm.label(address(ctf), "ConditionalTokens");
        binary = ConditionalTokensKit.binaryMarket(ctf, address(collateral), address(this), keccak256("rain?"));
        asOwner(address(collateral), abi.encodeCall(IERC20.approve, (address(ctf), SHARES)));
        asOwner(
            address(ctf),
            abi.encodeCall(
                IConditionalTokens.splitPosition,
                (address(collateral), bytes32(0), binary.conditionId, ConditionalTokensKit.binaryPartition(), SHARES)
            )
        );
        asOwner(address(ctf), abi.encodeCall(IConditionalTokens.setApprovalForAll, (address(market), true)));

        usdce = new TestCollateral();
        vm.label(address(usdce), "USDC.e");
        usdce.mint(address(safe), 5_000 * USD);

        allowCall(address(ctf), IConditionalTokens.setApprovalForAll.selector);
        allowCall(address(ctf), IConditionalTokens.safeTransferFrom.selector);
        allowCall(address(ctf), IConditionalTokens.safeBatchTransferFrom.selector);
        allowCall(address(ctf), IConditionalTokens.splitPosition.selector);
        allowCall(address(ctf), IConditionalTokens.mergePositions.selector);
        allowCall(address(usdce), IERC20.approve.selector);
        allowCall(address(usdce), IERC20.transfer.selector);
    }

    function outcomeIds() internal view returns (uint256[] memory ids) {
        ids = new uint256[](2);
        ids[0] = binary.yes;
        ids[1] = binary.no;
    }

    function sharesEach() internal pure returns (uint256[] memory amounts) {
        amounts = new uint256[](2);
        amounts[0] = SHARES;
        amounts[1] = SHARES;
    }

    function outcomeBalance(address holder) internal view returns (uint256) {
        return ctf.balanceOf(holder, binary.yes) + ctf.balanceOf(holder, binary.no);
    }
}
