#!/usr/bin/env bash
# Writes execute_from_session_key.json: one executeFromSessionKey authorization and every value
# derived from it, computed with Foundry's cast alone (abi-encode, keccak, calldata, wallet sign),
# never with the module's code or Mirror's Rust; the EIP-712 digest is cross-checked against
# `cast wallet sign --data` over the typed data. The Solidity test (test/ExecuteVector.t.sol) and
# the Rust test (components/core/tests/automation_module_abi.rs) recompute each value from the
# inputs and compare. Rerun only when the ABI changes:  test/vectors/generate_execute_vector.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
cast="../../../tools/node_modules/.mirror-bin/cast"

chain_id=137
module=0xa77011a7e0000000000000000000000000000001
safe=0x5afe000000000000000000000000000000000001
private_key=0x0000000000000000000000000000000000000000000000000000000000005e55
session_key=$("$cast" wallet address --private-key "$private_key")
to=0xC011a7E12a19f7B1f670d46F03B03f3342E82DFB
value=0
data=$("$cast" calldata "transfer(address,uint256)" 0x1111111111111111111111111111111111111111 25000000)
nonce=42
deadline=1767225900
min_gas=250000
epoch=3

type='SessionKeyExecution(address safe,address to,uint256 value,bytes data,uint256 nonce,uint256 deadline,uint256 minGas,uint256 epoch)'
typehash=$("$cast" keccak "$type")
domain_typehash=$("$cast" keccak "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
domain=$("$cast" keccak "$("$cast" abi-encode "f(bytes32,bytes32,bytes32,uint256,address)" \
  "$domain_typehash" "$("$cast" keccak "Mirror AutomationModule")" "$("$cast" keccak "2")" "$chain_id" "$module")")
struct_hash=$("$cast" keccak "$("$cast" abi-encode \
  "f(bytes32,address,address,uint256,bytes32,uint256,uint256,uint256,uint256)" \
  "$typehash" "$safe" "$to" "$value" "$("$cast" keccak "$data")" "$nonce" "$deadline" "$min_gas" "$epoch")")
digest=$("$cast" keccak "0x1901${domain#0x}${struct_hash#0x}")
signature=$("$cast" wallet sign --no-hash --private-key "$private_key" "$digest")

typed_data=$(cat <<JSON
{"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
"SessionKeyExecution":[{"name":"safe","type":"address"},{"name":"to","type":"address"},{"name":"value","type":"uint256"},{"name":"data","type":"bytes"},{"name":"nonce","type":"uint256"},{"name":"deadline","type":"uint256"},{"name":"minGas","type":"uint256"},{"name":"epoch","type":"uint256"}]},
"primaryType":"SessionKeyExecution","domain":{"name":"Mirror AutomationModule","version":"2","chainId":$chain_id,"verifyingContract":"$module"},
"message":{"safe":"$safe","to":"$to","value":$value,"data":"$data","nonce":$nonce,"deadline":$deadline,"minGas":$min_gas,"epoch":$epoch}}
JSON
)
typed_signature=$("$cast" wallet sign --data --private-key "$private_key" "$typed_data")
[[ "$typed_signature" == "$signature" ]] || { echo "typed-data signature differs: $typed_signature" >&2; exit 1; }

calldata=$("$cast" calldata \
  "executeFromSessionKey((address,address,uint256,bytes,uint256,uint256,uint256,uint256),address,bytes)" \
  "($safe,$to,$value,$data,$nonce,$deadline,$min_gas,$epoch)" "$session_key" "$signature")

errors=(UnknownSessionKey:address,address RevokedSessionKey:address,address ExpiredSessionKey:address,uint256
  AuthorizationExpired:uint256 AuthorizationTooLong:uint256,uint256 StaleAuthorization:uint256,uint256
  InvalidSignatureLength:uint256 SignatureMalleable: InvalidSignature: NonceAlreadyUsed:address,uint256
  SelfCallForbidden:address NativeValueForbidden:uint256 CallNotAllowed:address,bytes4
  CollateralCallForbidden:bytes4 MalformedCall:bytes4 RecipientNotAllowed:address SpenderNotAllowed:address
  UnmeasuredApproval:address ApprovalDecreaseForbidden:address ArgumentOutOfScope:uint256,address
  StandingApprovalTarget:address TxRateExceeded:uint256 InsufficientGas:uint256,uint256
  TradeNotionalExceeded:uint256,uint256 DailyNotionalExceeded:uint256,uint256 ExecutionFailed: Reentrancy:)
error_json=""
for e in "${errors[@]}"; do
  name=${e%%:*}
  error_json+="${error_json:+,}
    \"$name\": \"$("$cast" sig "$name(${e#*:})")\""
done

revert_data=$("$cast" calldata "DailyNotionalExceeded(uint256,uint256)" 1100000000 1000000000)

cat > execute_from_session_key.json <<JSON
{
  "note": "One executeFromSessionKey authorization, shared by the Solidity test (test/ExecuteVector.t.sol) and the Rust test (components/core/tests/automation_module_abi.rs). Written by generate_execute_vector.sh with Foundry's cast alone; its EIP-712 digest is cross-checked there against cast wallet sign --data over the typed data. Each side recomputes the expected values from the inputs; neither copies them.",
  "inputs": {
    "chain_id": $chain_id,
    "module": "$module",
    "safe": "$safe",
    "session_key_private_key": "$private_key",
    "session_key": "$session_key",
    "to": "$to",
    "value": $value,
    "data": "$data",
    "nonce": $nonce,
    "deadline": $deadline,
    "min_gas": $min_gas,
    "epoch": $epoch
  },
  "expected": {
    "execution_type": "$type",
    "execution_typehash": "$typehash",
    "domain_separator": "$domain",
    "struct_hash": "$struct_hash",
    "digest": "$digest",
    "signature": "$signature",
    "calldata": "$calldata"
  },
  "errors": {$error_json
  },
  "revert_example": {
    "error": "DailyNotionalExceeded",
    "notional_in_window": 1100000000,
    "max_notional_per_day": 1000000000,
    "data": "$revert_data"
  }
}
JSON
echo "wrote execute_from_session_key.json"
