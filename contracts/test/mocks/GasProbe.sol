// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

/// @notice Records the gas it was called with, to check what a target is given; the argument is
/// padding, so that a call can carry any amount of data.
contract GasProbe {
    uint256 public gasAtEntry;

    function probe(bytes calldata) external {
        gasAtEntry = gasleft();
    }
}
