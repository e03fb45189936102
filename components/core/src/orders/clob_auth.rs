//! L1 authentication: the EIP-712 `ClobAuth` message a wallet signs to create or derive its CLOB
//! API key (`POST /auth/api-key`, `GET /auth/derive-api-key`), and the headers that carry it.

use std::borrow::Cow;

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::{sol, Eip712Domain, SolStruct};
use serde_json::{json, Value};

/// The fixed text every `ClobAuth` message attests.
pub const CLOB_AUTH_MESSAGE: &str = "This message attests that I control the given wallet";

sol! {
    /// clob-client-v2 `buildClobEip712Signature`; `timestamp` is a string of Unix seconds.
    struct ClobAuth {
        address address;
        string timestamp;
        uint256 nonce;
        string message;
    }
}

fn domain(chain_id: u64) -> Eip712Domain {
    Eip712Domain::new(
        Some(Cow::Borrowed("ClobAuthDomain")),
        Some(Cow::Borrowed("1")),
        Some(U256::from(chain_id)),
        None,
        None,
    )
}

/// The digest a wallet's `ClobAuth` signature is over.
pub fn clob_auth_hash(address: Address, timestamp_secs: u64, nonce: u64, chain_id: u64) -> B256 {
    let auth = ClobAuth {
        address,
        timestamp: timestamp_secs.to_string(),
        nonce: U256::from(nonce),
        message: CLOB_AUTH_MESSAGE.to_string(),
    };
    auth.eip712_signing_hash(&domain(chain_id))
}

/// `eth_signTypedData_v4` JSON whose signing hash is [`clob_auth_hash`].
pub fn clob_auth_typed_data(address: Address, timestamp_secs: u64, nonce: u64, chain_id: u64) -> Value {
    json!({
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
            ],
            "ClobAuth": [
                {"name": "address", "type": "address"},
                {"name": "timestamp", "type": "string"},
                {"name": "nonce", "type": "uint256"},
                {"name": "message", "type": "string"},
            ],
        },
        "primaryType": "ClobAuth",
        "domain": {"name": "ClobAuthDomain", "version": "1", "chainId": chain_id},
        "message": {
            "address": address.to_checksum(None),
            "timestamp": timestamp_secs.to_string(),
            "nonce": nonce.to_string(),
            "message": CLOB_AUTH_MESSAGE,
        },
    })
}

/// The L1 headers of a create/derive API key call, as clob-client-v2's `createL1Headers` sends them.
pub fn l1_headers(address: Address, signature: &Bytes, timestamp_secs: u64, nonce: u64) -> Vec<(String, String)> {
    vec![
        ("POLY_ADDRESS".into(), address.to_checksum(None)),
        ("POLY_SIGNATURE".into(), signature.to_string()),
        ("POLY_TIMESTAMP".into(), timestamp_secs.to_string()),
        ("POLY_NONCE".into(), nonce.to_string()),
    ]
}
