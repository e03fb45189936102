//! Which account an order trades for and how it is signed (EXTERNAL.md, signature types):
//! a follower without a Polymarket proxy trades from their authority's address (EOA, type 0);
//! with the Safe Polymarket's factory derives for their authority, as that Safe (type 2);
//! with any other Safe — one whose owner was rotated to a new server wallet in Phase 2A, which
//! the factory no longer maps to it — as the Safe itself through its ERC-1271 check (POLY_1271,
//! type 3: the exchange requires signer = maker = the contract, and the CLOB requires the API
//! key to belong to the order's signer, so the key is the Safe's, derived with an L1 signature
//! the Safe validates).

use alloy_primitives::Address;

use crate::authority::Authority;
use crate::orders::{polymarket_safe_address, SignatureType};

/// The trading account of an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Account {
    /// The user's authority: it produces every signature.
    pub authority: Address,
    /// Whose funds trade.
    pub maker: Address,
    /// The order's `signer` field; also the owner of the CLOB API key (L2 `POLY_ADDRESS`).
    pub key_owner: Address,
    pub signature_type: SignatureType,
}

/// The account for `authority`, given the user's proxy wallet if they have one.
pub fn account(authority: &Authority, proxy_wallet: Option<&str>) -> Account {
    let address: Address = authority.address().parse().unwrap_or(Address::ZERO);
    let proxy = proxy_wallet.and_then(|p| p.parse::<Address>().ok());
    let (maker, key_owner, signature_type) = match proxy {
        None => (address, address, SignatureType::Eoa),
        Some(safe) if polymarket_safe_address(address) == safe => (safe, address, SignatureType::PolyGnosisSafe),
        Some(safe) => (safe, safe, SignatureType::Poly1271),
    };
    Account { authority: address, maker, key_owner, signature_type }
}

impl Account {
    /// Signatures by the authority are checked by a contract (the maker Safe), which wraps
    /// what it validates in its own EIP-712 message.
    pub fn signs_through_contract(&self) -> bool {
        self.signature_type == SignatureType::Poly1271
    }
}
