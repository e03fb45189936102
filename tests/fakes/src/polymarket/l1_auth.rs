//! L1 authentication: the EIP-712 `ClobAuth` signature behind `POST /auth/api-key` and
//! `GET /auth/derive-api-key`, with headers POLY_ADDRESS, POLY_SIGNATURE, POLY_TIMESTAMP
//! (seconds) and POLY_NONCE.

use std::time::{SystemTime, UNIX_EPOCH};

use alloy_primitives::{keccak256, Address, B256, U256};
use alloy_sol_types::{eip712_domain, SolValue};
use axum::http::HeaderMap;

use super::signature::recover;
use crate::json_rpc::JsonRpc;

/// The text every L1 signature attests.
pub const CLOB_AUTH_MESSAGE: &str = "This message attests that I control the given wallet";

/// How far POLY_TIMESTAMP may be from the fake's clock.
const CLOCK_SKEW_SECS: u64 = 300;

/// The EIP-712 hash signed for L1: `ClobAuth(address address,string timestamp,uint256 nonce,
/// string message)` under `{name: "ClobAuthDomain", version: "1", chainId}`. Built by hand
/// because `address` cannot name a field in `sol!`.
pub fn clob_auth_hash(chain_id: u64, address: Address, timestamp: &str, nonce: U256) -> B256 {
    let type_hash = keccak256("ClobAuth(address address,string timestamp,uint256 nonce,string message)");
    let struct_hash =
        keccak256((type_hash, address, keccak256(timestamp), nonce, keccak256(CLOB_AUTH_MESSAGE)).abi_encode());
    let domain = eip712_domain! { name: "ClobAuthDomain", version: "1", chain_id: chain_id, };
    let mut digest = Vec::with_capacity(66);
    digest.extend_from_slice(&[0x19, 0x01]);
    digest.extend_from_slice(domain.hash_struct().as_slice());
    digest.extend_from_slice(struct_hash.as_slice());
    keccak256(digest)
}

/// The (address, nonce) an L1 request proves control of, or `None` ("Invalid L1 Request
/// headers"). A contract address is accepted when its ERC-1271 check passes — an assumption:
/// Polymarket does not document how a smart-contract wallet gets its own API key.
pub(crate) async fn authenticate(headers: &HeaderMap, chain_id: u64, rpc: Option<&JsonRpc>) -> Option<(Address, U256)> {
    let text = |name: &str| headers.get(name)?.to_str().ok();
    let address: Address = text("POLY_ADDRESS")?.parse().ok()?;
    let timestamp = text("POLY_TIMESTAMP")?;
    let nonce: U256 = text("POLY_NONCE")?.parse().ok()?;
    let signature: alloy_primitives::Bytes = text("POLY_SIGNATURE")?.parse().ok()?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    if timestamp.parse::<u64>().ok()?.abs_diff(now) > CLOCK_SKEW_SECS {
        return None;
    }
    let hash = clob_auth_hash(chain_id, address, timestamp, nonce);
    if recover(hash, &signature) == Some(address) {
        return Some((address, nonce));
    }
    match rpc {
        Some(rpc) if rpc.is_valid_signature(address, hash, &signature).await => Some((address, nonce)),
        _ => None,
    }
}
