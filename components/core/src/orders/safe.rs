//! The Safe a Polymarket user trades from: where the Polymarket Safe factory puts it, and the
//! ERC-1271 message its owner signs so the Safe vouches for an order.

use std::borrow::Cow;

use alloy_primitives::{address, b256, keccak256, Address, Bytes, Signature, B256, U256};
use alloy_sol_types::{sol, Eip712Domain, SolCall, SolStruct, SolValue};
use serde_json::{json, Value};

/// Polymarket's Safe factory on Polygon (builder-relayer-client `SafeFactory`; the exchange's
/// `PolySafeLib` derives with the same deployer).
pub const POLYMARKET_SAFE_FACTORY: Address = address!("aacFeEa03eb1561C4e67d661e40682Bd20E3541b");
/// keccak256 of the factory's proxy creation code with its Safe singleton
/// (builder-relayer-client `SAFE_INIT_CODE_HASH`).
pub const POLYMARKET_SAFE_INIT_CODE_HASH: B256 =
    b256!("2bce2127ff07fb632d16c8347c4ebf501f4841168bed00d9e6ef715ddb6fcecf");

/// The Polymarket factory's EIP-712 domain name.
pub const SAFE_FACTORY_DOMAIN_NAME: &str = "Polymarket Contract Proxy Factory";

sol! {
    /// Safe `CompatibilityFallbackHandler`'s `SafeMessage(bytes message)`.
    struct SafeMessage {
        bytes message;
    }

    /// What an owner signs for Polymarket's factory to create their Safe.
    struct CreateProxy {
        address paymentToken;
        uint256 payment;
        address paymentReceiver;
    }

    struct FactorySig {
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    function createProxy(address paymentToken, uint256 payment, address paymentReceiver, FactorySig createSig);
}

/// A Polymarket-style Safe factory: where it is, and the hash of the init code it CREATE2s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SafeFactory {
    pub address: Address,
    pub init_code_hash: B256,
}

impl SafeFactory {
    /// Polymarket's factory on Polygon.
    pub const POLYGON: SafeFactory =
        SafeFactory { address: POLYMARKET_SAFE_FACTORY, init_code_hash: POLYMARKET_SAFE_INIT_CODE_HASH };

    /// The Safe this factory creates for `owner`: CREATE2 with salt `keccak256(abi.encode(owner))`.
    pub fn safe_of(&self, owner: Address) -> Address {
        self.address.create2(keccak256(owner.abi_encode()), self.init_code_hash)
    }

    fn domain(&self, chain_id: u64) -> Eip712Domain {
        Eip712Domain::new(
            Some(Cow::Borrowed(SAFE_FACTORY_DOMAIN_NAME)),
            None,
            Some(U256::from(chain_id)),
            Some(self.address),
            None,
        )
    }

    /// The digest an owner signs so that `createProxy(0, 0, 0, sig)` creates their Safe (no
    /// payment: Mirror's relayer pays the gas).
    pub fn create_proxy_hash(&self, chain_id: u64) -> B256 {
        unpaid().eip712_signing_hash(&self.domain(chain_id))
    }

    /// `eth_signTypedData_v4` JSON whose signing hash is [`Self::create_proxy_hash`], as
    /// builder-relayer-client's SAFE-CREATE request signs it.
    pub fn create_proxy_typed_data(&self, chain_id: u64) -> Value {
        json!({
            "types": {
                "EIP712Domain": [
                    {"name": "name", "type": "string"},
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
                "CreateProxy": [
                    {"name": "paymentToken", "type": "address"},
                    {"name": "payment", "type": "uint256"},
                    {"name": "paymentReceiver", "type": "address"},
                ],
            },
            "primaryType": "CreateProxy",
            "domain": {
                "name": SAFE_FACTORY_DOMAIN_NAME,
                "chainId": chain_id,
                "verifyingContract": self.address.to_checksum(None),
            },
            "message": {"paymentToken": Address::ZERO.to_checksum(None), "payment": "0", "paymentReceiver": Address::ZERO.to_checksum(None)},
        })
    }

    /// The calldata of `createProxy(0, 0, 0, signature)`.
    pub fn create_proxy_call(signature: &Signature) -> Bytes {
        let (r, s) = (signature.r(), signature.s());
        createProxyCall {
            paymentToken: Address::ZERO,
            payment: U256::ZERO,
            paymentReceiver: Address::ZERO,
            createSig: FactorySig { v: 27 + u8::from(signature.v()), r: r.into(), s: s.into() },
        }
        .abi_encode()
        .into()
    }
}

fn unpaid() -> CreateProxy {
    CreateProxy { paymentToken: Address::ZERO, payment: U256::ZERO, paymentReceiver: Address::ZERO }
}

/// The Safe the Polymarket factory on Polygon deploys for `signer`. Signature type 2 orders must
/// have this as their maker.
pub fn polymarket_safe_address(signer: Address) -> Address {
    SafeFactory::POLYGON.safe_of(signer)
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
