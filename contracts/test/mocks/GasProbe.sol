// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

/// @notice Records the gas it was called with, to check what a target is given.
contract GasProbe {
    uint256 public gasAtEntry;

    function probe() external {
        gasAtEntry = gasleft();
    }
}
