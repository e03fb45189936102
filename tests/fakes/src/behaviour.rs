use std::time::Duration;

/// How a fake answers its next requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// As the real service does when healthy.
    Healthy,
    /// This HTTP status with an error body.
    Status(u16),
    /// 429 with `Retry-After` in seconds, as Dynamic and the CDN in front of Polymarket do.
    RateLimited { retry_after_secs: u64 },
    /// Accept the request and answer only after this long.
    Delay(Duration),
    /// 200 with a body the real service would never send.
    Garbage,
    /// 200 with a JSON-RPC error of this code and message for each call, echoing its `id`, as a
    /// node refusing the call answers (geth: `-32000`, `"nonce too low"`). From a service that
    /// does not speak JSON-RPC, the same error with a null `id`.
    RpcError { code: i64, message: &'static str },
}
