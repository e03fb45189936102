// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

/// @notice The part of a Safe (1.1.1 and later) that a module uses.
interface ISafe {
    enum Operation {
        Call,
        DelegateCall
    }

    function execTransactionFromModuleReturnData(address to, uint256 value, bytes calldata data, Operation operation)
        external
        returns (bool success, bytes memory returnData);
}
