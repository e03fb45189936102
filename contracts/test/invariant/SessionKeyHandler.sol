// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {AutomationModule} from "../../src/AutomationModule.sol";
import {IAutomationModule} from "../../src/interfaces/IAutomationModule.sol";
import {IERC20} from "../../src/interfaces/IERC20.sol";
import {MockMarket} from "../mocks/MockMarket.sol";
import {TestCollateral} from "../mocks/TestCollateral.sol";
import {ISafeFull, SafeKit} from "../utils/SafeKit.sol";
import {Vm, VM_ADDRESS} from "../utils/Vm.sol";

/// @notice Drives one Safe's session key through random sequences of what a compromised
/// backend could submit (transfers anywhere, buys, approvals, replays, authorizations signed
/// earlier and submitted late) while time passes, the market pulls on its allowances and the owner
/// may give the key a new expiry (after it lapsed, too) or revoke it. It measures every successful
/// execution itself (collateral leaving the Safe plus allowance granted) and records any breach
/// of the promises in ghost counters that the invariants require to stay zero.
contract SessionKeyHandler {
    Vm private constant vm = Vm(VM_ADDRESS);

    struct Context {
        AutomationModule module;
        ISafeFull safe;
        TestCollateral collateral;
        MockMarket market;
        uint256 ownerKey;
        uint256 sessionPrivateKey;
        address recipient;
        address stranger;
        uint256 perTrade;
        uint256 perDay;
        uint256 txPerHour;
        uint256 validUntil;
    }

    Context private c;
    address private immutable sessionKey;

    uint256 private nextNonce = 1;
    bool public revoked;

    // Every successful execution, in order.
    uint256[] private execTimes;
    uint256[] private execNotional;

    // The last successful authorization, for replays.
    IAutomationModule.SessionKeyExecution private lastExecution;
    bytes private lastSignature;

    /// Authorizations signed earlier, with the key's expiry when they were signed.
    struct SignedEarlier {
        IAutomationModule.SessionKeyExecution execution;
        bytes signature;
        uint256 keyValidUntil;
    }

    SignedEarlier[] private signedEarlier;

    // Ghosts: each must stay zero (see the invariants), except the totals.
    uint256 public tradeBreaches;
    uint256 public dayBreaches;
    uint256 public hourBreaches;
    uint256 public executionsWhenInactive;
    uint256 public replaysAccepted;
    uint256 public executionsPastDeadlineOrSigningExpiry;
    uint256 public chargedForApprovals;
    uint256 public pulledOutsideTheModule;
    uint256 public successes;
    uint256 public rejections;

    constructor(Context memory context) {
        c = context;
        sessionKey = vm.addr(context.sessionPrivateKey);
    }

    // ---- Actions

    function transfer(uint256 amountSeed, bool toStranger, uint256 waitSeed) external {
        wait(waitSeed);
        uint256 amount = spread(amountSeed) % (2 * c.perTrade + 1);
        address to = toStranger ? c.stranger : c.recipient;
        submit(address(c.collateral), abi.encodeCall(IERC20.transfer, (to, amount)), address(0));
    }

    function buy(uint256 amountSeed, uint256 declared, uint256 waitSeed) external {
        wait(waitSeed);
        uint256 allowance = c.collateral.allowance(address(c.safe), address(c.market));
        uint256 amount = spread(amountSeed) % (allowance + 1);
        submit(address(c.market), abi.encodeCall(MockMarket.buyDeclared, (declared, amount)), address(0));
    }

    function approve(uint256 amountSeed, uint256 waitSeed) external {
        wait(waitSeed);
        uint256 amount = spread(amountSeed) % (2 * c.perTrade + 1);
        submit(address(c.collateral), abi.encodeCall(IERC20.approve, (address(c.market), amount)), address(c.market));
    }

    function sell(uint256 amountSeed, uint256 waitSeed) external {
        wait(waitSeed);
        uint256 amount = spread(amountSeed) % (c.collateral.balanceOf(address(c.market)) + 1);
        submit(address(c.market), abi.encodeCall(MockMarket.sell, (amount)), address(0));
    }

    /// The market (a third party) pulls with whatever allowance it holds, outside the module.
    function pullLater(uint256 amountSeed) external {
        uint256 allowance = c.collateral.allowance(address(c.safe), address(c.market));
        uint256 amount = spread(amountSeed) % (allowance + 1);
        c.market.pullLater(address(c.safe), amount);
        pulledOutsideTheModule += amount;
    }

    function replayLast() external {
        if (lastSignature.length == 0) return;
        try c.module.executeFromSessionKey(lastExecution, sessionKey, lastSignature) {
            ++replaysAccepted;
        } catch {}
    }

    /// The key signs a small withdrawal now, to be submitted later; its deadline is up to 30
    /// minutes out (past what the module admits, and past the key's expiry, included).
    function signForLater(uint256 amountSeed, uint256 deadlineSeed) external {
        if (signedEarlier.length == 16) return;
        uint256 amount = spread(amountSeed) % (c.perTrade / 10 + 1);
        IAutomationModule.SessionKeyExecution memory execution =
            authorization(address(c.collateral), abi.encodeCall(IERC20.transfer, (c.recipient, amount)));
        execution.deadline = block.timestamp + deadlineSeed % 30 minutes;
        signedEarlier.push(SignedEarlier(execution, sign(execution), c.validUntil));
    }

    function submitSignedEarlier(uint256 indexSeed, uint256 waitSeed) external {
        if (signedEarlier.length == 0) return;
        wait(waitSeed);
        SignedEarlier memory earlier = signedEarlier[indexSeed % signedEarlier.length];
        if (submitSigned(earlier.execution, earlier.signature, address(0))) {
            if (block.timestamp > earlier.execution.deadline || block.timestamp > earlier.keyValidUntil) {
                ++executionsPastDeadlineOrSigningExpiry;
            }
        }
    }

    /// The owners give the key a new expiry, keeping its limits; after it lapsed, too. Half the
    /// time within the hour, so keys lapse (and are revived) while authorizations are pending.
    function ownersUpdateKey(uint256 ttlSeed) external {
        if (revoked) return;
        uint256 until = block.timestamp + 300 + ttlSeed % (ttlSeed % 2 == 0 ? 1 hours : 30 days - 300);
        SafeKit.execAsOwner(
            c.safe,
            c.ownerKey,
            address(c.module),
            abi.encodeCall(AutomationModule.updateSessionKey, (sessionKey, until, c.perTrade, c.perDay, c.txPerHour))
        );
        c.validUntil = until;
    }

    function revokeSometimes(uint256 seed) external {
        if (revoked || seed % 16 != 0) return;
        SafeKit.execAsOwner(
            c.safe, c.ownerKey, address(c.module), abi.encodeCall(AutomationModule.revokeSessionKey, (sessionKey))
        );
        revoked = true;
    }

    // ---- Submission and measurement

    /// The fuzzer favours small and boundary values; amounts should cover their whole range.
    function spread(uint256 seed) private pure returns (uint256) {
        return uint256(keccak256(abi.encode(seed)));
    }

    /// Mostly minutes, so limits are hit; now and then a day or two, so windows drain and
    /// runs also cross the key's expiry.
    function wait(uint256 seed) private {
        vm.warp(block.timestamp + (seed % 64 == 0 ? seed % 2 days : seed % 20 minutes));
    }

    function submit(address to, bytes memory data, address spender) private {
        IAutomationModule.SessionKeyExecution memory execution = authorization(to, data);
        submitSigned(execution, sign(execution), spender);
    }

    function submitSigned(
        IAutomationModule.SessionKeyExecution memory execution,
        bytes memory signature,
        address spender
    ) private returns (bool ok) {
        uint256 balanceBefore = c.collateral.balanceOf(address(c.safe));
        uint256 allowanceBefore = spender == address(0) ? 0 : c.collateral.allowance(address(c.safe), spender);

        try c.module.executeFromSessionKey(execution, sessionKey, signature) {
            uint256 balanceAfter = c.collateral.balanceOf(address(c.safe));
            uint256 notional = balanceBefore > balanceAfter ? balanceBefore - balanceAfter : 0;
            if (spender != address(0)) {
                uint256 allowanceAfter = c.collateral.allowance(address(c.safe), spender);
                if (allowanceAfter > allowanceBefore) {
                    notional += allowanceAfter - allowanceBefore;
                    chargedForApprovals += allowanceAfter - allowanceBefore;
                }
            }
            record(notional);
            (lastExecution, lastSignature) = (execution, signature);
            ok = true;
        } catch {
            ++rejections;
        }
    }

    /// A fresh nonce, five minutes to live (or until the key expires), no gas floor, the key's
    /// current epoch.
    function authorization(address to, bytes memory data)
        private
        returns (IAutomationModule.SessionKeyExecution memory)
    {
        (,,,,,, uint256 epoch) = c.module.getSessionKey(address(c.safe), sessionKey);
        return IAutomationModule.SessionKeyExecution({
            safe: address(c.safe),
            to: to,
            value: 0,
            data: data,
            nonce: nextNonce++,
            deadline: block.timestamp + 300 < c.validUntil ? block.timestamp + 300 : c.validUntil,
            minGas: 0,
            epoch: epoch
        });
    }

    function sign(IAutomationModule.SessionKeyExecution memory execution) private view returns (bytes memory) {
        bytes32 digest = c.module.executionDigest(execution);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(c.sessionPrivateKey, digest);
        return abi.encodePacked(r, s, v);
    }

    /// Checks the new execution against every 24-hour and 1-hour window that ends with it: those
    /// are the windows whose totals it can raise.
    function record(uint256 notional) private {
        ++successes;
        if (revoked || block.timestamp > c.validUntil) ++executionsWhenInactive;
        if (notional > c.perTrade) ++tradeBreaches;
        uint256 dayTotal = notional;
        uint256 hourCount = 1;
        for (uint256 i; i < execTimes.length; ++i) {
            uint256 age = block.timestamp - execTimes[i];
            if (age < 1 days) dayTotal += execNotional[i];
            if (age < 1 hours) ++hourCount;
        }
        if (dayTotal > c.perDay) ++dayBreaches;
        if (hourCount > c.txPerHour) ++hourBreaches;
        execTimes.push(block.timestamp);
        execNotional.push(notional);
    }

    /// @notice What the handler measured in the clock hours the module's window covers (the
    /// current hour and the 24 before it), to compare with the module's own bookkeeping.
    function measuredInModuleWindow() external view returns (uint256 total) {
        uint256 hour = block.timestamp / 1 hours;
        for (uint256 i; i < execTimes.length; ++i) {
            if (execTimes[i] / 1 hours + 24 >= hour) total += execNotional[i];
        }
    }
}
