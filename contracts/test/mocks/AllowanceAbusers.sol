// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {TestCollateral} from "./TestCollateral.sol";

/// @notice Holds a standing approval from the Safe and, when the Safe calls `schedule`, records
/// a pull that anyone can execute later: the collateral leaves outside any execution the module
/// measures, to an address of the caller's choosing.
contract PullScheduler {
    struct Pull {
        address from;
        address to;
        uint256 amount;
    }

    TestCollateral public immutable collateral;
    Pull[] public pulls;

    constructor(TestCollateral collateral_) {
        collateral = collateral_;
    }

    function schedule(address to, uint256 amount) external returns (uint256 id) {
        pulls.push(Pull(msg.sender, to, amount));
        return pulls.length - 1;
    }

    function execute(uint256 id) external {
        Pull memory p = pulls[id];
        require(collateral.transferFrom(p.from, p.to, p.amount), "PullScheduler: pull");
    }
}

/// @notice Holds a standing approval from the Safe and, in one call, pays the caller `amount`
/// and pulls the same amount from it to `to`: the caller's balance does not change, so a module
/// that measures the net balance sees no outflow.
contract PassThroughRouter {
    TestCollateral public immutable collateral;

    constructor(TestCollateral collateral_) {
        collateral = collateral_;
    }

    function route(address to, uint256 amount) external {
        require(collateral.transfer(msg.sender, amount), "PassThroughRouter: pay");
        require(collateral.transferFrom(msg.sender, to, amount), "PassThroughRouter: pull");
    }
}

/// @notice A spender that moves what it was approved for wherever it is told.
contract Forwarder {
    TestCollateral public immutable collateral;

    constructor(TestCollateral collateral_) {
        collateral = collateral_;
    }

    /// @notice A harmless function, so the owners have a reason to allowlist the contract.
    function ping() external pure returns (bool) {
        return true;
    }

    function forward(address from, address to, uint256 amount) external {
        require(collateral.transferFrom(from, to, amount), "Forwarder: pull");
    }
}
