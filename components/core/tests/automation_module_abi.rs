//! The Rust side of the AutomationModule ABI checked against the vector the Solidity test
//! (`contracts/test/ExecuteVector.t.sol`) also checks: if both pass, Rust and the contract
//! encode `executeFromSessionKey`, hash the EIP-712 authorization and name errors identically.

use alloy_primitives::{hex, Address, Bytes, B256, U256};
use alloy_sol_types::{SolStruct, SolValue};
use mirror_core::automation_module::{
    domain, error_selectors, execute_calldata, execution_digest, IAutomationModule, ModuleRevert, SessionKeyExecution,
};
use serde_json::Value;

const VECTOR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../contracts/test/vectors/execute_from_session_key.json");

fn vector() -> Value {
    let text = std::fs::read_to_string(VECTOR).expect("read the shared vector");
    serde_json::from_str(&text).expect("vector is JSON")
}

fn text<'a>(v: &'a Value, path: &str) -> &'a str {
    v.pointer(path).and_then(Value::as_str).unwrap_or_else(|| panic!("{path} is a string"))
}

fn number(v: &Value, path: &str) -> u64 {
    v.pointer(path).and_then(Value::as_u64).unwrap_or_else(|| panic!("{path} is a number"))
}

fn address(v: &Value, path: &str) -> Address {
    text(v, path).parse().expect("address")
}

fn bytes(v: &Value, path: &str) -> Bytes {
    text(v, path).parse().expect("hex bytes")
}

fn b256(v: &Value, path: &str) -> B256 {
    text(v, path).parse().expect("32-byte hex")
}

fn execution(v: &Value) -> SessionKeyExecution {
    SessionKeyExecution {
        safe: address(v, "/inputs/safe"),
        to: address(v, "/inputs/to"),
        value: U256::from(number(v, "/inputs/value")),
        data: bytes(v, "/inputs/data"),
        nonce: U256::from(number(v, "/inputs/nonce")),
        deadline: U256::from(number(v, "/inputs/deadline")),
        minGas: U256::from(number(v, "/inputs/min_gas")),
        epoch: U256::from(number(v, "/inputs/epoch")),
    }
}

#[test]
fn eip712_digest_matches_the_contracts() {
    let v = vector();
    let chain_id = number(&v, "/inputs/chain_id");
    let module = address(&v, "/inputs/module");
    let exec = execution(&v);

    assert_eq!(SessionKeyExecution::eip712_encode_type(), text(&v, "/expected/execution_type"), "type string");
    assert_eq!(exec.eip712_type_hash(), b256(&v, "/expected/execution_typehash"), "type hash");
    assert_eq!(domain(chain_id, module).separator(), b256(&v, "/expected/domain_separator"), "domain");
    assert_eq!(exec.eip712_hash_struct(), b256(&v, "/expected/struct_hash"), "struct hash");
    assert_eq!(execution_digest(chain_id, module, &exec), b256(&v, "/expected/digest"), "digest");
}

#[test]
fn the_digest_binds_chain_module_and_every_field() {
    let v = vector();
    let chain_id = number(&v, "/inputs/chain_id");
    let module = address(&v, "/inputs/module");
    let exec = execution(&v);
    let digest = execution_digest(chain_id, module, &exec);

    assert_ne!(execution_digest(1, module, &exec), digest, "chain id");
    assert_ne!(execution_digest(chain_id, Address::repeat_byte(0x42), &exec), digest, "module");
    let other_nonce = SessionKeyExecution { nonce: exec.nonce + U256::from(1), ..execution(&v) };
    assert_ne!(execution_digest(chain_id, module, &other_nonce), digest, "nonce");
    let other_data = SessionKeyExecution { data: Bytes::from_static(&[0xa9, 0x05, 0x9c, 0xbb]), ..execution(&v) };
    assert_ne!(execution_digest(chain_id, module, &other_data), digest, "data");
    let other_gas = SessionKeyExecution { minGas: exec.minGas + U256::from(1), ..execution(&v) };
    assert_ne!(execution_digest(chain_id, module, &other_gas), digest, "min gas");
    let other_epoch = SessionKeyExecution { epoch: exec.epoch + U256::from(1), ..execution(&v) };
    assert_ne!(execution_digest(chain_id, module, &other_epoch), digest, "epoch");
}

