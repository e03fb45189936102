use mirror_core::ports::Clock;

/// Wall-clock time from WASI.
pub struct WasiClock;

impl Clock for WasiClock {
    fn now_ms(&self) -> i64 {
        let now = wasi::clocks::wall_clock::now();
        now.seconds as i64 * 1000 + (now.nanoseconds / 1_000_000) as i64
    }
}
