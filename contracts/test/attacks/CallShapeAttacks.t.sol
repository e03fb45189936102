// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {IAutomationModule} from "../../src/interfaces/IAutomationModule.sol";
import {ReturnDataBomb} from "../mocks/GasGriefers.sol";
import {FallbackSink} from "../mocks/SafeParts.sol";
import {ModuleTestBase} from "../utils/ModuleTestBase.sol";

/// @notice Review findings 8 and 9 (return data): the allowlist entry for data-less calls must not
/// admit data, and a target's return data must not cost the submitter.
contract CallShapeAttackTest is ModuleTestBase {
    function test_attack_theEntryForCallsWithoutDataAdmitsNoData() public {
        FallbackSink sink = new FallbackSink();
        allowCall(address(sink), bytes4(0)); // meant for calls shorter than 4 bytes
        executeExpectingRevert(
            address(sink),
            abi.encodePacked(bytes4(0), abi.encode(stranger, 1_000 * USD)),
            abi.encodeWithSelector(IAutomationModule.CallNotAllowed.selector, address(sink), bytes4(0))
        );
        vm.assertEq(sink.hits(), 0, "the target's fallback ran");
        // What the entry is for still works: a call with less than a selector's worth of data.
        execute(address(sink), hex"beef");
        vm.assertEq(sink.hits(), 1, "a short call reached the fallback");
    }

    function test_attack_hugeReturnDataCostsTheSubmitterNothingBeyondTheTargetsOwnWork() public {
        ReturnDataBomb bomb = new ReturnDataBomb();
        allowCall(address(bomb), ReturnDataBomb.blast.selector);
        uint256 size = 100_000;
        uint256 small = gasOfExecution(address(bomb), abi.encodeCall(ReturnDataBomb.blast, (0)));
        uint256 huge = gasOfExecution(address(bomb), abi.encodeCall(ReturnDataBomb.blast, (size)));
        uint256 ownSmall = gasOfCall(address(bomb), abi.encodeCall(ReturnDataBomb.blast, (0)));
        uint256 ownHuge = gasOfCall(address(bomb), abi.encodeCall(ReturnDataBomb.blast, (size)));
        // What the target spends building its return data is its own; copying it is not.
        vm.assertLe(huge - small, ownHuge - ownSmall + 10_000, "the module copied the return data");
    }

    /// Gas of one executeFromSessionKey, called as the relayer's transaction would: return data
    /// not copied into the caller.
    function gasOfExecution(address to, bytes memory data) private returns (uint256) {
        uint256 nonce = freshNonce();
        uint256 deadline = block.timestamp + 300;
        bytes memory sig = signExecution(SESSION_KEY, address(safe), to, 0, data, nonce, deadline);
        bytes memory payload = abi.encodeCall(
            IAutomationModule.executeFromSessionKey,
            (executionOf(address(safe), to, 0, data, nonce, deadline), sessionKey, sig)
        );
        return gasOfCall(address(module), payload);
    }

    function gasOfCall(address to, bytes memory payload) private returns (uint256 used) {
        bool ok;
        assembly ("memory-safe") {
            let before := gas()
            ok := call(gas(), to, 0, add(payload, 0x20), mload(payload), 0, 0)
            used := sub(before, gas())
        }
        vm.assertTrue(ok, "call failed");
    }
}
