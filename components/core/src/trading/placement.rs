//! Building an order: amounts with Polymarket's rounding for the market's tick size, the
//! exchange the CLOB asks for, a fresh salt; and what gets signed and stored for it.

use alloy_primitives::{Bytes, Signature, B256, U256};
use serde_json::Value;

use super::{Account, AccountKind};
use crate::api::{invalid, ApiError, ErrorCode};
use crate::money::format_micro;
use crate::orders::{
    deposit_wallet_digest, deposit_wallet_signature, deposit_wallet_typed_data, limit_order_amounts, new_salt,
    safe_message_hash, safe_message_typed_data, Chain, Exchange, OrderType, Side, SignedOrder, UnsignedOrder,
};
use crate::ports::SqlValue;
use crate::signing::signer_client::{SignPayload, Signed};
use crate::trading::clob::Book;

/// What to trade; price and size in micro-units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderIntent {
    pub token_id: String,
    pub buy: bool,
    pub price: i128,
    pub size: i128,
    pub order_type: OrderType,
}

/// An order ready to sign.
#[derive(Clone, Debug, PartialEq)]
pub struct Placement {
    pub order: UnsignedOrder,
    pub exchange: Exchange,
    pub hash: B256,
}

/// An order with what is stored for it: the POST body without its `owner` (the API key is
/// added when posting), signed or, in DRY mode, not.
#[derive(Clone, Debug, PartialEq)]
pub struct PreparedOrder {
    pub order_hash: String,
    pub token_id: String,
    pub side: &'static str,
    pub price: i128,
    pub size: i128,
    pub maker_amount: u64,
    pub taker_amount: u64,
    pub order_type: &'static str,
    pub signed_order: Value,
    pub notional: i128,
}

impl PreparedOrder {
    /// The `orders` columns order_hash, token_id, side, price, size, maker_amount,
    /// taker_amount, order_type, signed_order, in that order, as statement parameters (numeric
    /// values as text, which Spin's Postgres interface can bind).
    pub fn column_values(&self) -> [SqlValue; 9] {
        [
            SqlValue::Text(self.order_hash.clone()),
            SqlValue::Text(self.token_id.clone()),
            SqlValue::Text(self.side.into()),
            SqlValue::Text(format_micro(self.price)),
            SqlValue::Text(format_micro(self.size)),
            SqlValue::Int(self.maker_amount as i64),
            SqlValue::Int(self.taker_amount as i64),
            SqlValue::Text(self.order_type.into()),
            SqlValue::Json(self.signed_order.clone()),
        ]
    }
}

pub(super) fn build(
    intent: &OrderIntent,
    account: &Account,
    book: &Book,
    exchange: Exchange,
    chain: Chain,
    now_ms: i64,
    salt_bytes: [u8; 8],
) -> Result<Placement, ApiError> {
    let side = if intent.buy { Side::Buy } else { Side::Sell };
    let decimal =
        |field: &str, micro: i128| format_micro(micro).parse().map_err(|_| invalid(field, "is not a decimal"));
    let amounts =
        limit_order_amounts(side, decimal("size", intent.size)?, decimal("price", intent.price)?, book.tick_size)
            .map_err(|e| invalid("order", &e.to_string()))?;
    let token_id: U256 = intent.token_id.parse().map_err(|_| invalid("tokenId", "must be a decimal token id"))?;
    let order = UnsignedOrder {
        salt: new_salt(salt_bytes, now_ms.max(0) as u64),
        maker: account.maker,
        signer: account.signer,
        token_id,
        maker_amount: amounts.maker_amount,
        taker_amount: amounts.taker_amount,
        side,
        signature_type: account.signature_type,
        timestamp_ms: now_ms.max(0) as u64,
        metadata: B256::ZERO,
        builder: B256::ZERO,
        expiration: 0,
    };
    let hash = order.hash(exchange, chain);
    Ok(Placement { order, exchange, hash })
}

impl Placement {
    /// What the authority signs: the order itself, or — for a contract validating through
    /// ERC-1271 — the contract's message wrapping the order (Safe's `SafeMessage` of the order
    /// hash, a deposit wallet's ERC-7739 `TypedDataSign` of the order).
    pub fn payload(&self, account: &Account, chain: Chain) -> SignPayload {
        SignPayload::TypedData(match account.kind {
            AccountKind::OwnSafe => safe_message_typed_data(account.maker, chain.id(), self.hash),
            AccountKind::DepositWallet => deposit_wallet_typed_data(&self.order, self.exchange, chain),
            AccountKind::Eoa | AccountKind::FactorySafe => self.order.typed_data(self.exchange, chain),
        })
    }

    /// The digest the authority's signature covers.
    pub fn digest(&self, account: &Account, chain: Chain) -> B256 {
        match account.kind {
            AccountKind::OwnSafe => safe_message_hash(account.maker, chain.id(), self.hash),
            AccountKind::DepositWallet => deposit_wallet_digest(&self.order, self.exchange, chain),
            AccountKind::Eoa | AccountKind::FactorySafe => self.hash,
        }
    }

