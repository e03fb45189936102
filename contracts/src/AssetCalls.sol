// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {IAutomationModule} from "./interfaces/IAutomationModule.sol";

/// @title AssetCalls — the token functions the module recognises on every target
/// @notice ERC-20, ERC-721 and ERC-1155 share a handful of selectors that grant or move a holder's
/// tokens. Whatever contract a call goes to, a call with one of them is held to the asset rules
/// (see AutomationModule._checkAssetCall); this library names them and reads their address
/// arguments the way an ABI decoder would, refusing what a strict decoder would reject.
library AssetCalls {
    // Approvals: spender / operator in word 0.
    bytes4 internal constant APPROVE = 0x095ea7b3; // approve(address,uint256): ERC-20 and ERC-721
    bytes4 internal constant INCREASE_ALLOWANCE = 0x39509351; // increaseAllowance(address,uint256)
    bytes4 internal constant DECREASE_ALLOWANCE = 0xa457c2d7; // decreaseAllowance(address,uint256)
    bytes4 internal constant SET_APPROVAL_FOR_ALL = 0xa22cb465; // setApprovalForAll(address,bool)

    // Transfers: recipient in word 0 for `transfer`, word 1 for the rest.
    bytes4 internal constant TRANSFER = 0xa9059cbb; // transfer(address,uint256)
    bytes4 internal constant TRANSFER_FROM = 0x23b872dd; // transferFrom(address,address,uint256): ERC-20, ERC-721
    bytes4 internal constant SAFE_TRANSFER_FROM_1155 = 0xf242432a; // safeTransferFrom(address,address,uint256,uint256,bytes)
    bytes4 internal constant SAFE_BATCH_TRANSFER_FROM = 0x2eb2c2d6; // safeBatchTransferFrom(address,address,uint256[],uint256[],bytes)
    bytes4 internal constant SAFE_TRANSFER_FROM_721 = 0x42842e0e; // safeTransferFrom(address,address,uint256)
    bytes4 internal constant SAFE_TRANSFER_FROM_721_DATA = 0xb88d4fde; // safeTransferFrom(address,address,uint256,bytes)

    /// @notice Whether `selector` sends tokens to the address in argument word 1.
    function isTransferFrom(bytes4 selector) internal pure returns (bool) {
        return selector == TRANSFER_FROM || selector == SAFE_TRANSFER_FROM_1155 || selector == SAFE_BATCH_TRANSFER_FROM
            || selector == SAFE_TRANSFER_FROM_721 || selector == SAFE_TRANSFER_FROM_721_DATA;
    }

    /// @notice The `index`-th 32-byte argument word of `data`; `MalformedCall` if it is missing.
    function word(bytes calldata data, uint256 index) internal pure returns (uint256) {
        uint256 start = 4 + 32 * index;
        if (data.length < start + 32) revert IAutomationModule.MalformedCall(selectorOf(data));
        return uint256(bytes32(data[start:start + 32]));
    }

    /// @notice The `index`-th argument word read as an address; `MalformedCall` if it is missing or
    /// has high bits set (a strict decoder reverts on it, a lax one would read another address).
    function addressAt(bytes calldata data, uint256 index) internal pure returns (address) {
        uint256 value = word(data, index);
        if (value >> 160 != 0) revert IAutomationModule.MalformedCall(selectorOf(data));
        // The high 96 bits were just checked to be zero.
        // forge-lint: disable-next-line(unsafe-typecast)
        return address(uint160(value));
    }

    /// @notice The selector of `data`; 0x00000000 for data shorter than four bytes.
    function selectorOf(bytes calldata data) internal pure returns (bytes4) {
        return data.length < 4 ? bytes4(0) : bytes4(data[0:4]);
    }
}
