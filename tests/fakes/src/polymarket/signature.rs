//! The exchange contract's signature rules (CTF Exchange V2 `Signatures.isValidSignature`):
//! EOA (0) — recovers to signer and signer == maker; POLY_PROXY (1) and POLY_GNOSIS_SAFE (2) —
//! recovers to signer and maker is the wallet the factory derives for signer; POLY_1271 (3) —
//! signer == maker, a contract whose ERC-1271 `isValidSignature(orderHash, signature)` accepts.

use alloy_primitives::{Address, Signature, B256};

use super::wallet_factories::{proxy_of, safe_of_factory};
use crate::json_rpc::JsonRpc;

/// The address a 65-byte `r ‖ s ‖ v` signature (v 27 or 28, as OpenZeppelin and Solady
/// require) over `hash` recovers to.
pub(crate) fn recover(hash: B256, signature: &[u8]) -> Option<Address> {
    if signature.len() != 65 || !matches!(signature[64], 27 | 28) {
        return None;
    }
    Signature::try_from(signature).ok()?.recover_address_from_prehash(&hash).ok()
}

/// Whether the exchange would accept `signature` of type `signature_type` over `hash` for an
/// order with this maker and signer. Type 3 needs a node to ask; without one it fails.
pub(crate) async fn order_signature_valid(
    signature_type: u8,
    maker: Address,
    signer: Address,
    hash: B256,
    signature: &[u8],
    rpc: Option<&JsonRpc>,
    safe_factory: Option<(Address, B256)>,
) -> bool {
    let recovers_to_signer = || recover(hash, signature) == Some(signer);
    match signature_type {
        0 => signer == maker && recovers_to_signer(),
        1 => recovers_to_signer() && proxy_of(signer) == maker,
        2 => recovers_to_signer() && safe_of_factory(signer, safe_factory) == maker,
        3 => match rpc {
            Some(rpc) => signer == maker && rpc.is_valid_signature(maker, hash, signature).await,
            None => false,
        },
        _ => false,
    }
}
