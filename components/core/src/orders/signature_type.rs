//! How the exchange checks an order's signature.

/// The signed `uint8 signatureType`. The exchange's rule for each (ctf-exchange V2
/// `Signatures.isValidSignature`) decides what `maker` and `signer` must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum SignatureType {
    /// ECDSA by an EOA that trades for itself: `signer == maker`.
    Eoa = 0,
    /// ECDSA by the EOA that owns a Polymarket proxy wallet; `maker` is that proxy.
    PolyProxy = 1,
    /// ECDSA by an EOA; `maker` must be the Safe the Polymarket Safe factory derives from
    /// `signer` ([`super::polymarket_safe_address`]). A Safe whose owner changed no longer matches.
    PolyGnosisSafe = 2,
    /// ERC-1271: `signer` must equal `maker`, `maker` must be a contract, and the exchange
    /// accepts the order when `maker.isValidSignature(orderHash, signature)` does (ctf-exchange
    /// V2 `verifyPoly1271Signature`; clob-client-v2 also sets `signer = maker` for this type).
    Poly1271 = 3,
}

impl SignatureType {
    /// The value signed and sent as `signatureType`.
    pub fn as_u8(self) -> u8 {
        self as u8
    }
}
