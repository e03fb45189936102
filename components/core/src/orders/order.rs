//! An order as the exchange hashes it, and the EIP-712 data a wallet signs for it.

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{sol, SolStruct};
use serde_json::{json, Value};

use super::{Chain, Exchange, Side, SignatureType, EXCHANGE_DOMAIN_NAME};

sol! {
    /// ctf-exchange V2 `Order`, field for field: its type hash is the exchange's `ORDER_TYPEHASH`.
    struct Order {
        uint256 salt;
        address maker;
        address signer;
        uint256 tokenId;
        uint256 makerAmount;
        uint256 takerAmount;
        uint8 side;
        uint8 signatureType;
        uint256 timestamp;
        bytes32 metadata;
        bytes32 builder;
    }
}

/// A V2/V3 order before its signature. `expiration` travels in the `POST /order` body but is not
/// signed. For which `maker`/`signer` pairs the exchange accepts, see [`SignatureType`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsignedOrder {
    /// Makes otherwise identical orders distinct ([`new_salt`]); sent as a JSON number.
    pub salt: u64,
    /// Whose funds trade.
    pub maker: Address,
    /// Whose signature authorises the trade.
    pub signer: Address,
    /// The outcome token (CTF position id).
    pub token_id: U256,
    pub maker_amount: u64,
    pub taker_amount: u64,
    pub side: Side,
    pub signature_type: SignatureType,
    /// Creation time in milliseconds.
    pub timestamp_ms: u64,
    /// Zero unless the caller attaches metadata.
    pub metadata: B256,
    /// Builder code; zero for none.
    pub builder: B256,
    /// Unix seconds after which a GTD order lapses; 0 for none.
    pub expiration: u64,
}

impl UnsignedOrder {
    /// The EIP-712 digest the exchange checks the signature against (and the order's id).
    pub fn hash(&self, exchange: Exchange, chain: Chain) -> B256 {
        self.as_sol().eip712_signing_hash(&exchange.domain(chain))
    }

    /// `eth_signTypedData_v4` JSON whose signing hash is [`Self::hash`]: uint256 values as
    /// decimal strings, uint8 values as numbers, as clob-client-v2 builds it.
    pub fn typed_data(&self, exchange: Exchange, chain: Chain) -> Value {
        json!({
            "types": { "EIP712Domain": domain_fields(), "Order": order_fields() },
            "primaryType": "Order",
            "domain": domain_json(exchange, chain),
            "message": self.message_json(),
        })
    }

    /// The `message` of [`Self::typed_data`]; also the `contents` of a deposit wallet's
    /// `TypedDataSign`.
    pub(super) fn message_json(&self) -> Value {
        json!({
            "salt": self.salt.to_string(),
            "maker": self.maker.to_checksum(None),
            "signer": self.signer.to_checksum(None),
            "tokenId": self.token_id.to_string(),
            "makerAmount": self.maker_amount.to_string(),
            "takerAmount": self.taker_amount.to_string(),
            "side": self.side.as_u8(),
            "signatureType": self.signature_type.as_u8(),
            "timestamp": self.timestamp_ms.to_string(),
            "metadata": self.metadata.to_string(),
            "builder": self.builder.to_string(),
        })
    }

    pub(super) fn as_sol(&self) -> Order {
        Order {
            salt: U256::from(self.salt),
            maker: self.maker,
            signer: self.signer,
            tokenId: self.token_id,
            makerAmount: U256::from(self.maker_amount),
            takerAmount: U256::from(self.taker_amount),
            side: self.side.as_u8(),
            signatureType: self.signature_type.as_u8(),
            timestamp: U256::from(self.timestamp_ms),
            metadata: self.metadata,
            builder: self.builder,
        }
    }
}

/// The exchange domain's EIP-712 field list.
pub(super) fn domain_fields() -> Value {
    json!([
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ])
}

/// `Order`'s EIP-712 field list.
pub(super) fn order_fields() -> Value {
    json!([
        {"name": "salt", "type": "uint256"},
        {"name": "maker", "type": "address"},
        {"name": "signer", "type": "address"},
        {"name": "tokenId", "type": "uint256"},
        {"name": "makerAmount", "type": "uint256"},
        {"name": "takerAmount", "type": "uint256"},
        {"name": "side", "type": "uint8"},
        {"name": "signatureType", "type": "uint8"},
        {"name": "timestamp", "type": "uint256"},
        {"name": "metadata", "type": "bytes32"},
        {"name": "builder", "type": "bytes32"},
    ])
}

/// The exchange's EIP-712 domain as typed-data JSON.
pub(super) fn domain_json(exchange: Exchange, chain: Chain) -> Value {
    json!({
        "name": EXCHANGE_DOMAIN_NAME,
        "version": exchange.domain_version(),
        "chainId": chain.id(),
        "verifyingContract": exchange.verifying_contract(chain).to_checksum(None),
    })
}

/// A salt as clob-client-v2 makes one, `round(Math.random() * Date.now())`, from 8 injected random
/// bytes (their top 53 bits are the fraction, as a double's mantissa holds) and the clock in ms.
/// It stays below `now_ms`, so the JSON number the CLOB receives is exact in any client.
pub fn new_salt(random: [u8; 8], now_ms: u64) -> u64 {
    let fraction_bits = u128::from(u64::from_be_bytes(random) >> 11);
    let scaled = fraction_bits * u128::from(now_ms) + (1u128 << 52);
    u64::try_from(scaled >> 53).expect("a fraction below 1 of a u64 fits a u64")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salts_span_zero_to_the_clock() {
        let now = 1_767_000_000_000;
        assert_eq!(new_salt([0; 8], now), 0);
        assert_eq!(new_salt([0xff; 8], now), now);
        assert_eq!(new_salt([0x80, 0, 0, 0, 0, 0, 0, 0], now), now / 2);
        // Only the top 53 bits count, like the mantissa of `Math.random()`.
        assert_eq!(new_salt([0x80, 0, 0, 0, 0, 0, 0x07, 0xff], now), now / 2);
    }
}
