//! Which exchange contract an order is signed for.

use std::borrow::Cow;

use alloy_primitives::{address, Address, U256};
use alloy_sol_types::Eip712Domain;
use serde_json::Value;

use super::OrderError;

/// EIP-712 domain name of every CTF exchange.
pub const EXCHANGE_DOMAIN_NAME: &str = "Polymarket CTF Exchange";

/// A chain with Polymarket exchanges (clob-client-v2 `getContractConfig`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Chain {
    /// Polygon mainnet, 137.
    Polygon,
    /// Polygon Amoy testnet, 80002.
    Amoy,
}

impl Chain {
    /// The EIP-155 chain id.
    pub fn id(self) -> u64 {
        match self {
            Chain::Polygon => 137,
            Chain::Amoy => 80002,
        }
    }
}

impl TryFrom<u64> for Chain {
    type Error = OrderError;

    fn try_from(chain_id: u64) -> Result<Self, Self::Error> {
        match chain_id {
            137 => Ok(Chain::Polygon),
            80002 => Ok(Chain::Amoy),
            other => Err(OrderError::UnsupportedChain(other)),
        }
    }
}

/// The exchange an order is signed for. The CLOB's `GET /version` says which version it takes
/// now; V2 has a separate contract for neg-risk markets, V3 one contract for all markets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Exchange {
    V2 { neg_risk: bool },
    V3,
}

impl Exchange {
    /// The exchange for CLOB order version `version` and a market that is (or is not) neg-risk.
    /// Version 1 orders are rejected by the CLOB since 2026-04-28, so they are not offered.
    pub fn from_version(version: u64, neg_risk: bool) -> Result<Self, OrderError> {
        match version {
            2 => Ok(Exchange::V2 { neg_risk }),
            3 => Ok(Exchange::V3),
            other => Err(OrderError::UnsupportedExchangeVersion(other.to_string())),
        }
    }

    /// The exchange named by the body of `GET /version`, `{"version": 2}`. Like the client
    /// (`getVersion`: `version ?? 2`), a body without `version` means 2.
    pub fn from_version_response(body: &Value, neg_risk: bool) -> Result<Self, OrderError> {
        match body.get("version") {
            None | Some(Value::Null) => Self::from_version(2, neg_risk),
            Some(Value::Number(n)) => match n.as_u64() {
                Some(version) => Self::from_version(version, neg_risk),
                None => Err(OrderError::UnsupportedExchangeVersion(n.to_string())),
            },
            Some(other) => Err(OrderError::UnsupportedExchangeVersion(other.to_string())),
        }
    }

    /// The EIP-712 domain version: "2" or "3".
    pub fn domain_version(self) -> &'static str {
        match self {
            Exchange::V2 { .. } => "2",
            Exchange::V3 => "3",
        }
    }

    /// The exchange contract on `chain`, the domain's `verifyingContract`.
    pub fn verifying_contract(self, chain: Chain) -> Address {
        match (self, chain) {
            (Exchange::V2 { neg_risk: false }, _) => address!("E111180000d2663C0091e4f400237545B87B996B"),
            (Exchange::V2 { neg_risk: true }, _) => address!("e2222d279d744050d28e00520010520000310F59"),
            (Exchange::V3, Chain::Polygon) => address!("e3333700cA9d93003F00f0F71f8515005F6c00Aa"),
            (Exchange::V3, Chain::Amoy) => address!("9fE6e61422AdB6F610d8597F9684b16912D50C3D"),
        }
    }

    /// The EIP-712 domain orders for this exchange are signed under.
    pub fn domain(self, chain: Chain) -> Eip712Domain {
        Eip712Domain::new(
            Some(Cow::Borrowed(EXCHANGE_DOMAIN_NAME)),
            Some(Cow::Borrowed(self.domain_version())),
            Some(U256::from(chain.id())),
            Some(self.verifying_contract(chain)),
            None,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn version_answers_pick_the_exchange() {
        assert_eq!(
            Exchange::from_version_response(&json!({"version": 2}), true).unwrap(),
            Exchange::V2 { neg_risk: true }
        );
        assert_eq!(Exchange::from_version_response(&json!({"version": 3}), true).unwrap(), Exchange::V3);
        assert_eq!(Exchange::from_version_response(&json!({}), false).unwrap(), Exchange::V2 { neg_risk: false });
        for bad in [json!({"version": 1}), json!({"version": "3"}), json!({"version": -2}), json!({"version": 2.5})] {
            assert!(
                matches!(Exchange::from_version_response(&bad, false), Err(OrderError::UnsupportedExchangeVersion(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn chains_other_than_polygon_and_amoy_are_refused() {
        assert_eq!(Chain::try_from(137).unwrap().id(), 137);
        assert_eq!(Chain::try_from(80002).unwrap().id(), 80002);
        assert_eq!(Chain::try_from(1).unwrap_err(), OrderError::UnsupportedChain(1));
    }
}
