//! The copy-trading worker's tick (every 5 s, and `POST /internal/workers/copy-trading`):
//! poll the followed leaders, record and fan out their new fills, run an execution pass, then
//! record the heartbeat. Overlapping ticks are safe: fills are recorded once by their key and
//! attempts are claimed with SKIP LOCKED leases.

use serde::Serialize;

use super::execute::{run_pass, PassReport};
use super::poll::{poll_leaders, Polled};
use crate::api::ApiError;
use crate::ports::Platform;
use crate::workers::{record_heartbeat, Worker};

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TickReport {
    pub polled: Polled,
    pub executed: PassReport,
}

pub async fn run_copy_trading(platform: &impl Platform) -> Result<TickReport, ApiError> {
    let polled = poll_leaders(platform).await?;
    let executed = run_pass(platform, None).await?;
    record_heartbeat(platform.redis(), Worker::CopyTrading, platform.clock().now_ms())?;
    Ok(TickReport { polled, executed })
}
