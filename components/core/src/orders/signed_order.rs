//! A signed order and the `POST /order` body that carries it.

use alloy_primitives::Bytes;
use serde_json::{json, Value};

use super::{OrderError, OrderType, UnsignedOrder};

/// An order with the signature its [`super::SignatureType`] calls for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedOrder {
    pub order: UnsignedOrder,
    /// 65 bytes of ECDSA for types 0–2; whatever the maker contract's ERC-1271 check reads for 3.
    pub signature: Bytes,
}

impl SignedOrder {
    /// The JSON body of `POST /order` as clob-client-v2's `orderToJsonV2` builds it: `salt` and
    /// `signatureType` are numbers, amounts, `tokenId`, `timestamp` and `expiration` decimal
    /// strings, addresses checksummed. `POST /orders` takes an array of these. Sign the L2 HMAC
    /// over the exact bytes that are sent, whatever key order they serialize in.
    pub fn post_body(
        &self,
        owner_api_key: &str,
        order_type: OrderType,
        post_only: bool,
        defer_exec: bool,
    ) -> Result<Value, OrderError> {
        if post_only && !order_type.allows_post_only() {
            return Err(OrderError::PostOnlyNotAllowed(order_type));
        }
        let o = &self.order;
        Ok(json!({
            "deferExec": defer_exec,
            "postOnly": post_only,
            "order": {
                "salt": o.salt,
                "maker": o.maker.to_checksum(None),
                "signer": o.signer.to_checksum(None),
                "tokenId": o.token_id.to_string(),
                "makerAmount": o.maker_amount.to_string(),
                "takerAmount": o.taker_amount.to_string(),
                "side": o.side.as_str(),
                "signatureType": o.signature_type.as_u8(),
                "timestamp": o.timestamp_ms.to_string(),
                "expiration": o.expiration.to_string(),
                "metadata": o.metadata.to_string(),
                "builder": o.builder.to_string(),
                "signature": self.signature.to_string(),
            },
            "owner": owner_api_key,
            "orderType": order_type.as_str(),
        }))
    }
}
