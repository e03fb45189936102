// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

/// @notice A Safe transaction guard with an owner switch: the Safe itself (its owners) may turn it
/// off. Checks nothing; it exists to be a guard the session key must not reach.
contract SwitchableGuard {
    /// @dev Safe 1.4.1's `type(Guard).interfaceId`, which `setGuard` requires (GS300).
    bytes4 private constant GUARD_INTERFACE_ID = 0xe6d7a83a;
    bytes4 private constant ERC165_INTERFACE_ID = 0x01ffc9a7;

    mapping(address safe => bool) public disabled;

    function disable() external {
        disabled[msg.sender] = true;
    }

    function checkTransaction(
        address,
        uint256,
        bytes memory,
        uint8,
        uint256,
        uint256,
        uint256,
        address,
        address payable,
        bytes memory,
        address
    ) external {}

    function checkAfterExecution(bytes32, bool) external {}

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == GUARD_INTERFACE_ID || interfaceId == ERC165_INTERFACE_ID;
    }
}

/// @notice A contract whose fallback acts on whatever data it is sent (routers and proxies do).
contract FallbackSink {
    uint256 public hits;
    bytes public lastData;

    fallback() external {
        ++hits;
        lastData = msg.data;
    }
}
