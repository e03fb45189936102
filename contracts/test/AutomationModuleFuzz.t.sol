// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {IAutomationModule} from "../src/interfaces/IAutomationModule.sol";
import {IERC20} from "../src/interfaces/IERC20.sol";
import {GasProbe} from "./mocks/GasProbe.sol";
import {MockMarket} from "./mocks/MockMarket.sol";
import {ModuleTestBase} from "./utils/ModuleTestBase.sol";

/// @notice Each rule against fuzzed amounts, times, keys and addresses (runs: foundry.toml).
contract AutomationModuleFuzzTest is ModuleTestBase {
    uint256 private constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    uint256 private constant HALF_N = SECP256K1_N / 2;

    function testFuzz_anyTransferUpToThePerTradeLimitIsExecutedAndChargedExactly(uint256 amount) public {
        amount = bound(amount, 0, PER_TRADE);
        uint256 before = safeBalance();
        execute(address(collateral), transferData(recipient, amount));
        vm.assertEq(safeBalance(), before - amount, "moved");
        vm.assertEq(module.notionalInWindow(address(safe), sessionKey), amount, "charged exactly the outflow");
    }

    function testFuzz_anyOutflowAboveThePerTradeLimitRevertsWhateverIsDeclared(uint256 declared, uint256 actual)
        public
    {
        actual = bound(actual, PER_TRADE + 1, safeBalance());
        executeExpectingRevert(
            address(market),
            abi.encodeCall(MockMarket.buyDeclared, (declared, actual)),
            abi.encodeWithSelector(IAutomationModule.TradeNotionalExceeded.selector, actual, PER_TRADE)
        );
    }

    function testFuzz_twoSpendsLessThanADayApartNeverExceedTheDailyLimit(
        uint256 first,
        uint256 second,
        uint256 gap,
        uint256 offset
    ) public {
        setLimits(PER_TRADE, 150 * USD, TX_PER_HOUR);
        first = bound(first, 1, PER_TRADE);
        second = bound(second, 1, PER_TRADE);
        vm.warp(START + bound(offset, 0, 1 hours - 1));
        execute(address(collateral), transferData(recipient, first));
        gap = bound(gap, 0, 26 hours);
        vm.warp(block.timestamp + gap);
        bool ok = tryExecute(address(collateral), transferData(recipient, second));
        if (first + second <= 150 * USD || gap >= 25 hours) vm.assertTrue(ok, "within budget must pass");
        if (ok) vm.assertTrue(first + second <= 150 * USD || gap >= 24 hours, "a day held more than its limit");
    }

    function testFuzz_executionsInAnyHourNeverExceedMaxTxPerHour(uint256 seed) public {
        setLimits(PER_TRADE, PER_DAY, 3);
        uint256[12] memory done;
        uint256 count;
        for (uint256 i; i < 12; ++i) {
            vm.warp(block.timestamp + bound(uint256(keccak256(abi.encode(seed, i))), 0, 40 minutes));
            uint256 inLastHour;
            for (uint256 j; j < count; ++j) {
                if (block.timestamp - done[j] < 1 hours) ++inLastHour;
            }
            bool ok = tryExecute(address(market), abi.encodeCall(MockMarket.sell, (0)));
            vm.assertEq(ok, inLastHour < 3, "exactly the sliding-hour rule");
            if (ok) done[count++] = block.timestamp;
        }
    }

    function testFuzz_noExecutionAfterExpiry(uint256 when) public {
        vm.warp(bound(when, START, START + 60 days));
        bool ok = tryExecute(address(collateral), transferData(recipient, USD));
        vm.assertEq(ok, block.timestamp <= validUntil, "valid exactly until validUntil");
    }

    function testFuzz_noExecutionAfterRevocation(uint256 when) public {
        vm.warp(bound(when, START, validUntil));
        asOwner(address(module), abi.encodeWithSignature("revokeSessionKey(address)", sessionKey));
        executeExpectingRevert(
            address(collateral),
            transferData(recipient, USD),
            abi.encodeWithSelector(IAutomationModule.RevokedSessionKey.selector, address(safe), sessionKey)
        );
    }

    function testFuzz_aSignatureByAnyOtherKeyIsRejected(uint256 signerKey) public {
        signerKey = bound(signerKey, 1, SECP256K1_N - 1);
        vm.assume(signerKey != SESSION_KEY);
        bytes memory data = transferData(recipient, USD);
        bytes memory sig = signExecution(signerKey, address(safe), address(collateral), 0, data, 1, block.timestamp);
        vm.expectRevert(IAutomationModule.InvalidSignature.selector);
        module.executeFromSessionKey(
            executionOf(address(safe), address(collateral), 0, data, 1, block.timestamp), sessionKey, sig
        );
    }

    function testFuzz_noTransferToANonAllowlistedRecipient(address to, uint256 amount) public {
        vm.assume(to != recipient);
        amount = bound(amount, 0, PER_TRADE);
        executeExpectingRevert(
            address(collateral),
            transferData(to, amount),
            abi.encodeWithSelector(IAutomationModule.RecipientNotAllowed.selector, to)
        );
    }

    function testFuzz_aNonceAuthorizesExactlyOnce(uint256 nonce) public {
        bytes memory data = transferData(recipient, USD);
        bytes memory sig =
            signExecution(SESSION_KEY, address(safe), address(collateral), 0, data, nonce, block.timestamp);
        module.executeFromSessionKey(
            executionOf(address(safe), address(collateral), 0, data, nonce, block.timestamp), sessionKey, sig
        );
        vm.assertTrue(module.isNonceUsed(address(safe), sessionKey, nonce), "spent");
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.NonceAlreadyUsed.selector, sessionKey, nonce));
        module.executeFromSessionKey(
            executionOf(address(safe), address(collateral), 0, data, nonce, block.timestamp), sessionKey, sig
        );
    }

    function testFuzz_theMalleatedTwinOfAnySignatureIsRejected(uint256 nonce) public {
        bytes memory data = transferData(recipient, USD);
        bytes memory sig =
            signExecution(SESSION_KEY, address(safe), address(collateral), 0, data, nonce, block.timestamp);
        bytes32 r;
        uint256 s;
        uint8 v;
        assembly ("memory-safe") {
            r := mload(add(sig, 0x20))
            s := mload(add(sig, 0x40))
            v := byte(0, mload(add(sig, 0x60)))
        }
        vm.assertLe(s, HALF_N, "signer produces low s");
        bytes memory twin = abi.encodePacked(r, SECP256K1_N - s, v == 27 ? uint8(28) : uint8(27));
        vm.expectRevert(IAutomationModule.SignatureMalleable.selector);
        module.executeFromSessionKey(
            executionOf(address(safe), address(collateral), 0, data, nonce, block.timestamp), sessionKey, twin
        );
    }

    function testFuzz_anApprovalIsChargedItsIncreaseAndNeverLowers(uint256 first, uint256 second) public {
        asOwner(address(collateral), abi.encodeCall(IERC20.approve, (address(market), 0)));
        first = bound(first, 0, PER_TRADE);
        second = bound(second, 0, 2 * PER_TRADE);
        execute(address(collateral), abi.encodeCall(IERC20.approve, (address(market), first)));
        uint256 increase = second > first ? second - first : 0;
        bool ok = tryExecute(address(collateral), abi.encodeCall(IERC20.approve, (address(market), second)));
        vm.assertEq(ok, second >= first && increase <= PER_TRADE, "passes iff it does not lower and fits a trade");
        uint256 charged = module.notionalInWindow(address(safe), sessionKey);
        vm.assertEq(charged, first + (ok ? increase : 0), "charged the allowance increases");
        vm.assertLe(collateral.allowance(address(safe), address(market)), charged, "exposure never above charge");
    }

    /// Whatever gas the submitter sends and however much data the call carries, the call either
    /// gets at least `minGas` or never starts; and the floor costs no more than a tenth over
    /// `minGas` plus the module's own gas and the data's.
    function testFuzz_theCallGetsAtLeastMinGasWheneverItRuns(uint256 minGas, uint256 gasLimit, uint256 size) public {
        GasProbe probe = new GasProbe();
        allowCall(address(probe), GasProbe.probe.selector);
        bytes memory data = abi.encodeCall(GasProbe.probe, (new bytes(bound(size, 0, 150_000))));
        IAutomationModule.SessionKeyExecution memory e =
            executionOf(address(safe), address(probe), 0, data, 1, block.timestamp);
        e.minGas = bound(minGas, 0, 5_000_000);
        bytes memory sig = sign(SESSION_KEY, e);
        uint256 dataGas = 16 * data.length + (data.length / 32) ** 2 / 64; // calldata, and copies in four frames
        gasLimit = bound(gasLimit, e.minGas, e.minGas + e.minGas / 10 + 200_000 + dataGas);
        try module.executeFromSessionKey{gas: gasLimit}(e, sessionKey, sig) {
            vm.assertLe(e.minGas, probe.gasAtEntry(), "the call ran with less than minGas");
        } catch {
            vm.assertFalse(module.isNonceUsed(address(safe), sessionKey, 1), "a refused authorization spent its nonce");
            vm.assertLe(gasLimit, e.minGas + e.minGas / 10 + 150_000 + dataGas, "refused with ample gas");
        }
    }
}