#[test]
fn execute_from_session_key_calldata_matches_the_contracts() {
    let v = vector();
    let calldata =
        execute_calldata(&execution(&v), address(&v, "/inputs/session_key"), bytes(&v, "/expected/signature"));
    assert_eq!(calldata, bytes(&v, "/expected/calldata"));
}

#[test]
fn error_selectors_match_the_contracts() {
    let v = vector();
    let committed = v.pointer("/errors").and_then(Value::as_object).expect("errors map");
    let ours = error_selectors();
    assert_eq!(ours.len(), committed.len(), "same set of execution errors");
    for (name, selector) in ours {
        assert_eq!(hex::encode_prefixed(selector), text(&v, &format!("/errors/{name}")), "{name}");
    }
}

#[test]
fn revert_data_decodes_to_a_named_blocked_reason() {
    let v = vector();
    let revert = ModuleRevert::decode(&bytes(&v, "/revert_example/data"));
    assert_eq!(revert.reason(), text(&v, "/revert_example/error"));
    assert!(revert.is_blocked());
    let expected = IAutomationModule::DailyNotionalExceeded {
        notionalInWindow: U256::from(number(&v, "/revert_example/notional_in_window")),
        maxNotionalPerDay: U256::from(number(&v, "/revert_example/max_notional_per_day")),
    };
    assert_eq!(
        revert,
        ModuleRevert::Violation(IAutomationModule::IAutomationModuleErrors::DailyNotionalExceeded(expected))
    );
    assert_eq!(revert.to_string(), "DailyNotionalExceeded: 1100000000 in window > 1000000000");
}

#[test]
fn a_failed_target_call_is_a_failure_not_a_block() {
    let data = alloy_sol_types::SolError::abi_encode(&IAutomationModule::ExecutionFailed {});
    let revert = ModuleRevert::decode(&data);
    assert_eq!(revert, ModuleRevert::CallFailed);
    assert_eq!(revert.reason(), "ExecutionFailed");
    assert!(!revert.is_blocked());
}

#[test]
fn the_new_refusals_are_blocked_with_their_figures() {
    let too_long = alloy_sol_types::SolError::abi_encode(&IAutomationModule::AuthorizationTooLong {
        deadline: U256::from(2_000),
        latestDeadline: U256::from(1_900),
    });
    let revert = ModuleRevert::decode(&too_long);
    assert!(revert.is_blocked());
    assert_eq!(revert.to_string(), "AuthorizationTooLong: deadline 2000 > 1900");
    let stale = alloy_sol_types::SolError::abi_encode(&IAutomationModule::StaleAuthorization {
        epoch: U256::from(3),
        currentEpoch: U256::from(4),
    });
    assert_eq!(ModuleRevert::decode(&stale).to_string(), "StaleAuthorization: epoch 3 != 4");
    let gas = alloy_sol_types::SolError::abi_encode(&IAutomationModule::InsufficientGas {
        gasLeft: U256::from(90_000),
        minGas: U256::from(250_000),
    });
    assert_eq!(ModuleRevert::decode(&gas).to_string(), "InsufficientGas: 90000 gas left, call needs 250000");
}

#[test]
fn safe_and_unknown_reverts_are_named_too() {
    let gs104 = alloy_sol_types::SolError::abi_encode(&alloy_sol_types::Revert::from("GS104"));
    assert_eq!(ModuleRevert::decode(&gs104), ModuleRevert::ModuleNotEnabled);
    assert!(ModuleRevert::decode(&gs104).is_blocked());

    let empty = ModuleRevert::decode(&[]);
    assert_eq!(empty.reason(), "Unrecognized");
    assert!(!empty.is_blocked());
    let unknown = ModuleRevert::decode(&(0xdeadbeef_u32, U256::from(1)).abi_encode_packed());
    assert_eq!(unknown.reason(), "Unrecognized");
}
