// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {IAutomationModule} from "../../src/interfaces/IAutomationModule.sol";
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
        executeExpectingRevert(
            address(scheduler),
            abi.encodeCall(PullScheduler.schedule, (stranger, 5_000 * USD)),
            abi.encodeWithSelector(IAutomationModule.StandingApprovalTarget.selector, address(scheduler))
        );
        vm.expectRevert(); // nothing was scheduled
        scheduler.execute(0);
        vm.assertEq(collateral.balanceOf(stranger), 0, "collateral reached the stranger");
    }

    function test_attack_aCallThatPaysTheSafeAndPullsOnwardIsNotAFreeOutflow() public {
        executeExpectingRevert(
            address(router),
            abi.encodeCall(PassThroughRouter.route, (stranger, 5_000 * USD)),
            abi.encodeWithSelector(IAutomationModule.StandingApprovalTarget.selector, address(router))
        );
        vm.assertEq(collateral.balanceOf(stranger), 0, "collateral reached the stranger");
    }

    function test_attack_aSessionKeyCannotRevokeTheOwnersCollateralApproval() public {
        executeExpectingRevert(
            address(collateral),
            abi.encodeCall(IERC20.approve, (address(market), 0)),
            abi.encodeWithSelector(IAutomationModule.ApprovalDecreaseForbidden.selector, address(market))
        );
        vm.assertEq(collateral.allowance(address(safe), address(market)), type(uint256).max, "standing approval kept");
    }

    function test_attack_aSessionKeyCannotRevokeTheOwnersOutcomeTokenApproval() public {
        executeExpectingRevert(
            address(ctf),
            abi.encodeCall(IConditionalTokens.setApprovalForAll, (address(market), false)),
            abi.encodeWithSelector(IAutomationModule.ApprovalDecreaseForbidden.selector, address(market))
        );
        vm.assertTrue(ctf.isApprovedForAll(address(safe), address(market)), "standing approval kept");
    }
}
