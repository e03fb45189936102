// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {AutomationModule} from "../src/AutomationModule.sol";
import {IAutomationModule} from "../src/interfaces/IAutomationModule.sol";
import {IERC20} from "../src/interfaces/IERC20.sol";
import {MockMarket} from "./mocks/MockMarket.sol";
import {ModuleTestBase} from "./utils/ModuleTestBase.sol";
import {ISafeFull, SafeKit} from "./utils/SafeKit.sol";

/// @notice One test per rule and per error, against a real Safe 1.4.1.
contract AutomationModuleConfigTest is ModuleTestBase {
    function test_setup_usesARealSafeWithTheModuleEnabled() public view {
        vm.assertEq(
            keccak256(bytes(safe.VERSION())), keccak256(bytes(SafeKit.versionString(safeVersion()))), "Safe version"
        );
        vm.assertEq(SafeKit.singletonOf(safe), safeDeployment.singleton, "proxy points at the npm singleton");
        vm.assertEq(SafeKit.fallbackHandlerOf(safe), safeDeployment.fallbackHandler, "fallback handler set");
        vm.assertTrue(safe.isModuleEnabled(address(module)), "module enabled");
        vm.assertEq(collateral.decimals(), 6, "collateral decimals");
    }

    function test_registerSessionKey_storesLimitsThroughAnOwnerSignedSafeTransaction() public view {
        (uint256 until, bool revoked, uint256 perTrade, uint256 perDay, uint256 perHour, uint256 count, uint256 epoch) =
            module.getSessionKey(address(safe), sessionKey);
        vm.assertEq(until, validUntil, "validUntil");
        vm.assertFalse(revoked, "revoked");
        vm.assertEq(perTrade, PER_TRADE, "per trade");
        vm.assertEq(perDay, PER_DAY, "per day");
        vm.assertEq(perHour, TX_PER_HOUR, "per hour");
        vm.assertEq(count, 0, "tx count");
        vm.assertEq(epoch, 0, "epoch");
    }

    function test_registerSessionKey_emitsSessionKeyRegistered() public {
        address key = vm.addr(OTHER_KEY);
        vm.expectEmit(true, true, false, true, address(module));
        emit IAutomationModule.SessionKeyRegistered(address(safe), key, validUntil, PER_TRADE, PER_DAY, 10);
        vm.prank(address(safe));
        module.registerSessionKey(key, validUntil, PER_TRADE, PER_DAY, 10);
    }

    function test_registerSessionKey_rejectsTheZeroAddress() public {
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.InvalidSessionKey.selector, address(0)));
        vm.prank(address(safe));
        module.registerSessionKey(address(0), validUntil, PER_TRADE, PER_DAY, TX_PER_HOUR);
    }

    function test_registerSessionKey_rejectsAKeyAlreadyRegistered() public {
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.SessionKeyAlreadyRegistered.selector, sessionKey));
        vm.prank(address(safe));
        module.registerSessionKey(sessionKey, validUntil, PER_TRADE, PER_DAY, TX_PER_HOUR);
    }

    function test_registerSessionKey_rejectsARevokedKeyForever() public {
        vm.prank(address(safe));
        module.revokeSessionKey(sessionKey);
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.SessionKeyAlreadyRegistered.selector, sessionKey));
        vm.prank(address(safe));
        module.registerSessionKey(sessionKey, validUntil, PER_TRADE, PER_DAY, TX_PER_HOUR);
    }

    function test_registerSessionKey_enforcesTtlBetween300SecondsAnd30Days() public {
        address key = vm.addr(OTHER_KEY);
        uint256 tooSoon = block.timestamp + 299;
        uint256 tooLate = block.timestamp + 30 days + 1;
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.InvalidValidUntil.selector, tooSoon));
        vm.prank(address(safe));
        module.registerSessionKey(key, tooSoon, PER_TRADE, PER_DAY, TX_PER_HOUR);
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.InvalidValidUntil.selector, tooLate));
        vm.prank(address(safe));
        module.registerSessionKey(key, tooLate, PER_TRADE, PER_DAY, TX_PER_HOUR);

        vm.prank(address(safe));
        module.registerSessionKey(key, block.timestamp + 300, PER_TRADE, PER_DAY, TX_PER_HOUR);
        vm.prank(address(safe));
        module.updateSessionKey(key, block.timestamp + 30 days, PER_TRADE, PER_DAY, TX_PER_HOUR);
    }

    function test_registerSessionKey_rejectsLimitsThatCannotBeEnforced() public {
        address key = vm.addr(OTHER_KEY);
        uint256 u64 = type(uint64).max;
        uint256[4][6] memory bad = [
            [uint256(0), PER_DAY, TX_PER_HOUR, 0], // no per-trade limit
            [PER_DAY + 1, PER_DAY, TX_PER_HOUR, 0], // per trade above per day
            [PER_TRADE, u64 + 1, TX_PER_HOUR, 0], // beyond what the buckets hold
            [PER_TRADE, PER_DAY, 0, 0], // no transactions at all
            [PER_TRADE, PER_DAY, 257, 0], // beyond the execution log
            [uint256(0), 0, 0, 0]
        ];
        for (uint256 i; i < bad.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(IAutomationModule.InvalidLimits.selector, bad[i][0], bad[i][1], bad[i][2])
            );
            vm.prank(address(safe));
            module.registerSessionKey(key, validUntil, bad[i][0], bad[i][1], bad[i][2]);
        }
        vm.prank(address(safe));
        module.registerSessionKey(key, validUntil, u64, u64, 256);
    }

    function test_updateSessionKey_changesLimitsAndKeepsSpentNotional() public {
        execute(address(collateral), transferData(recipient, 80 * USD));
        asOwner(
            address(module),
            abi.encodeCall(AutomationModule.updateSessionKey, (sessionKey, validUntil, 50 * USD, 100 * USD, 5))
        );
        (,, uint256 perTrade, uint256 perDay, uint256 perHour, uint256 count, uint256 epoch) =
            module.getSessionKey(address(safe), sessionKey);
        vm.assertEq(perTrade, 50 * USD, "per trade");
        vm.assertEq(perDay, 100 * USD, "per day");
        vm.assertEq(perHour, 5, "per hour");
        vm.assertEq(count, 1, "history kept");
        vm.assertEq(epoch, 1, "epoch bumped");
        vm.assertEq(epochOf(address(safe), sessionKey), epoch, "the tests' storage read agrees");
        vm.assertEq(module.notionalInWindow(address(safe), sessionKey), 80 * USD, "spent kept");
        executeExpectingRevert(
            address(collateral),
            transferData(recipient, 30 * USD),
            abi.encodeWithSelector(IAutomationModule.DailyNotionalExceeded.selector, 110 * USD, 100 * USD)
        );
    }

    function test_updateSessionKey_emitsSessionKeyUpdated() public {
        vm.expectEmit(true, true, false, true, address(module));
        emit IAutomationModule.SessionKeyUpdated(address(safe), sessionKey, validUntil, 1, 2, 3, 1);
        vm.prank(address(safe));
        module.updateSessionKey(sessionKey, validUntil, 1, 2, 3);
    }

    function test_updateSessionKey_rejectsUnknownAndRevokedKeys() public {
        address key = vm.addr(OTHER_KEY);
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.UnknownSessionKey.selector, address(safe), key));
        vm.prank(address(safe));
        module.updateSessionKey(key, validUntil, PER_TRADE, PER_DAY, TX_PER_HOUR);

        vm.prank(address(safe));
        module.revokeSessionKey(sessionKey);
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.RevokedSessionKey.selector, address(safe), sessionKey));
        vm.prank(address(safe));
        module.updateSessionKey(sessionKey, validUntil, PER_TRADE, PER_DAY, TX_PER_HOUR);
    }

    function test_revokeSessionKey_marksTheKeyAndEmits() public {
        vm.expectEmit(true, true, false, true, address(module));
        emit IAutomationModule.SessionKeyRevoked(address(safe), sessionKey);
        asOwner(address(module), abi.encodeCall(AutomationModule.revokeSessionKey, (sessionKey)));
        (, bool revoked,,,,,) = module.getSessionKey(address(safe), sessionKey);
        vm.assertTrue(revoked, "revoked");
    }

    function test_revokeSessionKey_rejectsUnknownAndAlreadyRevokedKeys() public {
        address key = vm.addr(OTHER_KEY);
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.UnknownSessionKey.selector, address(safe), key));
        vm.prank(address(safe));
        module.revokeSessionKey(key);

        vm.prank(address(safe));
        module.revokeSessionKey(sessionKey);
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.RevokedSessionKey.selector, address(safe), sessionKey));
        vm.prank(address(safe));
        module.revokeSessionKey(sessionKey);
    }

    function test_setCallAllowed_addsAndRemovesWithEvents() public {
        bytes4 selector = MockMarket.pullLater.selector;
        vm.expectEmit(true, true, true, true, address(module));
        emit IAutomationModule.CallAllowlistUpdated(
            address(safe), address(market), selector, true, false, new IAutomationModule.AddressSet[](0)
        );
        allowCall(address(market), selector);
        vm.assertTrue(module.isCallAllowed(address(safe), address(market), selector), "allowed");

        vm.expectEmit(true, true, true, true, address(module));
        emit IAutomationModule.CallAllowlistUpdated(
            address(safe), address(market), selector, false, false, new IAutomationModule.AddressSet[](0)
        );
        asOwner(address(module), abi.encodeCall(AutomationModule.setCallAllowed, (address(market), selector, false)));
        vm.assertFalse(module.isCallAllowed(address(safe), address(market), selector), "removed");
    }

    function test_setCallAllowed_refusesTheSafeTheModuleAndZero() public {
        address[3] memory refused = [address(safe), address(module), address(0)];
        for (uint256 i; i < refused.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IAutomationModule.InvalidAddress.selector, refused[i]));
            vm.prank(address(safe));
            module.setCallAllowed(refused[i], bytes4(0x12345678), true);
        }
    }

    function test_setWithdrawalRecipient_addsAndRemovesWithEvents() public {
        vm.expectEmit(true, true, false, true, address(module));
        emit IAutomationModule.WithdrawalAllowlistUpdated(address(safe), stranger, true);
        asOwner(address(module), abi.encodeCall(AutomationModule.setWithdrawalRecipient, (stranger, true)));
        vm.assertTrue(module.isWithdrawalRecipient(address(safe), stranger), "added");

        vm.expectEmit(true, true, false, true, address(module));
        emit IAutomationModule.WithdrawalAllowlistUpdated(address(safe), recipient, false);
        asOwner(address(module), abi.encodeCall(AutomationModule.setWithdrawalRecipient, (recipient, false)));
        executeExpectingRevert(
            address(collateral),
            transferData(recipient, USD),
            abi.encodeWithSelector(IAutomationModule.RecipientNotAllowed.selector, recipient)
        );
    }

    function test_setWithdrawalRecipient_refusesZero() public {
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.InvalidAddress.selector, address(0)));
        vm.prank(address(safe));
        module.setWithdrawalRecipient(address(0), true);
    }

    /// Configuration is keyed by msg.sender: anyone else writes only to its own namespace.
    function test_configuration_aStrangerCannotTouchTheSafesKeysOrLists() public {
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.UnknownSessionKey.selector, stranger, sessionKey));
        vm.prank(stranger);
        module.revokeSessionKey(sessionKey);

        vm.prank(stranger);
        module.setWithdrawalRecipient(stranger, true);
        vm.prank(stranger);
        module.setCallAllowed(address(collateral), bytes4(0x23b872dd), true);
        vm.assertFalse(module.isWithdrawalRecipient(address(safe), stranger), "Safe's withdrawal list untouched");
        vm.assertFalse(
            module.isCallAllowed(address(safe), address(collateral), bytes4(0x23b872dd)), "Safe's call list untouched"
        );
        (, bool revoked,,,,,) = module.getSessionKey(address(safe), sessionKey);
        vm.assertFalse(revoked, "Safe's key untouched");
    }
}

