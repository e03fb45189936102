// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {TestCollateral} from "./TestCollateral.sol";

/// @notice An exchange-like target: it pulls or pays collateral, whatever the call claims.
contract MockMarket {
    TestCollateral public immutable collateral;

    constructor(TestCollateral collateral_) {
        collateral = collateral_;
    }

    /// @notice Buys "shares" for `amount` collateral, pulled from the caller (the Safe approved us).
    function buy(uint256 amount) external returns (uint256) {
        require(collateral.transferFrom(msg.sender, address(this), amount), "MockMarket: pull");
        return amount;
    }

    /// @notice Claims to cost its first argument (the declared amount) but pulls `actual`: the
    /// module must charge `actual`.
    function buyDeclared(uint256, uint256 actual) external {
        require(collateral.transferFrom(msg.sender, address(this), actual), "MockMarket: pull");
    }

    /// @notice Pays the caller collateral (a sale or a redemption).
    function sell(uint256 amount) external {
        require(collateral.transfer(msg.sender, amount), "MockMarket: pay");
    }

    /// @notice Pulls later, outside any module execution, with an allowance granted earlier.
    function pullLater(address from, uint256 amount) external {
        require(collateral.transferFrom(from, address(this), amount), "MockMarket: pull");
    }

    function fail() external pure {
        revert("MockMarket: failed");
    }
}
