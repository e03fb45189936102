/// Wall-clock time, so rules about ages and windows can be tested without sleeping.
pub trait Clock {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
}
