// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {IERC20} from "../src/interfaces/IERC20.sol";
import {MockMarket} from "./mocks/MockMarket.sol";
import {ModuleTestBase} from "./utils/ModuleTestBase.sol";

/// @notice Successful executions as production sees them, for `forge test --gas-report`
/// (scripts/test-contracts.sh reports executeFromSessionKey from this suite only).
contract AutomationModuleGasTest is ModuleTestBase {
    function test_gas_firstWithdrawalOfANewKey() public {
        execute(address(collateral), transferData(recipient, 50 * USD));
    }

    function test_gas_withdrawalsInTheSameHour() public {
        for (uint256 i; i < 5; ++i) {
            execute(address(collateral), transferData(recipient, 10 * USD));
        }
    }

    function test_gas_buysAcrossADay() public {
        for (uint256 i; i < 8; ++i) {
            execute(address(market), abi.encodeCall(MockMarket.buy, (20 * USD)));
            vm.warp(block.timestamp + 3 hours);
        }
    }

    function test_gas_callWithoutOutflow() public {
        execute(address(market), abi.encodeCall(MockMarket.sell, (0)));
    }

    function test_gas_approval() public {
        asOwner(address(collateral), abi.encodeCall(IERC20.approve, (address(market), 0)));
        execute(address(collateral), abi.encodeCall(IERC20.approve, (address(market), 50 * USD)));
    }
}
