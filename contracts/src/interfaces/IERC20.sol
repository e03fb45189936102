// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

/// @notice The ERC-20 calls the module makes or inspects on the collateral token.
interface IERC20 {
    function balanceOf(address account) external view returns (uint256);
    function allowance(address owner, address spender) external view returns (uint256);
    function transfer(address to, uint256 amount) external returns (bool);
    function approve(address spender, uint256 amount) external returns (bool);
}
