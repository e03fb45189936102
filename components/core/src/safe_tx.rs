//! Safe transactions an owner signs (EIP-712 `SafeTx`, identical in Safe 1.3.0 and 1.4.1) and
//! the relayer sends as `execTransaction`; MultiSend batches; the Safe's own calls (owners,
//! threshold, modules, `checkSignatures`); and the ERC-20 / ERC-1155 calls made through them.

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::{sol, Eip712Domain, SolCall, SolStruct};
use serde_json::{json, Value};

sol! {
    struct SafeTx {
        address to;
        uint256 value;
        bytes data;
        uint8 operation;
        uint256 safeTxGas;
        uint256 baseGas;
        uint256 gasPrice;
        address gasToken;
        address refundReceiver;
        uint256 nonce;
    }

    function execTransaction(
        address to,
        uint256 value,
        bytes data,
        uint8 operation,
        uint256 safeTxGas,
        uint256 baseGas,
        uint256 gasPrice,
        address gasToken,
        address refundReceiver,
        bytes signatures
    ) returns (bool success);
    function multiSend(bytes transactions);
    function getOwners() returns (address[]);
    function getThreshold() returns (uint256);
    function nonce() returns (uint256);
    function enableModule(address module);
    function isModuleEnabled(address module) returns (bool);
    function checkSignatures(bytes32 dataHash, bytes data, bytes signatures);

    function approve(address spender, uint256 amount) returns (bool);
    function allowance(address owner, address spender) returns (uint256);
    function transfer(address to, uint256 amount) returns (bool);
    function setApprovalForAll(address operator, bool approved);
    function isApprovedForAll(address owner, address operator) returns (bool);
}

/// `operation`: a plain call, or a delegatecall (how a Safe runs MultiSend).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Operation {
    Call = 0,
    DelegateCall = 1,
}

/// One call of a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub to: Address,
    pub data: Bytes,
}

/// MultiSend's packed `transactions`: per call, operation (1 byte) ‖ to (20) ‖ value (32) ‖
/// data length (32) ‖ data. Every call here is a plain call of no value.
pub fn multi_send(calls: &[Call]) -> Bytes {
    let mut packed = Vec::new();
    for call in calls {
        packed.push(Operation::Call as u8);
        packed.extend_from_slice(call.to.as_slice());
        packed.extend_from_slice(&U256::ZERO.to_be_bytes::<32>());
        packed.extend_from_slice(&U256::from(call.data.len()).to_be_bytes::<32>());
        packed.extend_from_slice(&call.data);
    }
    multiSendCall { transactions: packed.into() }.abi_encode().into()
}

/// A Safe transaction with no refund (Mirror's relayer pays the gas).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SafeTransaction {
    pub safe: Address,
    pub to: Address,
    pub data: Bytes,
    pub operation: Operation,
    /// The Safe's nonce, read on chain (a stale one fails with GS026).
    pub nonce: U256,
}

impl SafeTransaction {
    fn as_sol(&self) -> SafeTx {
        SafeTx {
            to: self.to,
            value: U256::ZERO,
            data: self.data.clone(),
            operation: self.operation as u8,
            safeTxGas: U256::ZERO,
            baseGas: U256::ZERO,
            gasPrice: U256::ZERO,
            gasToken: Address::ZERO,
            refundReceiver: Address::ZERO,
            nonce: self.nonce,
        }
    }

    fn domain(&self, chain_id: u64) -> Eip712Domain {
        Eip712Domain::new(None, None, Some(U256::from(chain_id)), Some(self.safe), None)
    }

    /// The digest the Safe's owners sign (`getTransactionHash`).
    pub fn hash(&self, chain_id: u64) -> B256 {
        self.as_sol().eip712_signing_hash(&self.domain(chain_id))
    }

    /// `eth_signTypedData_v4` JSON whose signing hash is [`Self::hash`].
    pub fn typed_data(&self, chain_id: u64) -> Value {
        let zero = Address::ZERO.to_checksum(None);
        json!({
            "types": {
                "EIP712Domain": [
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
                "SafeTx": [
                    {"name": "to", "type": "address"},
                    {"name": "value", "type": "uint256"},
                    {"name": "data", "type": "bytes"},
                    {"name": "operation", "type": "uint8"},
                    {"name": "safeTxGas", "type": "uint256"},
                    {"name": "baseGas", "type": "uint256"},
                    {"name": "gasPrice", "type": "uint256"},
                    {"name": "gasToken", "type": "address"},
                    {"name": "refundReceiver", "type": "address"},
                    {"name": "nonce", "type": "uint256"},
                ],
            },
            "primaryType": "SafeTx",
            "domain": {"chainId": chain_id, "verifyingContract": self.safe.to_checksum(None)},
            "message": {
                "to": self.to.to_checksum(None),
                "value": "0",
                "data": self.data.to_string(),
                "operation": self.operation as u8,
                "safeTxGas": "0",
                "baseGas": "0",
                "gasPrice": "0",
                "gasToken": zero,
                "refundReceiver": zero,
                "nonce": self.nonce.to_string(),
            },
        })
    }

    /// What [`Self::hash`] hashes (`encodeTransactionData`): `checkSignatures` takes it.
    pub fn encoded(&self, chain_id: u64) -> Bytes {
        let mut encoded = vec![0x19, 0x01];
        encoded.extend_from_slice(self.domain(chain_id).separator().as_slice());
        encoded.extend_from_slice(self.as_sol().eip712_hash_struct().as_slice());
        encoded.into()
    }

    /// `execTransaction` calldata with the owners' signatures (each 65 bytes, ordered by owner
    /// as Safe requires; v 27/28 is plain ECDSA over [`Self::hash`]).
    pub fn exec_call(&self, signatures: &[u8]) -> Bytes {
        execTransactionCall {
            to: self.to,
            value: U256::ZERO,
            data: self.data.clone(),
            operation: self.operation as u8,
            safeTxGas: U256::ZERO,
            baseGas: U256::ZERO,
            gasPrice: U256::ZERO,
            gasToken: Address::ZERO,
            refundReceiver: Address::ZERO,
            signatures: signatures.to_vec().into(),
        }
        .abi_encode()
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_dyn_abi::TypedData;

    #[test]
    fn the_typed_data_hashes_to_the_safe_tx_hash() {
        let tx = SafeTransaction {
            safe: Address::repeat_byte(0x5a),
            to: Address::repeat_byte(0x4d),
            data: multi_send(&[Call { to: Address::repeat_byte(1), data: Bytes::from(vec![1, 2, 3]) }]),
            operation: Operation::DelegateCall,
            nonce: U256::from(3),
        };
        let typed: TypedData = serde_json::from_value(tx.typed_data(137)).unwrap();
        assert_eq!(typed.eip712_signing_hash().unwrap(), tx.hash(137));
        assert_eq!(alloy_primitives::keccak256(tx.encoded(137)), tx.hash(137));
        assert_ne!(tx.hash(137), tx.hash(80002));
    }

    #[test]
    fn multi_send_packs_each_call() {
        let data = multi_send(&[Call { to: Address::repeat_byte(0xaa), data: Bytes::from(vec![9; 3]) }]);
        let packed = multiSendCall::abi_decode(&data).unwrap().transactions;
        assert_eq!(packed.len(), 1 + 20 + 32 + 32 + 3);
        assert_eq!(packed[0], 0);
        assert_eq!(&packed[1..21], Address::repeat_byte(0xaa).as_slice());
        assert_eq!(packed[84], 3);
        assert_eq!(&packed[85..], &[9, 9, 9]);
    }
}
