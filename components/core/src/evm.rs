//! Ethereum values at the boundary: parsing addresses and signatures from request text, and
//! EIP-191 recovery.

use alloy_primitives::{Address, Signature};

use crate::api::{invalid, ApiError};

/// A 20-byte address from `0x`-prefixed hex (any case; a mixed-case address must carry a valid
/// EIP-55 checksum).
pub fn parse_address(field: &str, text: &str) -> Result<Address, ApiError> {
    let valid_shape = text.len() == 42 && text.starts_with("0x") && text[2..].chars().all(|c| c.is_ascii_hexdigit());
    if !valid_shape {
        return Err(invalid(field, "must be a 0x-prefixed 20-byte hex address"));
    }
    let mixed_case =
        text[2..].chars().any(|c| c.is_ascii_uppercase()) && text[2..].chars().any(|c| c.is_ascii_lowercase());
    if mixed_case {
        Address::parse_checksummed(text, None).map_err(|_| invalid(field, "EIP-55 checksum does not match"))
    } else {
        text.parse().map_err(|_| invalid(field, "must be a 0x-prefixed 20-byte hex address"))
    }
}

/// A 65-byte `r || s || v` signature from `0x`-prefixed hex.
pub fn parse_signature(field: &str, text: &str) -> Result<Signature, ApiError> {
    let bytes = text
        .strip_prefix("0x")
        .filter(|h| h.len() == 130)
        .and_then(|h| alloy_primitives::hex::decode(h).ok())
        .ok_or_else(|| invalid(field, "must be a 0x-prefixed 65-byte hex signature"))?;
    Signature::try_from(bytes.as_slice()).map_err(|_| invalid(field, "not a valid signature"))
}

/// The address whose key made `signature` over the EIP-191 personal message `message`.
pub fn recover_personal_signer(message: &[u8], signature: &Signature) -> Option<Address> {
    signature.recover_address_from_msg(message).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_for_shape_and_checksum() {
        let lower = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
        let checksummed = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
        assert_eq!(parse_address("a", lower).unwrap(), parse_address("a", checksummed).unwrap());
        assert!(parse_address("a", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")
            .unwrap_err()
            .message
            .contains("checksum"));
        for bad in [
            "",
            "0x",
            "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
            "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae",
            "0xzzaeb6053f3e94c9b9a09f33669435e7ef1beaed",
        ] {
            assert!(parse_address("wallet", bad).unwrap_err().message.starts_with("`wallet`"), "{bad}");
        }
    }

    #[test]
    fn signatures_must_be_65_bytes_of_hex() {
        assert!(parse_signature("signature", "0x1234").is_err());
        assert!(parse_signature("signature", &format!("0x{}", "zz".repeat(65))).is_err());
    }
}
