//! What a wallet is asked to sign, already validated, with the 32-byte digest its signature covers.

use alloy_consensus::{SignableTransaction, TxEip1559};
use alloy_primitives::{eip191_hash_message, Bytes, B256};

use crate::eip712::TypedDataPayload;

pub enum Payload {
    /// EIP-191 `personal_sign` over these bytes.
    Message(Bytes),
    /// EIP-712 typed data.
    TypedData(Box<TypedDataPayload>),
    /// An unsigned EIP-1559 transaction.
    Transaction(TxEip1559),
}

impl Payload {
    pub fn digest(&self) -> B256 {
        match self {
            Payload::Message(bytes) => eip191_hash_message(bytes),
            Payload::TypedData(typed) => typed.digest,
            Payload::Transaction(tx) => tx.signature_hash(),
        }
    }
}
