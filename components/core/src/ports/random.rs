/// Cryptographically secure random bytes (operation ids, nonces, keys).
pub trait Random {
    fn bytes(&self, len: usize) -> Vec<u8>;

    /// 16 random bytes as 32 hex characters: an id no other instance will produce.
    fn id(&self) -> String {
        self.bytes(16).iter().map(|b| format!("{b:02x}")).collect()
    }
}
