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

    function setUp() public {
        json = vm.readFile(VECTOR);
        vm.chainId(vm.parseJsonUint(json, ".inputs.chain_id"));
        // The vector fixes the module's address; the domain separator follows the address the
        // code runs at, so running the compiled module there reproduces the deployed digest.
        address at = vm.parseJsonAddress(json, ".inputs.module");
        vm.etch(at, address(new AutomationModule(address(new TestCollateral()))).code);
        module = AutomationModule(at);
    }

    function inputs() private view returns (IAutomationModule.SessionKeyExecution memory e) {
        e.safe = vm.parseJsonAddress(json, ".inputs.safe");
        e.to = vm.parseJsonAddress(json, ".inputs.to");
        e.value = vm.parseJsonUint(json, ".inputs.value");
        e.data = vm.parseJsonBytes(json, ".inputs.data");
        e.nonce = vm.parseJsonUint(json, ".inputs.nonce");
        e.deadline = vm.parseJsonUint(json, ".inputs.deadline");
        e.minGas = vm.parseJsonUint(json, ".inputs.min_gas");
        e.epoch = vm.parseJsonUint(json, ".inputs.epoch");
    }

    function test_vector_theModuleComputesTheCommittedDigest() public view {
        vm.assertEq(
            keccak256(bytes(vm.parseJsonString(json, ".expected.execution_type"))),
            module.EXECUTION_TYPEHASH(),
            "type string"
        );
        vm.assertEq(module.EXECUTION_TYPEHASH(), vm.parseJsonBytes32(json, ".expected.execution_typehash"), "typehash");
        vm.assertEq(module.domainSeparator(), vm.parseJsonBytes32(json, ".expected.domain_separator"), "domain");
        vm.assertEq(module.executionDigest(inputs()), vm.parseJsonBytes32(json, ".expected.digest"), "digest");
    }

    function test_vector_theSessionKeySignsTheCommittedSignature() public view {
        uint256 privateKey = vm.parseJsonUint(json, ".inputs.session_key_private_key");
        vm.assertEq(vm.addr(privateKey), vm.parseJsonAddress(json, ".inputs.session_key"), "session key address");
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(privateKey, module.executionDigest(inputs()));
        vm.assertEq(abi.encodePacked(r, s, v), vm.parseJsonBytes(json, ".expected.signature"), "signature");
    }

    function test_vector_theCompilerEncodesTheCommittedCalldata() public view {
        bytes memory encoded = abi.encodeCall(
            IAutomationModule.executeFromSessionKey,
            (inputs(), vm.parseJsonAddress(json, ".inputs.session_key"), vm.parseJsonBytes(json, ".expected.signature"))
        );
        vm.assertEq(encoded, vm.parseJsonBytes(json, ".expected.calldata"), "calldata");
    }

    function test_vector_errorSelectorsMatchTheCommittedOnes() public view {
        bytes4[27] memory selectors = [
            IAutomationModule.UnknownSessionKey.selector,
            IAutomationModule.RevokedSessionKey.selector,
            IAutomationModule.ExpiredSessionKey.selector,
            IAutomationModule.AuthorizationExpired.selector,
            IAutomationModule.AuthorizationTooLong.selector,
            IAutomationModule.StaleAuthorization.selector,
            IAutomationModule.InvalidSignatureLength.selector,
            IAutomationModule.SignatureMalleable.selector,
            IAutomationModule.InvalidSignature.selector,
            IAutomationModule.NonceAlreadyUsed.selector,
            IAutomationModule.SelfCallForbidden.selector,
            IAutomationModule.NativeValueForbidden.selector,
            IAutomationModule.CallNotAllowed.selector,
            IAutomationModule.CollateralCallForbidden.selector,
            IAutomationModule.MalformedCall.selector,
            IAutomationModule.RecipientNotAllowed.selector,
            IAutomationModule.SpenderNotAllowed.selector,
            IAutomationModule.UnmeasuredApproval.selector,
            IAutomationModule.ApprovalDecreaseForbidden.selector,
            IAutomationModule.ArgumentOutOfScope.selector,
            IAutomationModule.StandingApprovalTarget.selector,
            IAutomationModule.TxRateExceeded.selector,
            IAutomationModule.InsufficientGas.selector,
            IAutomationModule.TradeNotionalExceeded.selector,
            IAutomationModule.DailyNotionalExceeded.selector,
            IAutomationModule.ExecutionFailed.selector,
            IAutomationModule.Reentrancy.selector
        ];
        string[27] memory names = [
            "UnknownSessionKey",
            "RevokedSessionKey",
            "ExpiredSessionKey",
            "AuthorizationExpired",
            "AuthorizationTooLong",
            "StaleAuthorization",
            "InvalidSignatureLength",
            "SignatureMalleable",
            "InvalidSignature",
            "NonceAlreadyUsed",
            "SelfCallForbidden",
            "NativeValueForbidden",
            "CallNotAllowed",
            "CollateralCallForbidden",
            "MalformedCall",
            "RecipientNotAllowed",
            "SpenderNotAllowed",
            "UnmeasuredApproval",
            "ApprovalDecreaseForbidden",
            "ArgumentOutOfScope",
            "StandingApprovalTarget",
            "TxRateExceeded",
            "InsufficientGas",
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
