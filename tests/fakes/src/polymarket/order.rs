//! The V2 order as `POST /order` carries it, parsed strictly to the shape the reference client
//! (`@polymarket/clob-client-v2` `orderToJsonV2`) sends, and its EIP-712 hash under the CTF
//! Exchange domain.

use alloy_primitives::{address, Address, Bytes, B256, U256};
use alloy_sol_types::{eip712_domain, sol, Eip712Domain, SolStruct};
use serde_json::Value;

sol! {
    /// The signed struct of CTF Exchange V2 (and V3): `expiration` travels beside it, unsigned.
    struct Order {
        uint256 salt;
        address maker;
        address signer;
        uint256 tokenId;
        uint256 makerAmount;
        uint256 takerAmount;
        uint8 side;
        uint8 signatureType;
        uint256 timestamp;
        bytes32 metadata;
        bytes32 builder;
    }
}

const EXCHANGE_V2: Address = address!("E111180000d2663C0091e4f400237545B87B996B");
const NEG_RISK_EXCHANGE_V2: Address = address!("e2222d279d744050d28e00520010520000310F59");
const EXCHANGE_V3: Address = address!("e3333700cA9d93003F00f0F71f8515005F6c00Aa");

/// The EIP-712 domain an order for a market is signed under at an exchange version: V2 uses
/// the neg-risk exchange for neg-risk markets; V3 has one exchange.
pub fn exchange_domain(chain_id: u64, exchange_version: u8, neg_risk: bool) -> Eip712Domain {
    let (version, contract) = match (exchange_version, neg_risk) {
        (3, _) => ("3", EXCHANGE_V3),
        (_, true) => ("2", NEG_RISK_EXCHANGE_V2),
        (_, false) => ("2", EXCHANGE_V2),
    };
    eip712_domain! {
        name: "Polymarket CTF Exchange",
        version: version,
        chain_id: chain_id,
        verifying_contract: contract,
    }
}

/// The EIP-712 signing hash of `order` under `domain` — the order's ID.
pub fn order_hash(order: &Order, domain: &Eip712Domain) -> B256 {
    order.eip712_signing_hash(domain)
}

/// One element of a `POST /order(s)` body.
pub(crate) struct NewOrder {
    pub order: Order,
    pub signature: Bytes,
    pub token_id: String,
    pub expiration: u64,
    pub owner: String,
    pub order_type: String,
    pub post_only: bool,
}

impl NewOrder {
    /// Parses `{order: {...}, owner, orderType, postOnly?, deferExec?}`; `None` is the real
    /// CLOB's "Invalid order payload".
    pub(crate) fn parse(body: &Value) -> Option<NewOrder> {
        let o = body.get("order")?;
        let text = |key: &str| o.get(key)?.as_str();
        let number = |key: &str| -> Option<U256> {
            let digits = text(key)?;
            (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| digits.parse().ok())?
        };
        let side = match text("side")? {
            "BUY" => 0,
            "SELL" => 1,
            _ => return None,
        };
        let signature_type = u8::try_from(o.get("signatureType")?.as_u64()?).ok().filter(|t| *t <= 3)?;
        let order_type = body.get("orderType")?.as_str()?;
        if !["GTC", "GTD", "FOK", "FAK"].contains(&order_type) {
            return None;
        }
        let post_only = match body.get("postOnly") {
            None => false,
            Some(flag) => flag.as_bool()?,
        };
        if body.get("deferExec").is_some_and(|flag| !flag.is_boolean()) {
            return None;
        }
        let order = Order {
            // The client sends the salt as a JSON number, not a string.
            salt: U256::from(o.get("salt")?.as_u64()?),
            maker: text("maker")?.parse().ok()?,
            signer: text("signer")?.parse().ok()?,
            tokenId: number("tokenId")?,
            makerAmount: number("makerAmount")?,
            takerAmount: number("takerAmount")?,
            side,
            signatureType: signature_type,
            timestamp: number("timestamp")?,
            metadata: text("metadata")?.parse().ok()?,
            builder: text("builder")?.parse().ok()?,
        };
        Some(NewOrder {
            token_id: order.tokenId.to_string(),
            expiration: u64::try_from(number("expiration")?).ok()?,
            signature: text("signature")?.parse().ok()?,
            owner: body.get("owner")?.as_str()?.to_owned(),
            order_type: order_type.to_owned(),
            post_only,
            order,
        })
    }

    pub(crate) fn is_buy(&self) -> bool {
        self.order.side == 0
    }

    /// (collateral, shares) in raw units, whichever side the order is on.
    pub(crate) fn collateral_and_shares(&self) -> Option<(u64, u64)> {
        let maker = u64::try_from(self.order.makerAmount).ok()?;
        let taker = u64::try_from(self.order.takerAmount).ok()?;
        Some(if self.is_buy() { (maker, taker) } else { (taker, maker) })
    }
}
