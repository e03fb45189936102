//! EIP-1559 (type 2) transactions: the request's fields, the unsigned transaction they describe,
//! and the raw signed bytes the app broadcasts.

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{PrimitiveSignature, TxKind, B256, U256};
use serde::Deserialize;

use crate::error::ApiError;
use crate::wire::{HexBytes, Quantity, WireAddress};

/// `transaction` in `POST /v1/sign/transaction`. `value` and `data` default to zero and empty;
/// the access list is always empty.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TransactionRequest {
    chain_id: Quantity<u64>,
    nonce: Quantity<u64>,
    to: WireAddress,
    #[serde(default)]
    value: Option<Quantity<U256>>,
    #[serde(default)]
    data: Option<HexBytes>,
    gas_limit: Quantity<u64>,
    max_fee_per_gas: Quantity<u128>,
    max_priority_fee_per_gas: Quantity<u128>,
}

impl TransactionRequest {
    /// Checks what the types alone can't and builds the unsigned transaction.
    pub fn into_unsigned(self) -> Result<TxEip1559, ApiError> {
        if self.chain_id.0 == 0 {
            return Err(ApiError::validation("transaction.chainId", "must be positive"));
        }
        if self.gas_limit.0 == 0 {
            return Err(ApiError::validation("transaction.gasLimit", "must be positive"));
        }
        if self.max_priority_fee_per_gas.0 > self.max_fee_per_gas.0 {
            return Err(ApiError::validation("transaction.maxPriorityFeePerGas", "must not exceed maxFeePerGas"));
        }
        Ok(TxEip1559 {
            chain_id: self.chain_id.0,
            nonce: self.nonce.0,
            gas_limit: self.gas_limit.0,
            max_fee_per_gas: self.max_fee_per_gas.0,
            max_priority_fee_per_gas: self.max_priority_fee_per_gas.0,
            to: TxKind::Call(self.to.0),
            value: self.value.map_or(U256::ZERO, |v| v.0),
            access_list: Default::default(),
            input: self.data.unwrap_or_default().0,
        })
    }
}

/// A signed transaction as broadcast: EIP-2718 bytes (`0x02 || rlp(...)`) and its hash.
pub struct SignedTransaction {
    pub raw: Vec<u8>,
    pub hash: B256,
}

pub fn attach_signature(tx: TxEip1559, signature: PrimitiveSignature) -> SignedTransaction {
    let envelope = TxEnvelope::from(tx.into_signed(signature));
    SignedTransaction { raw: envelope.encoded_2718(), hash: *envelope.tx_hash() }
}