contract AutomationModuleExecutionTest is ModuleTestBase {
    function test_execute_transferToAnAllowlistedRecipientMovesAndChargesIt() public {
        uint256 before = safeBalance();
        execute(address(collateral), transferData(recipient, 40 * USD));
        vm.assertEq(collateral.balanceOf(recipient), 40 * USD, "recipient paid");
        vm.assertEq(safeBalance(), before - 40 * USD, "Safe paid");
        vm.assertEq(module.notionalInWindow(address(safe), sessionKey), 40 * USD, "charged");
    }

    function test_execute_emitsExecutedFromSessionKeyWithTheNotional() public {
        bytes memory data = abi.encodeCall(MockMarket.buy, (25 * USD));
        uint256 nonce = freshNonce();
        uint256 deadline = block.timestamp + 60;
        bytes memory sig = signExecution(SESSION_KEY, address(safe), address(market), 0, data, nonce, deadline);
        vm.expectEmit(true, true, true, true, address(module));
        emit IAutomationModule.ExecutedFromSessionKey(
            address(safe), sessionKey, address(market), MockMarket.buy.selector, nonce, 25 * USD
        );
        module.executeFromSessionKey(
            executionOf(address(safe), address(market), 0, data, nonce, deadline), sessionKey, sig
        );
    }

    function test_execute_chargesTheMeasuredOutflowNotTheDeclaredAmount() public {
        execute(address(market), abi.encodeCall(MockMarket.buyDeclared, (1 * USD, 60 * USD)));
        vm.assertEq(module.notionalInWindow(address(safe), sessionKey), 60 * USD, "measured outflow");
        executeExpectingRevert(
            address(market),
            abi.encodeCall(MockMarket.buyDeclared, (1 * USD, 101 * USD)),
            abi.encodeWithSelector(IAutomationModule.TradeNotionalExceeded.selector, 101 * USD, PER_TRADE)
        );
    }

    function test_execute_inflowIsNotChargedAndDoesNotRefund() public {
        execute(address(market), abi.encodeCall(MockMarket.buy, (50 * USD)));
        execute(address(market), abi.encodeCall(MockMarket.sell, (50 * USD)));
        vm.assertEq(module.notionalInWindow(address(safe), sessionKey), 50 * USD, "only outflow counts");
    }

    function test_execute_anyoneMaySubmit() public {
        bytes memory data = transferData(recipient, USD);
        uint256 nonce = freshNonce();
        uint256 deadline = block.timestamp + 60;
        bytes memory sig = signExecution(SESSION_KEY, address(safe), address(collateral), 0, data, nonce, deadline);
        vm.prank(stranger);
        module.executeFromSessionKey(
            executionOf(address(safe), address(collateral), 0, data, nonce, deadline), sessionKey, sig
        );
        vm.assertEq(collateral.balanceOf(recipient), USD, "executed");
    }

    function test_execute_rejectsAnUnknownKey() public {
        bytes memory data = transferData(recipient, USD);
        address other = vm.addr(OTHER_KEY);
        bytes memory sig = signExecution(OTHER_KEY, address(safe), address(collateral), 0, data, 1, block.timestamp);
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.UnknownSessionKey.selector, address(safe), other));
        module.executeFromSessionKey(
            executionOf(address(safe), address(collateral), 0, data, 1, block.timestamp), other, sig
        );
    }

    function test_execute_rejectsARevokedKey() public {
        asOwner(address(module), abi.encodeCall(AutomationModule.revokeSessionKey, (sessionKey)));
        executeExpectingRevert(
            address(collateral),
            transferData(recipient, USD),
            abi.encodeWithSelector(IAutomationModule.RevokedSessionKey.selector, address(safe), sessionKey)
        );
    }

    function test_execute_worksUntilValidUntilInclusiveThenExpires() public {
        vm.warp(validUntil);
        execute(address(collateral), transferData(recipient, USD));
        vm.warp(validUntil + 1);
        executeExpectingRevert(
            address(collateral),
            transferData(recipient, USD),
            abi.encodeWithSelector(IAutomationModule.ExpiredSessionKey.selector, sessionKey, validUntil)
        );
    }

    function test_execute_rejectsAnAuthorizationPastItsDeadline() public {
        bytes memory data = transferData(recipient, USD);
        uint256 deadline = block.timestamp + 60;
        bytes memory sig = signExecution(SESSION_KEY, address(safe), address(collateral), 0, data, 1, deadline);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.AuthorizationExpired.selector, deadline));
        module.executeFromSessionKey(
            executionOf(address(safe), address(collateral), 0, data, 1, deadline), sessionKey, sig
        );
    }

    function test_execute_rejectsASignatureByAnotherKey() public {
        bytes memory data = transferData(recipient, USD);
        bytes memory sig = signExecution(OTHER_KEY, address(safe), address(collateral), 0, data, 1, block.timestamp);
        vm.expectRevert(IAutomationModule.InvalidSignature.selector);
        module.executeFromSessionKey(
            executionOf(address(safe), address(collateral), 0, data, 1, block.timestamp), sessionKey, sig
        );
    }

    function test_execute_rejectsAReplayedNonce() public {
        bytes memory data = transferData(recipient, USD);
        uint256 deadline = block.timestamp + 60;
        bytes memory sig = signExecution(SESSION_KEY, address(safe), address(collateral), 0, data, 9, deadline);
        module.executeFromSessionKey(
            executionOf(address(safe), address(collateral), 0, data, 9, deadline), sessionKey, sig
        );
        vm.assertTrue(module.isNonceUsed(address(safe), sessionKey, 9), "nonce spent");
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.NonceAlreadyUsed.selector, sessionKey, 9));
        module.executeFromSessionKey(
            executionOf(address(safe), address(collateral), 0, data, 9, deadline), sessionKey, sig
        );
    }

    function test_execute_acceptsNoncesInAnyOrder() public {
        uint256[4] memory nonces = [uint256(700), 3, 255, 256];
        for (uint256 i; i < nonces.length; ++i) {
            bytes memory data = transferData(recipient, USD);
            bytes memory sig =
                signExecution(SESSION_KEY, address(safe), address(collateral), 0, data, nonces[i], block.timestamp);
            module.executeFromSessionKey(
                executionOf(address(safe), address(collateral), 0, data, nonces[i], block.timestamp), sessionKey, sig
            );
        }
        vm.assertFalse(module.isNonceUsed(address(safe), sessionKey, 4), "untouched nonce");
    }

    function test_execute_forbidsCallingTheSafeOrTheModule() public {
        executeExpectingRevert(
            address(safe),
            abi.encodeCall(ISafeFull.addOwnerWithThreshold, (stranger, 1)),
            abi.encodeWithSelector(IAutomationModule.SelfCallForbidden.selector, address(safe))
        );
        executeExpectingRevert(
            address(module),
            abi.encodeCall(AutomationModule.setWithdrawalRecipient, (stranger, true)),
            abi.encodeWithSelector(IAutomationModule.SelfCallForbidden.selector, address(module))
        );
    }

    function test_execute_forbidsNativeValue() public {
        bytes memory data = abi.encodeCall(MockMarket.buy, (USD));
        bytes memory sig = signExecution(SESSION_KEY, address(safe), address(market), 1, data, 1, block.timestamp);
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.NativeValueForbidden.selector, 1));
        module.executeFromSessionKey(
            executionOf(address(safe), address(market), 1, data, 1, block.timestamp), sessionKey, sig
        );
    }

    function test_execute_rejectsCallsOffTheAllowlist() public {
        executeExpectingRevert(
            address(market),
            abi.encodeCall(MockMarket.pullLater, (address(safe), USD)),
            abi.encodeWithSelector(
                IAutomationModule.CallNotAllowed.selector, address(market), MockMarket.pullLater.selector
            )
        );
        executeExpectingRevert(
            stranger, "", abi.encodeWithSelector(IAutomationModule.CallNotAllowed.selector, stranger, bytes4(0))
        );
    }

    function test_execute_rejectsACollateralTransferToANonAllowlistedRecipient() public {
        executeExpectingRevert(
            address(collateral),
            transferData(stranger, USD),
            abi.encodeWithSelector(IAutomationModule.RecipientNotAllowed.selector, stranger)
        );
    }

    function test_execute_forbidsCollateralCallsOtherThanTransferAndApprove() public {
        bytes4 transferFrom = bytes4(keccak256("transferFrom(address,address,uint256)"));
        allowCall(address(collateral), transferFrom);
        executeExpectingRevert(
            address(collateral),
            abi.encodeWithSelector(transferFrom, address(safe), stranger, USD),
            abi.encodeWithSelector(IAutomationModule.CollateralCallForbidden.selector, transferFrom)
        );
        // A truncated transfer cannot smuggle a recipient past the decoder.
        executeExpectingRevert(
            address(collateral),
            abi.encodePacked(IERC20.transfer.selector, bytes32(uint256(uint160(recipient)))),
            abi.encodeWithSelector(IAutomationModule.CollateralCallForbidden.selector, IERC20.transfer.selector)
        );
    }

    function test_execute_rejectsAnApprovalToASpenderThatIsNotAnApprovedOperator() public {
        executeExpectingRevert(
            address(collateral),
            abi.encodeCall(IERC20.approve, (stranger, USD)),
            abi.encodeWithSelector(IAutomationModule.SpenderNotAllowed.selector, stranger)
        );
    }

    function test_execute_chargesAnApprovalsAllowanceIncrease() public {
        asOwner(address(collateral), abi.encodeCall(IERC20.approve, (address(market), 0)));
        execute(address(collateral), abi.encodeCall(IERC20.approve, (address(market), 30 * USD)));
        vm.assertEq(module.notionalInWindow(address(safe), sessionKey), 30 * USD, "granted allowance charged");
        // Re-approving the same amount grants nothing and costs nothing.
        execute(address(collateral), abi.encodeCall(IERC20.approve, (address(market), 30 * USD)));
        vm.assertEq(module.notionalInWindow(address(safe), sessionKey), 30 * USD, "no increase, no charge");
        // Lowering is refused: it would let a key wipe the owners' standing approvals.
        executeExpectingRevert(
            address(collateral),
            abi.encodeCall(IERC20.approve, (address(market), 10 * USD)),
            abi.encodeWithSelector(IAutomationModule.ApprovalDecreaseForbidden.selector, address(market))
        );
        executeExpectingRevert(
            address(collateral),
            abi.encodeCall(IERC20.approve, (address(market), type(uint256).max)),
            abi.encodeWithSelector(
                IAutomationModule.TradeNotionalExceeded.selector, type(uint256).max - 30 * USD, PER_TRADE
            )
        );
    }

    function test_execute_perTradeLimitIsInclusive() public {
        execute(address(collateral), transferData(recipient, PER_TRADE));
        executeExpectingRevert(
            address(collateral),
            transferData(recipient, PER_TRADE + 1),
            abi.encodeWithSelector(IAutomationModule.TradeNotionalExceeded.selector, PER_TRADE + 1, PER_TRADE)
        );
    }

    function test_execute_dailyLimitCoversEvery24HourWindow() public {
        vm.warp(START + 30 minutes); // mid-hour, so the window is not aligned
        for (uint256 i; i < 10; ++i) {
            execute(address(collateral), transferData(recipient, PER_TRADE));
        }
        executeExpectingRevert(
            address(collateral),
            transferData(recipient, 1),
            abi.encodeWithSelector(IAutomationModule.DailyNotionalExceeded.selector, PER_DAY + 1, PER_DAY)
        );
        // 23h59m later the spend is still inside the same 24 hours.
        vm.warp(START + 30 minutes + 24 hours - 1);
        executeExpectingRevert(
            address(collateral),
            transferData(recipient, 1),
            abi.encodeWithSelector(IAutomationModule.DailyNotionalExceeded.selector, PER_DAY + 1, PER_DAY)
        );
        // Once the spending hour has left the 25-hour window, the budget is back.
        vm.warp(START + 25 hours);
        vm.assertEq(module.notionalInWindow(address(safe), sessionKey), 0, "window cleared");
        execute(address(collateral), transferData(recipient, PER_TRADE));
    }

    function test_execute_txPerHourIsASlidingHour() public {
        asOwner(
            address(module),
            abi.encodeCall(AutomationModule.updateSessionKey, (sessionKey, validUntil, PER_TRADE, PER_DAY, 3))
        );
        execute(address(market), abi.encodeCall(MockMarket.sell, (0)));
        vm.warp(block.timestamp + 10 minutes);
        execute(address(market), abi.encodeCall(MockMarket.sell, (0)));
        execute(address(market), abi.encodeCall(MockMarket.sell, (0)));
        executeExpectingRevert(
            address(market),
            abi.encodeCall(MockMarket.sell, (0)),
            abi.encodeWithSelector(IAutomationModule.TxRateExceeded.selector, 3)
        );
        vm.warp(START + 1 hours - 1);
        vm.assertFalse(module.txRateAllowsNow(address(safe), sessionKey), "first still inside the hour");
        vm.warp(START + 1 hours);
        execute(address(market), abi.encodeCall(MockMarket.sell, (0)));
        executeExpectingRevert(
            address(market),
            abi.encodeCall(MockMarket.sell, (0)),
            abi.encodeWithSelector(IAutomationModule.TxRateExceeded.selector, 3)
        );
    }

    /// The target's revert data is not carried: copying it would be the submitter's cost.
    function test_execute_aFailedCallRevertsWithExecutionFailedAndCommitsNothing() public {
        bytes memory data = abi.encodeCall(MockMarket.fail, ());
        bytes memory sig = signExecution(SESSION_KEY, address(safe), address(market), 0, data, 42, block.timestamp);
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.ExecutionFailed.selector));
        module.executeFromSessionKey(
            executionOf(address(safe), address(market), 0, data, 42, block.timestamp), sessionKey, sig
        );
        vm.assertFalse(module.isNonceUsed(address(safe), sessionKey, 42), "nonce not spent");
        (,,,,, uint256 count,) = module.getSessionKey(address(safe), sessionKey);
        vm.assertEq(count, 0, "execution not counted");
    }

    function test_execute_aBreachAfterTheCallUndoesTheCallAndTheCounters() public {
        uint256 before = safeBalance();
        executeExpectingRevert(
            address(collateral),
            transferData(recipient, PER_TRADE + 1),
            abi.encodeWithSelector(IAutomationModule.TradeNotionalExceeded.selector, PER_TRADE + 1, PER_TRADE)
        );
        vm.assertEq(safeBalance(), before, "transfer undone");
        (,,,,, uint256 count,) = module.getSessionKey(address(safe), sessionKey);
        vm.assertEq(count, 0, "execution not counted");
    }

    function test_execute_failsWhereTheSafeHasNotEnabledTheModule() public {
        ISafeFull other = SafeKit.createSafe(safeDeployment, owner, 2);
        vm.prank(address(other));
        module.registerSessionKey(sessionKey, validUntil, PER_TRADE, PER_DAY, TX_PER_HOUR);
        vm.prank(address(other));
        module.setCallAllowed(address(market), MockMarket.sell.selector, true);
        bytes memory data = abi.encodeCall(MockMarket.sell, (0));
        bytes memory sig = signExecution(SESSION_KEY, address(other), address(market), 0, data, 1, block.timestamp);
        vm.expectRevert(bytes("GS104"));
        module.executeFromSessionKey(
            executionOf(address(other), address(market), 0, data, 1, block.timestamp), sessionKey, sig
        );
    }
}
