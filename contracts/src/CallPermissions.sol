// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {IAutomationModule} from "./interfaces/IAutomationModule.sol";

/// @title CallPermissions — one allowlist entry in one storage word
/// @notice Bit 0: allowed. Bit 1: caller-bound. From bit 8, two bits per argument word: the
/// `AddressSet` that word is pinned to (0 = any). An execution reads its entry with one SLOAD.
library CallPermissions {
    /// @dev How many leading argument words an entry can pin (two bits each, bits 8..39).
    uint256 internal constant MAX_SCOPED_ARGUMENTS = 16;

    uint256 private constant ALLOWED = 1;
    uint256 private constant CALLER_BOUND = 2;
    uint256 private constant SCOPES_SHIFT = 8;

    function pack(IAutomationModule.CallPermission calldata permission) internal pure returns (uint256 packed) {
        if (!permission.allowed) return 0;
        uint256 count = permission.arguments.length;
        if (count > MAX_SCOPED_ARGUMENTS) revert IAutomationModule.TooManyScopedArguments(count);
        packed = ALLOWED;
        if (permission.callerBound) packed |= CALLER_BOUND;
        for (uint256 i; i < count; ++i) {
            packed |= uint256(permission.arguments[i]) << (SCOPES_SHIFT + 2 * i);
        }
    }

    function unpack(uint256 packed) internal pure returns (IAutomationModule.CallPermission memory permission) {
        permission.allowed = isAllowed(packed);
        permission.callerBound = isCallerBound(packed);
        uint256 scopes = scopesOf(packed);
        uint256 count;
        for (uint256 rest = scopes; rest != 0; rest >>= 2) {
            ++count;
        }
        permission.arguments = new IAutomationModule.AddressSet[](count);
        for (uint256 i; i < count; ++i) {
            permission.arguments[i] = IAutomationModule.AddressSet((scopes >> (2 * i)) & 3);
        }
    }

    function isAllowed(uint256 packed) internal pure returns (bool) {
        return packed & ALLOWED != 0;
    }

    function isCallerBound(uint256 packed) internal pure returns (bool) {
        return packed & CALLER_BOUND != 0;
    }

    /// @notice Two bits per argument word, word 0 lowest; zero when no argument is pinned.
    function scopesOf(uint256 packed) internal pure returns (uint256) {
        return packed >> SCOPES_SHIFT;
    }
}
