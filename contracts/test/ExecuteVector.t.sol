// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {AutomationModule} from "../src/AutomationModule.sol";
import {IAutomationModule} from "../src/interfaces/IAutomationModule.sol";
import {TestCollateral} from "./mocks/TestCollateral.sol";
import {Vm, VM_ADDRESS} from "./utils/Vm.sol";

/// @notice The contract's side of the shared ABI vector (test/vectors/execute_from_session_key.json):
/// the module computes the EIP-712 digest, the compiler encodes the calldata and the errors,
/// and each must equal the committed value. The Rust test in components/core checks the same file.
contract ExecuteVectorTest {
    Vm private constant vm = Vm(VM_ADDRESS);
    string private constant VECTOR = "test/vectors/execute_from_session_key.json";

    string private json;
    AutomationModule private module;

    struct Inputs {
        address safe;
        address sessionKey;
        address to;
        uint256 value;
        bytes data;
        uint256 nonce;
        uint256 deadline;
    }

    function setUp() public {
        json = vm.readFile(VECTOR);
        vm.chainId(vm.parseJsonUint(json, ".inputs.chain_id"));
        // The vector fixes the module's address; the domain separator follows the address the
        // code runs at, so running the compiled module there reproduces the deployed digest.
        address at = vm.parseJsonAddress(json, ".inputs.module");
        vm.etch(at, address(new AutomationModule(address(new TestCollateral()))).code);
        module = AutomationModule(at);
    }

    function inputs() private view returns (Inputs memory i) {
        i.safe = vm.parseJsonAddress(json, ".inputs.safe");
        i.sessionKey = vm.parseJsonAddress(json, ".inputs.session_key");
        i.to = vm.parseJsonAddress(json, ".inputs.to");
        i.value = vm.parseJsonUint(json, ".inputs.value");
        i.data = vm.parseJsonBytes(json, ".inputs.data");
        i.nonce = vm.parseJsonUint(json, ".inputs.nonce");
        i.deadline = vm.parseJsonUint(json, ".inputs.deadline");
    }

    function test_vector_theModuleComputesTheCommittedDigest() public view {
        Inputs memory i = inputs();
        vm.assertEq(module.EXECUTION_TYPEHASH(), vm.parseJsonBytes32(json, ".expected.execution_typehash"), "typehash");
        vm.assertEq(module.domainSeparator(), vm.parseJsonBytes32(json, ".expected.domain_separator"), "domain");
        vm.assertEq(
            module.executionDigest(i.safe, i.to, i.value, i.data, i.nonce, i.deadline),
            vm.parseJsonBytes32(json, ".expected.digest"),
            "digest"
        );
    }

    function test_vector_theSessionKeySignsTheCommittedSignature() public view {
        Inputs memory i = inputs();
        uint256 privateKey = vm.parseJsonUint(json, ".inputs.session_key_private_key");
        vm.assertEq(vm.addr(privateKey), i.sessionKey, "session key address");
        bytes32 digest = module.executionDigest(i.safe, i.to, i.value, i.data, i.nonce, i.deadline);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(privateKey, digest);
        vm.assertEq(abi.encodePacked(r, s, v), vm.parseJsonBytes(json, ".expected.signature"), "signature");
    }

    function test_vector_theCompilerEncodesTheCommittedCalldata() public view {
        Inputs memory i = inputs();
        bytes memory signature = vm.parseJsonBytes(json, ".expected.signature");
        bytes memory encoded = abi.encodeCall(
            IAutomationModule.executeFromSessionKey,
            (i.safe, i.sessionKey, i.to, i.value, i.data, i.nonce, i.deadline, signature)
        );
        vm.assertEq(encoded, vm.parseJsonBytes(json, ".expected.calldata"), "calldata");
    }

    function test_vector_errorSelectorsMatchTheCommittedOnes() public view {
        bytes4[19] memory selectors = [
            IAutomationModule.UnknownSessionKey.selector,
            IAutomationModule.RevokedSessionKey.selector,
            IAutomationModule.ExpiredSessionKey.selector,
            IAutomationModule.AuthorizationExpired.selector,
            IAutomationModule.InvalidSignatureLength.selector,
            IAutomationModule.SignatureMalleable.selector,
            IAutomationModule.InvalidSignature.selector,
            IAutomationModule.NonceAlreadyUsed.selector,
            IAutomationModule.SelfCallForbidden.selector,
            IAutomationModule.NativeValueForbidden.selector,
            IAutomationModule.CallNotAllowed.selector,
            IAutomationModule.CollateralCallForbidden.selector,
            IAutomationModule.RecipientNotAllowed.selector,
            IAutomationModule.SpenderNotAllowed.selector,
            IAutomationModule.TxRateExceeded.selector,
            IAutomationModule.TradeNotionalExceeded.selector,
            IAutomationModule.DailyNotionalExceeded.selector,
            IAutomationModule.ExecutionFailed.selector,
            IAutomationModule.Reentrancy.selector
        ];
        string[19] memory names = [
            "UnknownSessionKey",
            "RevokedSessionKey",
            "ExpiredSessionKey",
            "AuthorizationExpired",
            "InvalidSignatureLength",
            "SignatureMalleable",
            "InvalidSignature",
            "NonceAlreadyUsed",
            "SelfCallForbidden",
            "NativeValueForbidden",
            "CallNotAllowed",
            "CollateralCallForbidden",
            "RecipientNotAllowed",
            "SpenderNotAllowed",
            "TxRateExceeded",
            "TradeNotionalExceeded",
            "DailyNotionalExceeded",
            "ExecutionFailed",
            "Reentrancy"
        ];
        for (uint256 k; k < selectors.length; ++k) {
            bytes memory committed = vm.parseJsonBytes(json, string.concat(".errors.", names[k]));
            vm.assertEq(abi.encodePacked(selectors[k]), committed, names[k]);
        }
    }

    function test_vector_revertDataEncodesAsCommitted() public view {
        bytes memory encoded = abi.encodeWithSelector(
            IAutomationModule.DailyNotionalExceeded.selector,
            vm.parseJsonUint(json, ".revert_example.notional_in_window"),
            vm.parseJsonUint(json, ".revert_example.max_notional_per_day")
        );
        vm.assertEq(encoded, vm.parseJsonBytes(json, ".revert_example.data"), "revert data");
    }
}
