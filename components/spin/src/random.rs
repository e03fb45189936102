use mirror_core::ports::Random;

/// WASI's cryptographically secure random source.
pub struct WasiRandom;

impl Random for WasiRandom {
    fn bytes(&self, len: usize) -> Vec<u8> {
        wasi::random::random::get_random_bytes(len as u64)
    }
}
