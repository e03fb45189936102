//! Which account an order trades for and how it is signed (docs/architecture.md §6; README
//! "Trading accounts"). The user's authority produces every signature; what it signs depends on
//! the account:
//! - no proxy wallet: the authority trades for itself (EOA, type 0);
//! - the Safe Polymarket's factory derives for the authority: as that Safe (type 2, ECDSA by the
//!   authority);
//! - any other Safe (one whose owner was swapped to a new server wallet in Phase 2A, which the
//!   factory no longer maps to it): as the Safe through its ERC-1271 check (type 3, signer =
//!   maker = the Safe; the authority signs Safe's `SafeMessage` around the order hash);
//! - a Polymarket deposit wallet: type 3, signer = maker = the wallet; the authority signs
//!   ERC-7739 `TypedDataSign` around the order.
//!
//! The CLOB API key (L1 `POLY_ADDRESS`, L2 `POLY_ADDRESS`) belongs to the authority in every
//! case Polymarket's clients cover — both official clients always send the signer EOA. For a
//! swapped-owner Safe no client settles it, so `safe_api_key_owner` chooses: `authority`
//! (default, as the clients do) or `safe` (a key of the Safe's own, derived with an L1 signature
//! the Safe validates).

use alloy_primitives::Address;

use crate::api::{ApiError, ErrorCode};
use crate::orders::{SafeFactory, SignatureType};
use crate::ports::{DbError, Row};
use crate::text_enum::text_enum;
use crate::trading_authority::Authority;

text_enum! {
    /// `wallets.proxy_type`: which contract a PROXY wallet is.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum ProxyType {
        /// A Gnosis Safe (Polymarket's factory Safe, or one whose owner was swapped).
        Safe = "SAFE",
        /// A Polymarket deposit wallet (ERC-7739).
        DepositWallet = "DEPOSIT_WALLET",
    }
}

text_enum! {
    /// `safe_api_key_owner`: whose CLOB API key a swapped-owner Safe's orders go under.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum SafeKeyOwner {
        Authority = "authority",
        Safe = "safe",
    }
}

/// What decides an account's kind besides its rows: the factory whose Safe is type 2, and whose
/// key a swapped-owner Safe trades under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountRules {
    pub factory: SafeFactory,
    pub safe_key_owner: SafeKeyOwner,
}

/// The kind of account, which decides what the authority signs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountKind {
    Eoa,
    /// The Safe Polymarket's factory derives for the authority.
    FactorySafe,
    /// A Safe the factory does not map to the authority.
    OwnSafe,
    DepositWallet,
}

/// A user's PROXY wallet row, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredProxy {
    pub address: String,
    pub proxy_type: String,
}

impl StoredProxy {
    /// A row's `proxy_wallet` and `proxy_type` columns (the user's PROXY wallet, if any); a
    /// missing type is kept empty, which [`account`] refuses.
    pub fn from_row(row: &Row) -> Result<Option<StoredProxy>, DbError> {
        let Some(address) = row.opt_text("proxy_wallet")? else { return Ok(None) };
        let proxy_type = row.opt_text("proxy_type")?.unwrap_or_default();
        Ok(Some(StoredProxy { address, proxy_type }))
    }
}

/// The trading account of an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Account {
    /// The user's authority: it produces every signature.
    pub authority: Address,
    /// Whose funds trade.
    pub maker: Address,
    /// The order's `signer` field.
    pub signer: Address,
    /// The owner of the CLOB API key (L1 and L2 `POLY_ADDRESS`).
    pub key_owner: Address,
    pub signature_type: SignatureType,
    pub kind: AccountKind,
}

/// The account for `authority`, given the user's proxy wallet if they have one. A stored value
/// that is not usable is an error: never an order from the zero address, nor from the user's own
/// address in place of their wallet, nor a guessed wallet type.
pub fn account(authority: &Authority, proxy: Option<&StoredProxy>, rules: AccountRules) -> Result<Account, ApiError> {
    let address: Address = parse_stored(authority.address(), "the trading authority's address")?;
    let Some(proxy) = proxy else {
        return Ok(Account {
            authority: address,
            maker: address,
            signer: address,
            key_owner: address,
            signature_type: SignatureType::Eoa,
            kind: AccountKind::Eoa,
        });
    };
    let wallet = parse_stored(&proxy.address, "the PROXY wallet's address")?;
    let proxy_type = ProxyType::parse(&proxy.proxy_type).ok_or_else(|| {
        ApiError::new(ErrorCode::InternalError, "the PROXY wallet's type is not one Mirror trades from")
            .with_detail(format!("proxy_type: {:?}", proxy.proxy_type))
    })?;
    let (signer, key_owner, signature_type, kind) = match proxy_type {
        ProxyType::Safe if rules.factory.safe_of(address) == wallet => {
            (address, address, SignatureType::PolyGnosisSafe, AccountKind::FactorySafe)
        }
        ProxyType::Safe => {
            let key_owner = match rules.safe_key_owner {
                SafeKeyOwner::Authority => address,
                SafeKeyOwner::Safe => wallet,
            };
            (wallet, key_owner, SignatureType::Poly1271, AccountKind::OwnSafe)
        }
        ProxyType::DepositWallet => (wallet, address, SignatureType::Poly1271, AccountKind::DepositWallet),
    };
    Ok(Account { authority: address, maker: wallet, signer, key_owner, signature_type, kind })
}

