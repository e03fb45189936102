// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {AutomationModule} from "../src/AutomationModule.sol";
import {IAutomationModule} from "../src/interfaces/IAutomationModule.sol";
import {Forwarder, PullScheduler} from "./mocks/AllowanceAbusers.sol";
import {MockMarket} from "./mocks/MockMarket.sol";
import {ModuleTestBase} from "./utils/ModuleTestBase.sol";

/// @notice Allowlist entries as CallPermissions (argument scoping, caller-bound) and the approved
/// operators, configured by the owners.
contract CallPermissionsTest is ModuleTestBase {
    IAutomationModule.AddressSet private constant ANY = IAutomationModule.AddressSet.Any;
    IAutomationModule.AddressSet private constant SAFE = IAutomationModule.AddressSet.Safe;
    IAutomationModule.AddressSet private constant RECIPIENT = IAutomationModule.AddressSet.WithdrawalRecipient;
    IAutomationModule.AddressSet private constant OPERATOR = IAutomationModule.AddressSet.ApprovedOperator;

    PullScheduler private scheduler; // holds no approval here: a plain target with address arguments

    function setUp() public override {
        super.setUp();
        scheduler = new PullScheduler(collateral);
    }

    function sets(IAutomationModule.AddressSet a) private pure returns (IAutomationModule.AddressSet[] memory s) {
        s = new IAutomationModule.AddressSet[](1);
        s[0] = a;
    }

    function sets(IAutomationModule.AddressSet a, IAutomationModule.AddressSet b)
        private
        pure
        returns (IAutomationModule.AddressSet[] memory s)
    {
        s = new IAutomationModule.AddressSet[](2);
        (s[0], s[1]) = (a, b);
    }

    // ---- Configuration

    function test_setCallPermission_storesTheEntryAndEmits() public {
        vm.expectEmit(true, true, true, true, address(module));
        emit IAutomationModule.CallAllowlistUpdated(
            address(safe), address(scheduler), PullScheduler.schedule.selector, true, true, sets(RECIPIENT, ANY)
        );
        allowScopedCall(address(scheduler), PullScheduler.schedule.selector, true, sets(RECIPIENT, ANY));
        IAutomationModule.CallPermission memory p =
            module.getCallPermission(address(safe), address(scheduler), PullScheduler.schedule.selector);
        vm.assertTrue(p.allowed, "allowed");
        vm.assertTrue(p.callerBound, "caller-bound");
        vm.assertEq(p.arguments.length, 1, "trailing Any is not stored");
        vm.assertTrue(p.arguments[0] == RECIPIENT, "argument 0 pinned to the withdrawal recipients");
        vm.assertTrue(module.isCallAllowed(address(safe), address(scheduler), PullScheduler.schedule.selector), "is");
    }

    function test_setCallPermission_notAllowedRemovesTheWholeEntry() public {
        allowScopedCall(address(scheduler), PullScheduler.schedule.selector, true, sets(RECIPIENT));
        vm.prank(address(safe));
        module.setCallPermission(
            address(scheduler),
            PullScheduler.schedule.selector,
            IAutomationModule.CallPermission(false, true, sets(SAFE))
        );
        IAutomationModule.CallPermission memory p =
            module.getCallPermission(address(safe), address(scheduler), PullScheduler.schedule.selector);
        vm.assertFalse(p.allowed || p.callerBound || p.arguments.length != 0, "entry gone");
    }

    function test_setCallPermission_refusesMoreScopedArgumentsThanFit() public {
        IAutomationModule.AddressSet[] memory tooMany = new IAutomationModule.AddressSet[](17);
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.TooManyScopedArguments.selector, 17));
        vm.prank(address(safe));
        module.setCallPermission(
            address(scheduler), PullScheduler.schedule.selector, IAutomationModule.CallPermission(true, false, tooMany)
        );
    }

    function test_setCallPermission_refusesTheSafeTheModuleAndZero() public {
        address[3] memory refused = [address(safe), address(module), address(0)];
        for (uint256 i; i < refused.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IAutomationModule.InvalidAddress.selector, refused[i]));
            vm.prank(address(safe));
            module.setCallPermission(
                refused[i], bytes4(0x12345678), IAutomationModule.CallPermission(true, true, sets(SAFE))
            );
        }
    }

    function test_setApprovedOperator_addsAndRemovesWithEvents() public {
        vm.expectEmit(true, true, false, true, address(module));
        emit IAutomationModule.ApprovedOperatorUpdated(address(safe), stranger, true);
        approveOperator(stranger);
        vm.assertTrue(module.isApprovedOperator(address(safe), stranger), "added");
        vm.expectEmit(true, true, false, true, address(module));
        emit IAutomationModule.ApprovedOperatorUpdated(address(safe), stranger, false);
        asOwner(address(module), abi.encodeCall(AutomationModule.setApprovedOperator, (stranger, false)));
        vm.assertFalse(module.isApprovedOperator(address(safe), stranger), "removed");
    }

    function test_setApprovedOperator_refusesTheSafeTheModuleAndZero() public {
        address[3] memory refused = [address(safe), address(module), address(0)];
        for (uint256 i; i < refused.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IAutomationModule.InvalidAddress.selector, refused[i]));
            vm.prank(address(safe));
            module.setApprovedOperator(refused[i], true);
        }
    }

    function test_setApprovedOperator_aStrangerWritesOnlyItsOwnList() public {
        vm.prank(stranger);
        module.setApprovedOperator(recipient, true);
        vm.assertTrue(module.isApprovedOperator(stranger, recipient), "the stranger's own list");
        vm.assertFalse(module.isApprovedOperator(address(safe), recipient), "Safe's list untouched");
    }

    // ---- Argument scoping

    function test_scopedArgument_mustBelongToItsSet() public {
        allowScopedCall(address(scheduler), PullScheduler.schedule.selector, false, sets(RECIPIENT));
        execute(address(scheduler), abi.encodeCall(PullScheduler.schedule, (recipient, USD)));
        executeExpectingRevert(
            address(scheduler),
            abi.encodeCall(PullScheduler.schedule, (stranger, USD)),
            abi.encodeWithSelector(IAutomationModule.ArgumentOutOfScope.selector, 0, stranger)
        );
    }

    function test_scopedArgument_eachSetAdmitsExactlyItsMembers() public {
        IAutomationModule.AddressSet[3] memory kinds = [SAFE, RECIPIENT, OPERATOR];
        address[3] memory members = [address(safe), recipient, address(market)];
        for (uint256 k; k < kinds.length; ++k) {
            allowScopedCall(address(scheduler), PullScheduler.schedule.selector, false, sets(kinds[k]));
            for (uint256 m; m < members.length; ++m) {
                bytes memory data = abi.encodeCall(PullScheduler.schedule, (members[m], USD));
                if (k == m) {
                    execute(address(scheduler), data);
                } else {
                    executeExpectingRevert(
                        address(scheduler),
                        data,
                        abi.encodeWithSelector(IAutomationModule.ArgumentOutOfScope.selector, 0, members[m])
                    );
                }
            }
        }
    }

    function test_scopedArgument_pinsTheWordAtItsIndexOnly() public {
        Forwarder forwarder = new Forwarder(collateral);
        allowScopedCall(address(forwarder), Forwarder.forward.selector, false, sets(ANY, RECIPIENT));
        // Word 0 (from) is free, word 1 (to) is pinned; the forwarder holds no allowance, so the
        // call itself fails once the scope lets it through.
        executeExpectingRevert(
            address(forwarder),
            abi.encodeCall(Forwarder.forward, (stranger, stranger, USD)),
            abi.encodeWithSelector(IAutomationModule.ArgumentOutOfScope.selector, 1, stranger)
        );
        executeExpectingRevert(
            address(forwarder),
            abi.encodeCall(Forwarder.forward, (stranger, recipient, USD)),
            abi.encodeWithSelector(IAutomationModule.ExecutionFailed.selector)
        );
    }

    function test_scopedArgument_missingOrDirtyIsMalformed() public {
        allowScopedCall(address(scheduler), PullScheduler.schedule.selector, false, sets(RECIPIENT));
        executeExpectingRevert(
            address(scheduler),
            abi.encodePacked(PullScheduler.schedule.selector, bytes20(recipient)),
            abi.encodeWithSelector(IAutomationModule.MalformedCall.selector, PullScheduler.schedule.selector)
        );
        executeExpectingRevert(
            address(scheduler),
            abi.encodePacked(PullScheduler.schedule.selector, uint256(uint160(recipient)) | (1 << 255), uint256(1)),
            abi.encodeWithSelector(IAutomationModule.MalformedCall.selector, PullScheduler.schedule.selector)
        );
    }

    // ---- Standing approvals

    function test_anApprovedOperatorIsReachedOnlyThroughCallerBoundEntries() public {
        allowCall(address(market), MockMarket.pullLater.selector);
        executeExpectingRevert(
            address(market),
            abi.encodeCall(MockMarket.pullLater, (address(safe), USD)),
            abi.encodeWithSelector(IAutomationModule.StandingApprovalTarget.selector, address(market))
        );
        execute(address(market), abi.encodeCall(MockMarket.buy, (USD))); // caller-bound (setUp)
    }

    function test_aTargetHoldingACollateralAllowanceIsReachedOnlyThroughCallerBoundEntries() public {
        allowCall(address(scheduler), PullScheduler.schedule.selector);
        execute(address(scheduler), abi.encodeCall(PullScheduler.schedule, (recipient, USD)));
        asOwner(address(collateral), abi.encodeWithSignature("approve(address,uint256)", address(scheduler), 1));
        executeExpectingRevert(
            address(scheduler),
            abi.encodeCall(PullScheduler.schedule, (recipient, USD)),
            abi.encodeWithSelector(IAutomationModule.StandingApprovalTarget.selector, address(scheduler))
        );
    }
}
