// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {IAutomationModule} from "../../src/interfaces/IAutomationModule.sol";
import {TestCollateral} from "./TestCollateral.sol";

/// @notice A target that, when the Safe calls it, re-enters the module with a second valid
/// authorization it was handed (as a compromised relayer could), and records how the module
/// answered instead of failing, so the outer execution completes and the answer can be read.
contract ReentrantTarget {
    struct Reentry {
        IAutomationModule module;
        IAutomationModule.SessionKeyExecution execution;
        address sessionKey;
        bytes signature;
    }

    Reentry private next;
    bytes public lastRevert;

    function arm(Reentry calldata reentry) external {
        next = reentry;
    }

    function attack() external {
        Reentry memory r = next;
        try r.module.executeFromSessionKey(r.execution, r.sessionKey, r.signature) {}
        catch (bytes memory reason) {
            lastRevert = reason;
        }
    }
}

/// @notice A target that tries to hand a third party the Safe's collateral by approving it.
/// Called by the Safe, its `approve` runs as this contract, so it can only give away its own.
contract ThirdPartyApprover {
    TestCollateral public immutable collateral;

    constructor(TestCollateral collateral_) {
        collateral = collateral_;
    }

    function approveThirdParty(address thirdParty) external {
        collateral.approve(thirdParty, type(uint256).max);
    }
}

/// @notice Writes the storage slots that hold a Safe's singleton and module list. Run by
/// delegatecall it would take the Safe over; run by call it only touches its own storage.
contract DelegatecallProbe {
    uint256[16] private keepClearOfSafeSlots;
    address public lastSelf;

    function hijack(address attacker) external {
        lastSelf = address(this);
        assembly {
            sstore(0, attacker) // Safe: singleton
            sstore(3, attacker) // Safe: owner count
        }
    }
}