fn parse_stored(text: &str, what: &str) -> Result<Address, ApiError> {
    match text.parse::<Address>() {
        Ok(address) if !address.is_zero() => Ok(address),
        _ => Err(ApiError::new(ErrorCode::InternalError, format!("{what} is not a usable address"))
            .with_detail(format!("{what}: {text:?}"))),
    }
}

impl Account {
    /// The API key's L1 signature is checked by a contract (the Safe owning the key), which
    /// wraps what it validates in its own EIP-712 message.
    pub fn key_signed_through_contract(&self) -> bool {
        self.key_owner != self.authority
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

    fn proxy(address: &str, proxy_type: &str) -> StoredProxy {
        StoredProxy { address: address.into(), proxy_type: proxy_type.into() }
    }

    fn rules(safe_key_owner: SafeKeyOwner) -> AccountRules {
        AccountRules { factory: SafeFactory::POLYGON, safe_key_owner }
    }

    const AUTHORITY: &str = "0x00000000000000000000000000000000000000a1";
    const WALLET: &str = "0x00000000000000000000000000000000000000b2";

    #[test]
    fn a_damaged_stored_value_is_an_error_not_a_fallback() {
        let owner = rules(SafeKeyOwner::Authority);
        for bad in ["", "not-an-address", "0x0000000000000000000000000000000000000000"] {
            assert_eq!(account(&authority(bad), None, owner).unwrap_err().code, ErrorCode::InternalError, "{bad:?}");
            assert!(account(&authority(AUTHORITY), Some(&proxy(bad, "SAFE")), owner).is_err(), "proxy {bad:?}");
        }
        for bad in ["", "safe", "PROXY", "EOA"] {
            let e = account(&authority(AUTHORITY), Some(&proxy(WALLET, bad)), owner).unwrap_err();
            assert_eq!(e.code, ErrorCode::InternalError, "proxy_type {bad:?}");
        }
    }

    #[test]
    fn each_account_kind_signs_and_owns_its_key_as_the_exchange_and_clients_expect() {
        let a: Address = AUTHORITY.parse().unwrap();
        let w: Address = WALLET.parse().unwrap();
        let owner = rules(SafeKeyOwner::Authority);
        let eoa = account(&authority(AUTHORITY), None, owner).unwrap();
        assert_eq!((eoa.maker, eoa.signer, eoa.key_owner, eoa.signature_type), (a, a, a, SignatureType::Eoa));

        let factory = crate::orders::polymarket_safe_address(a);
        let safe = account(&authority(AUTHORITY), Some(&proxy(&factory.to_string(), "SAFE")), owner).unwrap();
        assert_eq!(
            (safe.maker, safe.signer, safe.key_owner, safe.signature_type, safe.kind),
            (factory, a, a, SignatureType::PolyGnosisSafe, AccountKind::FactorySafe)
        );

        let own = account(&authority(AUTHORITY), Some(&proxy(WALLET, "SAFE")), owner).unwrap();
        assert_eq!(
            (own.maker, own.signer, own.key_owner, own.signature_type, own.kind),
            (w, w, a, SignatureType::Poly1271, AccountKind::OwnSafe)
        );
        assert!(!own.key_signed_through_contract());
        let own_key = account(&authority(AUTHORITY), Some(&proxy(WALLET, "SAFE")), rules(SafeKeyOwner::Safe)).unwrap();
        assert_eq!(own_key.key_owner, w);
        assert!(own_key.key_signed_through_contract());

        for key_owner in SafeKeyOwner::ALL {
            let deposit =
                account(&authority(AUTHORITY), Some(&proxy(WALLET, "DEPOSIT_WALLET")), rules(*key_owner)).unwrap();
            assert_eq!(
                (deposit.maker, deposit.signer, deposit.key_owner, deposit.signature_type, deposit.kind),
                (w, w, a, SignatureType::Poly1271, AccountKind::DepositWallet),
                "a deposit wallet's key is always its owner's"
            );
        }
    }
}
