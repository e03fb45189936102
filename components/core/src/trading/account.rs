//! Which account an order trades for and how it is signed (docs/architecture.md §6):
//! a follower without a Polymarket proxy trades from their authority's address (EOA, type 0);
//! with the Safe Polymarket's factory derives for their authority, as that Safe (type 2);
//! with any other Safe — one whose owner was rotated to a new server wallet in Phase 2A, which
//! the factory no longer maps to it — as the Safe itself through its ERC-1271 check (POLY_1271,
//! type 3: the exchange requires signer = maker = the contract, and the CLOB requires the API
//! key to belong to the order's signer, so the key is the Safe's, derived with an L1 signature
//! the Safe validates).

use alloy_primitives::Address;

use crate::api::{ApiError, ErrorCode};
use crate::orders::{polymarket_safe_address, SignatureType};
use crate::trading_authority::Authority;

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

/// The account for `authority`, given the user's proxy wallet if they have one. A stored
/// address that is not one is an error: never an order from the zero address, nor from the
/// user's own address in place of their Safe.
pub fn account(authority: &Authority, proxy_wallet: Option<&str>) -> Result<Account, ApiError> {
    let address: Address = parse_stored(authority.address(), "the trading authority's address")?;
    let proxy = proxy_wallet.map(|p| parse_stored(p, "the PROXY wallet's address")).transpose()?;
    let (maker, key_owner, signature_type) = match proxy {
        None => (address, address, SignatureType::Eoa),
        Some(safe) if polymarket_safe_address(address) == safe => (safe, address, SignatureType::PolyGnosisSafe),
        Some(safe) => (safe, safe, SignatureType::Poly1271),
    };
    Ok(Account { authority: address, maker, key_owner, signature_type })
}

fn parse_stored(text: &str, what: &str) -> Result<Address, ApiError> {
    match text.parse::<Address>() {
        Ok(address) if !address.is_zero() => Ok(address),
        _ => Err(ApiError::new(ErrorCode::InternalError, format!("{what} is not a usable address"))
            .with_detail(format!("{what}: {text:?}"))),
    }
}

impl Account {
    /// Signatures by the authority are checked by a contract (the maker Safe), which wraps
    /// what it validates in its own EIP-712 message.
    pub fn signs_through_contract(&self) -> bool {
        self.signature_type == SignatureType::Poly1271
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::signer_client::WalletRef;
    use crate::trading_authority::ServerWallet;

    fn authority(address: &str) -> Authority {
        Authority::ServerWallet(ServerWallet {
            id: "w".into(),
            wallet: WalletRef {
                wallet_id: "d".into(),
                address: address.into(),
                wallet_properties: serde_json::Value::Null,
            },
        })
    }

    const AUTHORITY: &str = "0x00000000000000000000000000000000000000a1";

    #[test]
    fn a_damaged_address_is_an_error_not_a_fallback() {
        for bad in ["", "not-an-address", "0x0000000000000000000000000000000000000000"] {
            assert_eq!(account(&authority(bad), None).unwrap_err().code, ErrorCode::InternalError, "authority {bad:?}");
            assert!(account(&authority(AUTHORITY), Some(bad)).is_err(), "proxy {bad:?}");
        }
    }

    #[test]
    fn the_signature_type_follows_the_proxy() {
        let eoa = account(&authority(AUTHORITY), None).unwrap();
        assert_eq!((eoa.maker, eoa.signature_type), (AUTHORITY.parse().unwrap(), SignatureType::Eoa));
        let factory = polymarket_safe_address(AUTHORITY.parse().unwrap()).to_string();
        assert_eq!(
            account(&authority(AUTHORITY), Some(&factory)).unwrap().signature_type,
            SignatureType::PolyGnosisSafe
        );
        let other = account(&authority(AUTHORITY), Some("0x00000000000000000000000000000000000000b2")).unwrap();
        assert_eq!(
            (other.key_owner, other.signature_type),
            ("0x00000000000000000000000000000000000000b2".parse().unwrap(), SignatureType::Poly1271)
        );
    }
}
