// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {IERC20} from "../../src/interfaces/IERC20.sol";
import {PolymarketSafeTestBase} from "../utils/PolymarketSafeTestBase.sol";
import {AssetHandler} from "./AssetHandler.sol";
import {SessionKeyHandler} from "./SessionKeyHandler.sol";

/// @notice The module's promises, checked after every call of random sequences driven by
/// SessionKeyHandler (collateral, authorizations, the owners' updates) and AssetHandler (outcome
/// tokens and USDC.e) on one Polymarket Safe (runs and depth: foundry.toml [invariant]).
contract AutomationModuleInvariantTest is PolymarketSafeTestBase {
    uint256 private constant H_PER_TRADE = 100 * USD;
    uint256 private constant H_PER_DAY = 300 * USD; // tight, so runs hit the day limit often
    uint256 private constant H_TX_PER_HOUR = 4; // tight, so runs hit the hour limit often

    SessionKeyHandler private handler;
    AssetHandler private assets;
    uint256 private usdceMinted;

    function setUp() public override {
        super.setUp();
        validUntil = block.timestamp + 30 days;
        setLimits(H_PER_TRADE, H_PER_DAY, H_TX_PER_HOUR);
        // Only the session key's own approvals exist, so every pull is one it paid for.
        asOwner(address(collateral), abi.encodeCall(IERC20.approve, (address(market), 0)));
        collateral.mint(address(market), 10_000 * USD);
        handler = new SessionKeyHandler(
            SessionKeyHandler.Context({
                module: module,
                safe: safe,
                collateral: collateral,
                market: market,
                ownerKey: OWNER_KEY,
                sessionPrivateKey: SESSION_KEY,
                recipient: recipient,
                stranger: stranger,
                perTrade: H_PER_TRADE,
                perDay: H_PER_DAY,
                txPerHour: H_TX_PER_HOUR,
                validUntil: validUntil
            })
        );
        assets = new AssetHandler(
            AssetHandler.Context({
                module: module,
                safe: address(safe),
                ctf: ctf,
                yes: binary.yes,
                no: binary.no,
                usdce: usdce,
                sessionPrivateKey: SESSION_KEY,
                recipient: recipient,
                stranger: stranger,
                exchange: address(market)
            })
        );
        usdceMinted = usdce.totalSupply();
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](2);
        targets[0] = address(handler);
        targets[1] = address(assets);
    }

    function invariant_noSingleExecutionExceedsMaxNotionalPerTrade() public view {
        vm.assertEq(handler.tradeBreaches(), 0, "an execution moved more than maxNotionalPerTrade");
    }

    function invariant_outflowInAnyRollingDayStaysWithinMaxNotionalPerDay() public view {
        vm.assertEq(handler.dayBreaches(), 0, "a 24-hour window held more than maxNotionalPerDay");
    }

    function invariant_executionsInAnyHourStayWithinMaxTxPerHour() public view {
        vm.assertEq(handler.hourBreaches(), 0, "an hour held more than maxTxPerHour executions");
    }

    function invariant_nothingExecutesAfterExpiryOrRevocation() public view {
        vm.assertEq(handler.executionsWhenInactive(), 0, "an expired or revoked key executed");
    }

    function invariant_nothingExecutesPastItsDeadlineOrTheExpiryItWasSignedUnder() public view {
        vm.assertEq(
            handler.executionsPastDeadlineOrSigningExpiry(),
            0,
            "an authorization ran past its deadline or its key's expiry, after the owners' update"
        );
    }

    function invariant_noOutcomeTokenLeavesTheSafeExceptToAWithdrawalRecipient() public view {
        uint256[2] memory ids = [binary.yes, binary.no];
        for (uint256 i; i < ids.length; ++i) {
            vm.assertEq(
                ctf.balanceOf(address(safe), ids[i]) + ctf.balanceOf(recipient, ids[i]),
                SHARES,
                "outcome tokens are somewhere other than the Safe and the withdrawal recipient"
            );
        }
    }

    function invariant_noUnmeasuredTokenLeavesTheSafeExceptToAWithdrawalRecipient() public view {
        vm.assertEq(
            usdce.balanceOf(address(safe)) + usdce.balanceOf(recipient),
            usdceMinted,
            "USDC.e is somewhere other than the Safe and the withdrawal recipient"
        );
    }

    function invariant_noAuthorizationExecutesTwice() public view {
        vm.assertEq(handler.replaysAccepted(), 0, "a replayed authorization executed");
    }

    function invariant_noCollateralReachesANonAllowlistedRecipient() public view {
        vm.assertEq(collateral.balanceOf(stranger), 0, "collateral reached a non-allowlisted address");
    }

    function invariant_pullsOnApprovalsNeverExceedWhatTheApprovalsWereCharged() public view {
        vm.assertLe(
            handler.pulledOutsideTheModule(), handler.chargedForApprovals(), "a spender pulled more than was charged"
        );
    }

    function invariant_theModulesBookkeepingMatchesTheMeasuredOutflow() public view {
        vm.assertEq(
            module.notionalInWindow(address(safe), sessionKey),
            handler.measuredInModuleWindow(),
            "module's window total differs from the measured outflow"
        );
    }
}
