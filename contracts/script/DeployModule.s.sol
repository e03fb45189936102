// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {AutomationModule} from "../src/AutomationModule.sol";
import {Vm, VM_ADDRESS} from "../test/utils/Vm.sol";

/// @notice Deploys one AutomationModule for every Safe on the chain (runbook, Phase 2B):
///
///   forge script script/DeployModule.s.sol:DeployModule --rpc-url $POLYGON_RPC_URL --broadcast --verify
///
/// Environment: DEPLOYER_PRIVATE_KEY (pays for the deployment; it gets no rights over the
/// module, which has no owner), COLLATERAL_TOKEN (defaults to Polymarket's pUSD on Polygon,
/// chain 137; required elsewhere), ETHERSCAN_API_KEY for --verify. The module's address is
/// printed as the script's return value: set AUTOMATION_MODULE_ADDRESS to it.
contract DeployModule {
    Vm private constant vm = Vm(VM_ADDRESS);

    address public constant POLYGON_PUSD = 0xC011a7E12a19f7B1f670d46F03B03f3342E82DFB;
    uint256 private constant POLYGON = 137;

    error CollateralRequired(uint256 chainId);
    error CollateralHasNoCode(address collateral);

    function run() external returns (AutomationModule module) {
        address collateral = vm.envOr("COLLATERAL_TOKEN", block.chainid == POLYGON ? POLYGON_PUSD : address(0));
        if (collateral == address(0)) revert CollateralRequired(block.chainid);
        if (collateral.code.length == 0) revert CollateralHasNoCode(collateral);

        vm.startBroadcast(vm.envUint("DEPLOYER_PRIVATE_KEY"));
        module = new AutomationModule(collateral);
        vm.stopBroadcast();
    }
}