    /// The signer's answer as the order's signature, only if it is one: 65 bytes that recover
    /// to the authority over exactly this placement's digest (and, when the signer names the
    /// digest it signed, that digest), in the form the account's contract expects. Anything
    /// else is an error and nothing is stored or posted: an order persisted as signed must be
    /// one the exchange will accept.
    pub fn verified_signature(&self, account: &Account, chain: Chain, signed: &Signed) -> Result<Bytes, ApiError> {
        let digest = self.digest(account, chain);
        let refused = |why: &str| {
            ApiError::new(
                ErrorCode::SignatureError,
                format!("the signer's answer is not this order's signature: {why}"),
            )
        };
        if let Some(named) = &signed.digest {
            if named.parse::<B256>().ok() != Some(digest) {
                return Err(refused("it signed another digest"));
            }
        }
        let signature: Signature = signed.signature.parse().map_err(|_| refused("not a 65-byte ECDSA signature"))?;
        match signature.recover_address_from_prehash(&digest) {
            Ok(signer) if signer == account.authority => Ok(match account.kind {
                AccountKind::DepositWallet => {
                    deposit_wallet_signature(&self.order, self.exchange, chain, &signature.as_bytes())
                }
                _ => Bytes::from(signature.as_bytes().to_vec()),
            }),
            _ => Err(refused("it does not recover to the trading authority")),
        }
    }

    /// The stored form; `signature` is `None` for a DRY-mode would-be order.
    pub fn record(
        &self,
        intent: &OrderIntent,
        notional: i128,
        signature: Option<Bytes>,
    ) -> Result<PreparedOrder, ApiError> {
        let body = SignedOrder { order: self.order.clone(), signature: signature.unwrap_or_default() }
            .post_body("", intent.order_type, false, false)
            .map_err(|e| ApiError::new(ErrorCode::InternalError, format!("order body: {e}")))?;
        Ok(PreparedOrder {
            order_hash: self.hash.to_string(),
            token_id: intent.token_id.clone(),
            side: if intent.buy { "BUY" } else { "SELL" },
            price: intent.price,
            size: intent.size,
            maker_amount: self.order.maker_amount,
            taker_amount: self.order.taker_amount,
            order_type: intent.order_type.as_str(),
            signed_order: body,
            notional,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::SignatureType;
    use crate::signing::local_key::LocalKey;

    const SAFE: &str = "0x00000000000000000000000000000000000000b2";

    fn setup(kind: AccountKind) -> (LocalKey, Account, Placement) {
        let key = LocalKey::from_secret(&[7u8; 32]).unwrap();
        let (maker, signature_type) = match kind {
            AccountKind::Eoa => (key.address(), SignatureType::Eoa),
            _ => (SAFE.parse().unwrap(), SignatureType::Poly1271),
        };
        let account =
            Account { authority: key.address(), maker, signer: maker, key_owner: key.address(), signature_type, kind };
        let book = Book {
            tick_size: "0.01".parse().unwrap(),
            neg_risk: false,
            min_order_size: 5_000_000,
            best_bid: None,
            best_ask: None,
        };
        let intent = OrderIntent {
            token_id: "123".into(),
            buy: true,
            price: 520_000,
            size: 10_000_000,
            order_type: OrderType::Gtc,
        };
        let placement = build(
            &intent,
            &account,
            &book,
            Exchange::V2 { neg_risk: false },
            Chain::Polygon,
            1_764_000_000_000,
            [1; 8],
        )
        .unwrap();
        (key, account, placement)
    }

    #[test]
    fn the_authoritys_signature_over_this_placement_is_taken() {
        for (kind, length) in [(AccountKind::Eoa, 65), (AccountKind::OwnSafe, 65), (AccountKind::DepositWallet, 317)] {
            let (key, account, placement) = setup(kind);
            let signed = key.sign(&placement.payload(&account, Chain::Polygon)).unwrap();
            let bytes = placement.verified_signature(&account, Chain::Polygon, &signed).unwrap();
            assert_eq!(bytes.len(), length, "{kind:?}");
        }
    }

    /// An answer that is not the authority's signature over this placement once became empty
    /// bytes persisted as SIGNED; now each is refused, so nothing is stored or posted.
    #[test]
    fn anything_else_the_signer_answers_is_refused() {
        for kind in [AccountKind::OwnSafe, AccountKind::DepositWallet] {
            refuses_all_but_the_authoritys_signature(kind);
        }
    }

    fn refuses_all_but_the_authoritys_signature(kind: AccountKind) {
        let (key, account, placement) = setup(kind);
        let good = key.sign(&placement.payload(&account, Chain::Polygon)).unwrap();
        let other_key = LocalKey::from_secret(&[8u8; 32]).unwrap();
        let by_other = other_key.sign(&placement.payload(&account, Chain::Polygon)).unwrap();
        let (_, eoa_account, _) = setup(AccountKind::Eoa);
        let other_digest = key.sign(&placement.payload(&eoa_account, Chain::Polygon)).unwrap();
        let cases = [
            ("another key", by_other),
            ("another digest", other_digest),
            ("garbage", Signed { signature: "0xzz".into(), ..good.clone() }),
            ("empty", Signed { signature: String::new(), ..good.clone() }),
            ("64 bytes", Signed { signature: good.signature[..130].into(), ..good.clone() }),
            (
                "a named digest that is not this one",
                Signed { digest: Some(format!("{:#x}", B256::ZERO)), ..good.clone() },
            ),
        ];
        for (case, signed) in cases {
            let err = placement.verified_signature(&account, Chain::Polygon, &signed).unwrap_err();
            assert_eq!(err.code, ErrorCode::SignatureError, "{kind:?}: {case}");
        }
    }
}
