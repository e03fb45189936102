//! The Safe a Polymarket user trades from: where the Polymarket Safe factory puts it, and the
//! ERC-1271 message its owner signs so the Safe vouches for an order.

use alloy_primitives::{address, b256, keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::{sol, Eip712Domain, SolStruct, SolValue};
use serde_json::{json, Value};

/// Polymarket's Safe factory on Polygon (builder-relayer-client `SafeFactory`; the exchange's
/// `PolySafeLib` derives with the same deployer).
pub const POLYMARKET_SAFE_FACTORY: Address = address!("aacFeEa03eb1561C4e67d661e40682Bd20E3541b");
/// keccak256 of the factory's proxy creation code with its Safe singleton
/// (builder-relayer-client `SAFE_INIT_CODE_HASH`).
pub const POLYMARKET_SAFE_INIT_CODE_HASH: B256 =
    b256!("2bce2127ff07fb632d16c8347c4ebf501f4841168bed00d9e6ef715ddb6fcecf");

sol! {
    /// Safe `CompatibilityFallbackHandler`'s `SafeMessage(bytes message)`.
    struct SafeMessage {
        bytes message;
    }
}

/// The Safe the Polymarket factory deploys for `signer`: CREATE2 with salt
/// `keccak256(abi.encode(signer))`. Signature type 2 orders must have this as their maker.
pub fn polymarket_safe_address(signer: Address) -> Address {
    let salt = keccak256(signer.abi_encode());
    POLYMARKET_SAFE_FACTORY.create2(salt, POLYMARKET_SAFE_INIT_CODE_HASH)
}

fn safe_domain(safe: Address, chain_id: u64) -> Eip712Domain {
    Eip712Domain::new(None, None, Some(U256::from(chain_id)), Some(safe), None)
}

fn safe_message(order_hash: B256) -> SafeMessage {
    SafeMessage { message: Bytes::from(order_hash.abi_encode()) }
}

/// The digest an owner of `safe` signs so that `safe.isValidSignature(order_hash, sig)` holds
/// (Safe 1.3/1.4.1 `CompatibilityFallbackHandler`): EIP-712 `SafeMessage` with
/// `message = abi.encode(order_hash)` under the domain `{chainId, verifyingContract: safe}`. For
/// a 1-of-1 Safe the owner's 65-byte ECDSA signature over it is the whole ERC-1271 signature of a
/// signature type 3 order whose maker and signer are the Safe.
pub fn safe_message_hash(safe: Address, chain_id: u64, order_hash: B256) -> B256 {
    safe_message(order_hash).eip712_signing_hash(&safe_domain(safe, chain_id))
}

/// `eth_signTypedData_v4` JSON whose signing hash is [`safe_message_hash`].
pub fn safe_message_typed_data(safe: Address, chain_id: u64, order_hash: B256) -> Value {
    json!({
        "types": {
            "EIP712Domain": [
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "SafeMessage": [{"name": "message", "type": "bytes"}],
        },
        "primaryType": "SafeMessage",
        "domain": {"chainId": chain_id, "verifyingContract": safe.to_checksum(None)},
        "message": {"message": safe_message(order_hash).message.to_string()},
    })
}
