// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {TestCollateral} from "./TestCollateral.sol";

interface IExecuteFromSessionKey {
    function executeFromSessionKey(
        address safe,
        address sessionKey,
        address to,
        uint256 value,
        bytes calldata data,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes memory);
}

/// @notice A target that, when the Safe calls it, re-enters the module with a second valid
/// authorization it was handed (as a compromised relayer could).
contract ReentrantTarget {
    struct Authorization {
        address module;
        address safe;
        address sessionKey;
        address to;
        bytes data;
        uint256 nonce;
        uint256 deadline;
        bytes signature;
    }

    Authorization private next;

    function arm(Authorization calldata authorization) external {
        next = authorization;
    }

    function attack() external {
        Authorization memory a = next;
        IExecuteFromSessionKey(a.module)
            .executeFromSessionKey(a.safe, a.sessionKey, a.to, 0, a.data, a.nonce, a.deadline, a.signature);
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
