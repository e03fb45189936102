//! The request bodies of the HTTP contract and the value types they are parsed into. Parsing here
//! is the only validation: past this module addresses, amounts and bytes are typed values.

use std::fmt;
use std::str::FromStr;

use alloy_primitives::{Address, Bytes, U256};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::backend::WalletRef;
use crate::transaction::TransactionRequest;

const MAX_ID_LEN: usize = 128;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateWalletRequest {
    pub user_id: Identifier,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SignMessageRequest {
    wallet_id: Identifier,
    address: WireAddress,
    wallet_properties: Map<String, Value>,
    pub message: HexBytes,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SignTypedDataRequest {
    wallet_id: Identifier,
    address: WireAddress,
    wallet_properties: Map<String, Value>,
    pub typed_data: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SignTransactionRequest {
    wallet_id: Identifier,
    address: WireAddress,
    wallet_properties: Map<String, Value>,
    pub transaction: TransactionRequest,
}

fn wallet_ref(wallet_id: Identifier, address: WireAddress, properties: Map<String, Value>) -> WalletRef {
    WalletRef { wallet_id: wallet_id.0, address: address.0, properties }
}

impl SignMessageRequest {
    pub fn into_parts(self) -> (WalletRef, Bytes) {
        (wallet_ref(self.wallet_id, self.address, self.wallet_properties), self.message.0)
    }
}

impl SignTypedDataRequest {
    pub fn into_parts(self) -> (WalletRef, Value) {
        (wallet_ref(self.wallet_id, self.address, self.wallet_properties), self.typed_data)
    }
}

impl SignTransactionRequest {
    pub fn into_parts(self) -> (WalletRef, TransactionRequest) {
        (wallet_ref(self.wallet_id, self.address, self.wallet_properties), self.transaction)
    }
}

/// Turns serde's message into one that says what was expected without repeating the input.
pub fn describe_serde_error(message: &str) -> String {
    for (prefix, label) in
        [("invalid type:", "wrong type"), ("invalid value:", "invalid value"), ("invalid length", "invalid length")]
    {
        if message.starts_with(prefix) {
            return match message.find(", expected ") {
                Some(at) => format!("{label}{}", &message[at..]),
                None => label.to_string(),
            };
        }
    }
    message.to_string()
}

/// A user or wallet id: 1 to 128 characters of letters, digits and `-_.:@`.
pub struct Identifier(pub String);

impl<'de> Deserialize<'de> for Identifier {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.:@".contains(c);
        if raw.is_empty() || raw.len() > MAX_ID_LEN || !raw.chars().all(allowed) {
            return Err(de::Error::custom(format!(
                "expected 1 to {MAX_ID_LEN} characters of letters, digits and -_.:@"
            )));
        }
        Ok(Identifier(raw))
    }
}

/// A `0x`-prefixed 20-byte address; mixed case must carry a valid EIP-55 checksum.
pub struct WireAddress(pub Address);

impl<'de> Deserialize<'de> for WireAddress {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        parse_address(&raw).map(WireAddress).map_err(de::Error::custom)
    }
}

fn parse_address(raw: &str) -> Result<Address, &'static str> {
    let digits = raw.strip_prefix("0x").ok_or("expected a 0x-prefixed 20-byte hex address")?;
    if digits.len() != 40 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("expected a 0x-prefixed 20-byte hex address");
    }
    let mixed_case = digits.bytes().any(|b| b.is_ascii_uppercase()) && digits.bytes().any(|b| b.is_ascii_lowercase());
    if mixed_case {
        Address::parse_checksummed(raw, None).map_err(|_| "address checksum is invalid")
    } else {
        Address::from_str(raw).map_err(|_| "expected a 0x-prefixed 20-byte hex address")
    }
}

/// `0x`-prefixed hex bytes (`"0x"` is empty).
#[derive(Default)]
pub struct HexBytes(pub Bytes);

impl<'de> Deserialize<'de> for HexBytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        let digits = raw.strip_prefix("0x").ok_or_else(|| de::Error::custom("expected 0x-prefixed hex bytes"))?;
        hex::decode(digits)
            .map(|bytes| HexBytes(bytes.into()))
            .map_err(|_| de::Error::custom("expected 0x-prefixed hex bytes (an even number of hex digits)"))
    }
}

/// A non-negative integer as a JSON number or a decimal or `0x`-hex string, as ethers and viem
/// accept, that fits `T`.
#[derive(Debug)]
pub struct Quantity<T>(pub T);

impl<'de, T: TryFrom<U256>> Deserialize<'de> for Quantity<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = deserializer.deserialize_any(QuantityVisitor)?;
        let bits = 8 * std::mem::size_of::<T>();
        T::try_from(value).map(Quantity).map_err(|_| de::Error::custom(format!("does not fit in {bits} bits")))
    }
}

struct QuantityVisitor;

impl Visitor<'_> for QuantityVisitor {
    type Value = U256;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a non-negative integer (a JSON number below 2^64, or a decimal or 0x-hex string)")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<U256, E> {
        Ok(U256::from(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<U256, E> {
        parse_quantity(v).ok_or_else(|| E::custom(ExpectingQuantity))
    }
}

struct ExpectingQuantity;

impl fmt::Display for ExpectingQuantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        QuantityVisitor.expecting(f)
    }
}

fn parse_quantity(raw: &str) -> Option<U256> {
    let (digits, radix) = match raw.strip_prefix("0x") {
        Some(hex) => (hex, 16),
        None => (raw, 10),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    U256::from_str_radix(digits, radix as u64).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quantity<T: TryFrom<U256>>(json: &str) -> Result<T, String> {
        serde_json::from_str::<Quantity<T>>(json).map(|q| q.0).map_err(|e| e.to_string())
    }

    #[test]
    fn quantities_accept_numbers_decimal_and_hex_strings() {
        assert_eq!(quantity::<u64>("137").unwrap(), 137);
        assert_eq!(quantity::<u64>("\"137\"").unwrap(), 137);
        assert_eq!(quantity::<u64>("\"0x89\"").unwrap(), 137);
        assert_eq!(
            quantity::<U256>("\"115792089237316195423570985008687907853269984665640564039457584007913129639935\"")
                .unwrap(),
            U256::MAX
        );
    }

    #[test]
    fn quantities_refuse_what_ethers_would_not_send() {
        for bad in ["-1", "1.5", "\"\"", "\"0x\"", "\"1e3\"", "\"-5\"", "\"0xzz\"", "true", "null", "1e30"] {
            assert!(quantity::<u64>(bad).is_err(), "{bad} accepted");
        }
        assert!(quantity::<u64>("\"18446744073709551616\"").unwrap_err().contains("64 bits"));
    }

    #[test]
    fn addresses_must_be_hex_and_checksums_must_hold() {
        let parse = |s: &str| parse_address(s);
        let lower = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
        assert!(parse(lower).is_ok());
        assert!(parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").is_ok());
        assert_eq!(parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"), Err("address checksum is invalid"));
        assert!(parse("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed").is_err());
        assert!(parse("0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea").is_err());
    }

    #[test]
    fn serde_messages_keep_the_expectation_and_drop_the_input() {
        let err = serde_json::from_str::<Quantity<u64>>("\"sekrit-value\"").unwrap_err().to_string();
        assert!(!err.contains("sekrit"));
        let described = describe_serde_error("invalid type: string \"sekrit\", expected a boolean");
        assert_eq!(described, "wrong type, expected a boolean");
    }
}
