//! The addresses Polymarket's wallet factories give a signer, as the exchange contract derives
//! them to check signature types 1 (POLY_PROXY) and 2 (POLY_GNOSIS_SAFE). Constants from
//! Polymarket's builder-relayer-client (`deriveSafe`, `deriveProxyWallet`) and the V2 exchange's
//! `PolySafeLib` (salt = keccak256(abi.encode(signer))).

use alloy_primitives::{address, b256, keccak256, Address, B256};

const SAFE_FACTORY: Address = address!("aacFeEa03eb1561C4e67d661e40682Bd20E3541b");
const SAFE_INIT_CODE_HASH: B256 = b256!("2bce2127ff07fb632d16c8347c4ebf501f4841168bed00d9e6ef715ddb6fcecf");
const PROXY_FACTORY: Address = address!("aB45c5A4B0c941a2F231C04C3f49182e1A254052");
const PROXY_INIT_CODE_HASH: B256 = b256!("d21df8dc65880a8606f09fe0ce3df9b8869287ab0b058be05aa9e8af6330a00b");

/// The Polymarket Safe of `signer`: CREATE2 with salt keccak256(abi.encode(signer)).
pub fn safe_of(signer: Address) -> Address {
    safe_of_factory(signer, Some((SAFE_FACTORY, SAFE_INIT_CODE_HASH)))
}

/// The Safe `factory` (address, init code hash; Polygon's when `None`) derives for `signer`.
pub fn safe_of_factory(signer: Address, factory: Option<(Address, B256)>) -> Address {
    let (address, init_code_hash) = factory.unwrap_or((SAFE_FACTORY, SAFE_INIT_CODE_HASH));
    address.create2(keccak256(signer.into_word()), init_code_hash)
}

/// The Polymarket proxy wallet of `signer`: CREATE2 with salt keccak256(abi.encodePacked(signer)).
pub fn proxy_of(signer: Address) -> Address {
    let salt = keccak256(signer);
    PROXY_FACTORY.create2(salt, PROXY_INIT_CODE_HASH)
}
