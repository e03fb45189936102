//! Building an order: amounts with Polymarket's rounding for the market's tick size, the
//! exchange the CLOB asks for, a fresh salt; and what gets signed and stored for it.

use alloy_primitives::{B256, U256};
use serde_json::Value;

use super::Account;
use crate::api::{invalid, ApiError};
use crate::clob::Book;
use crate::copy::units::format_micro;
use crate::ports::SqlValue;
use crate::orders::{
    limit_order_amounts, new_salt, safe_message_typed_data, Chain, Exchange, OrderType, Side, SignatureType,
    SignedOrder, UnsignedOrder,
};
use crate::signing::signer_client::{SignPayload, Signed};

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
    let decimal = |field: &str, micro: i128| format_micro(micro).parse().map_err(|_| invalid(field, "is not a decimal"));
    let amounts = limit_order_amounts(side, decimal("size", intent.size)?, decimal("price", intent.price)?, book.tick_size)
        .map_err(|e| invalid("order", &e.to_string()))?;
    let token_id: U256 = intent.token_id.parse().map_err(|_| invalid("tokenId", "must be a decimal token id"))?;
    let order = UnsignedOrder {
        salt: new_salt(salt_bytes, now_ms.max(0) as u64),
        maker: account.maker,
        signer: account.key_owner,
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
    /// What the authority signs: the order itself, or — for a Safe validating through
    /// ERC-1271 — the Safe's message wrapping the order hash.
    pub fn payload(&self, account: &Account, chain: Chain) -> SignPayload {
        match account.signature_type {
            SignatureType::Poly1271 => SignPayload::TypedData(safe_message_typed_data(account.maker, chain.id(), self.hash)),
            _ => SignPayload::TypedData(self.order.typed_data(self.exchange, chain)),
        }
    }

    /// The stored form; `signed` is `None` for a DRY-mode would-be order.
    pub fn record(&self, intent: &OrderIntent, notional: i128, signed: Option<&Signed>) -> PreparedOrder {
        let signature = signed.and_then(|s| s.signature.parse().ok()).unwrap_or_default();
        let body = SignedOrder { order: self.order.clone(), signature }
            .post_body("", intent.order_type, false, false)
            .unwrap_or_default();
        PreparedOrder {
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
        }
    }
}

