//! Polymarket deposit wallets (accounts created since 2026-05-04): a contract wallet that signs
//! orders as POLY_1271 (type 3, maker = signer = the wallet) and validates them through ERC-7739
//! nested typed data (Solady's `TypedDataSign`). The wallet's owner signs
//! `TypedDataSign(Order contents, name "DepositWallet", version "1", chainId, verifyingContract
//! = the wallet, salt 0)` under the exchange's own domain, so a wallet shows the very order it
//! authorises; the ERC-1271 signature is that 65-byte signature followed by the exchange's domain
//! separator, the order's struct hash, the `Order` type string and its length (uint16), as
//! clob-client-v2 1.1 (`buildOrderSignature`) and py-clob-client-v2 1.2 build it.

use alloy_primitives::{Bytes, B256};
use alloy_sol_types::{sol, SolStruct};
use serde_json::{json, Value};

use super::order::{domain_fields, domain_json, order_fields, Order};
use super::{Chain, Exchange, UnsignedOrder};

/// The wallet's own EIP-712 name and version, which `TypedDataSign` carries.
pub const DEPOSIT_WALLET_NAME: &str = "DepositWallet";
pub const DEPOSIT_WALLET_VERSION: &str = "1";

sol! {
    /// ERC-7739's nested struct for `Order` contents.
    struct TypedDataSign {
        Order contents;
        string name;
        string version;
        uint256 chainId;
        address verifyingContract;
        bytes32 salt;
    }
}

fn typed_data_sign(order: &UnsignedOrder, chain: Chain) -> TypedDataSign {
    TypedDataSign {
        contents: order.as_sol(),
        name: DEPOSIT_WALLET_NAME.into(),
        version: DEPOSIT_WALLET_VERSION.into(),
        chainId: alloy_primitives::U256::from(chain.id()),
        verifyingContract: order.signer,
        salt: B256::ZERO,
    }
}

/// The digest the wallet's owner signs for `order` (whose signer is the wallet).
pub fn deposit_wallet_digest(order: &UnsignedOrder, exchange: Exchange, chain: Chain) -> B256 {
    typed_data_sign(order, chain).eip712_signing_hash(&exchange.domain(chain))
}

/// `eth_signTypedData_v4` JSON whose signing hash is [`deposit_wallet_digest`].
pub fn deposit_wallet_typed_data(order: &UnsignedOrder, exchange: Exchange, chain: Chain) -> Value {
    json!({
        "types": {
            "EIP712Domain": domain_fields(),
            "TypedDataSign": [
                {"name": "contents", "type": "Order"},
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
                {"name": "salt", "type": "bytes32"},
            ],
            "Order": order_fields(),
        },
        "primaryType": "TypedDataSign",
        "domain": domain_json(exchange, chain),
        "message": {
            "contents": order.message_json(),
            "name": DEPOSIT_WALLET_NAME,
            "version": DEPOSIT_WALLET_VERSION,
            "chainId": chain.id(),
            "verifyingContract": order.signer.to_checksum(None),
            "salt": B256::ZERO.to_string(),
        },
    })
}

/// The order's ERC-1271 signature from the owner's 65-byte signature over
/// [`deposit_wallet_digest`].
pub fn deposit_wallet_signature(order: &UnsignedOrder, exchange: Exchange, chain: Chain, owner: &[u8]) -> Bytes {
    let contents_type = Order::eip712_encode_type();
    let mut out = Vec::with_capacity(owner.len() + 64 + contents_type.len() + 2);
    out.extend_from_slice(owner);
    out.extend_from_slice(exchange.domain(chain).separator().as_slice());
    out.extend_from_slice(order.as_sol().eip712_hash_struct().as_slice());
    out.extend_from_slice(contents_type.as_bytes());
    out.extend_from_slice(&(contents_type.len() as u16).to_be_bytes());
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_dyn_abi::TypedData;
    use alloy_primitives::{Address, U256};

    use crate::orders::{Side, SignatureType};

    fn order() -> UnsignedOrder {
        let wallet: Address = "0x00000000000000000000000000000000000000d1".parse().unwrap();
        UnsignedOrder {
            salt: 7,
            maker: wallet,
            signer: wallet,
            token_id: U256::from(123),
            maker_amount: 5_200_000,
            taker_amount: 10_000_000,
            side: Side::Buy,
            signature_type: SignatureType::Poly1271,
            timestamp_ms: 1_764_000_000_000,
            metadata: B256::ZERO,
            builder: B256::ZERO,
            expiration: 0,
        }
    }

    #[test]
    fn the_typed_data_hashes_to_the_digest() {
        let (o, exchange) = (order(), Exchange::V2 { neg_risk: true });
        let typed: TypedData = serde_json::from_value(deposit_wallet_typed_data(&o, exchange, Chain::Polygon)).unwrap();
        assert_eq!(typed.eip712_signing_hash().unwrap(), deposit_wallet_digest(&o, exchange, Chain::Polygon));
        assert_ne!(deposit_wallet_digest(&o, exchange, Chain::Polygon), o.hash(exchange, Chain::Polygon));
    }

    #[test]
    fn the_signature_carries_what_the_wallet_rebuilds_the_order_hash_from() {
        let (o, exchange) = (order(), Exchange::V3);
        let signature = deposit_wallet_signature(&o, exchange, Chain::Polygon, &[0x11; 65]);
        let contents_type = Order::eip712_encode_type();
        assert_eq!(contents_type.len(), 186, "clob-client-v2 hard-codes 186");
        assert_eq!(signature.len(), 65 + 32 + 32 + 186 + 2);
        // keccak(0x1901 ‖ separator ‖ contents) is the order hash the exchange asks about.
        let mut preimage = vec![0x19, 0x01];
        preimage.extend_from_slice(&signature[65..129]);
        assert_eq!(alloy_primitives::keccak256(preimage), o.hash(exchange, Chain::Polygon));
        assert_eq!(&signature[129..315], contents_type.as_bytes());
        assert_eq!(&signature[315..], &[0, 186]);
    }
}
