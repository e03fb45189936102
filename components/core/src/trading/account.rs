//! Which account an order trades for and how it is signed (EXTERNAL.md, signature types):
//! a follower without a Polymarket proxy trades from their authority's address (EOA, type 0);
//! with the Safe Polymarket's factory derives for their authority, as that Safe (type 2);
//! with any other Safe — one whose owner was rotated to a new server wallet in Phase 2A, which
//! the factory no longer maps to it — through the Safe's ERC-1271 check (POLY_1271, type 3).

use alloy_primitives::Address;

use crate::authority::Authority;
use crate::orders::{polymarket_safe_address, SignatureType};

/// The trading account of an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Account {
    /// The authority's address: it signs, and it owns the CLOB API key (L2 `POLY_ADDRESS`).
    pub authority: Address,
    /// Whose funds trade.
    pub maker: Address,
    /// The order's `signer` field.
    pub signer: Address,
    pub signature_type: SignatureType,
}

/// The account for `authority`, given the user's proxy wallet if they have one.
pub fn account(authority: &Authority, proxy_wallet: Option<&str>) -> Account {
    let address: Address = authority.address().parse().unwrap_or(Address::ZERO);
    let proxy = proxy_wallet.and_then(|p| p.parse::<Address>().ok());
    match proxy {
        None => Account { authority: address, maker: address, signer: address, signature_type: SignatureType::Eoa },
        Some(safe) if polymarket_safe_address(address) == safe => {
            Account { authority: address, maker: safe, signer: address, signature_type: SignatureType::PolyGnosisSafe }
        }
        Some(safe) => Account { authority: address, maker: safe, signer: safe, signature_type: SignatureType::Poly1271 },
    }
}
