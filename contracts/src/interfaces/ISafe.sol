// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

/// @notice The part of a Safe (1.3.0 and later) that the module uses.
interface ISafe {
    enum Operation {
        Call,
        DelegateCall
    }

    /// @dev The variant without return data: the Safe's call to the target copies none.
    function execTransactionFromModule(address to, uint256 value, bytes calldata data, Operation operation)
        external
        returns (bool success);

    function isModuleEnabled(address module) external view returns (bool);

    /// @dev StorageAccessible: `length` words of the Safe's storage from slot `offset`.
    function getStorageAt(uint256 offset, uint256 length) external view returns (bytes memory);
}
