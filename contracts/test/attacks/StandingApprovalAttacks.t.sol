// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {IERC20} from "../../src/interfaces/IERC20.sol";
import {PassThroughRouter, PullScheduler} from "../mocks/AllowanceAbusers.sol";
import {IConditionalTokens} from "../utils/ConditionalTokensKit.sol";
import {PolymarketSafeTestBase} from "../utils/PolymarketSafeTestBase.sol";

/// @notice Review findings 3 and 9 (approvals): the owners' standing approvals must neither let an
/// allowlisted function move collateral past the limits and the withdrawal allowlist, nor be
/// lowered or revoked by a session key.
contract StandingApprovalAttackTest is PolymarketSafeTestBase {
    PullScheduler private scheduler;
    PassThroughRouter private router;

    function setUp() public override {
        super.setUp();
        scheduler = new PullScheduler(collateral);
        router = new PassThroughRouter(collateral);
        collateral.mint(address(router), 10_000 * USD);
        // Owners approve both at onboarding, as they approve the exchange, and allowlist them.
        asOwner(address(collateral), abi.encodeCall(IERC20.approve, (address(scheduler), type(uint256).max)));
        asOwner(address(collateral), abi.encodeCall(IERC20.approve, (address(router), type(uint256).max)));
        allowCall(address(scheduler), PullScheduler.schedule.selector);
        allowCall(address(router), PassThroughRouter.route.selector);
    }

    function test_attack_aPullScheduledOnAStandingApprovalCannotMoveCollateralLater() public {
        bool ok = tryExecute(address(scheduler), abi.encodeCall(PullScheduler.schedule, (stranger, 5_000 * USD)));
        if (ok) scheduler.execute(0);
        vm.assertFalse(ok, "the pull was scheduled");
        vm.assertEq(collateral.balanceOf(stranger), 0, "collateral reached the stranger");
    }

    function test_attack_aCallThatPaysTheSafeAndPullsOnwardIsNotAFreeOutflow() public {
        bool ok = tryExecute(address(router), abi.encodeCall(PassThroughRouter.route, (stranger, 5_000 * USD)));
        vm.assertFalse(ok, "the pass-through executed");
        vm.assertEq(collateral.balanceOf(stranger), 0, "collateral reached the stranger");
    }

    function test_attack_aSessionKeyCannotRevokeTheOwnersCollateralApproval() public {
        bool ok = tryExecute(address(collateral), abi.encodeCall(IERC20.approve, (address(market), 0)));
        vm.assertFalse(ok, "the approval was lowered");
        vm.assertEq(collateral.allowance(address(safe), address(market)), type(uint256).max, "standing approval kept");
    }

    function test_attack_aSessionKeyCannotRevokeTheOwnersOutcomeTokenApproval() public {
        bool ok =
            tryExecute(address(ctf), abi.encodeCall(IConditionalTokens.setApprovalForAll, (address(market), false)));
        vm.assertFalse(ok, "the approval was revoked");
        vm.assertTrue(ctf.isApprovedForAll(address(safe), address(market)), "standing approval kept");
    }
}
