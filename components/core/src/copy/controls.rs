//! Whether copy trading may sign and post right now: execution mode and emergency stop, the
//! signing path's availability (Dynamic down or the signing breaker open pauses copy trading,
//! which resumes by itself when they recover) and the Polymarket breaker. One Redis round trip.

use serde::Serialize;

use super::exec_mode::{ExecMode, Mode};
use crate::api::ApiError;
use crate::health::SystemHealth;
use crate::ports::{Platform, Redis as _};
use crate::redis_keys::{EXEC_MODE, POLYMARKET_BREAKER, SIGNING_BREAKER, SYSTEM_HEALTH};
use crate::settings;

const SCRIPT: &str = include_str!("controls.lua");

/// What this invocation may do with claimed attempts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// Sign and post.
    Live,
    /// Record attempts and would-be orders; sign and post nothing.
    Dry,
    /// Emergency stop: no signing, no posting, attempts stay queued.
    EmergencyStop,
    /// Signing is unavailable (Dynamic down, or the signing breaker open): paused, queued.
    SigningUnavailable,
}

/// The controls read at the start of an invocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Controls {
    pub verdict: Verdict,
    /// The Polymarket breaker is open: nothing is posted until it recovers.
    pub polymarket_open: bool,
}

impl Controls {
    pub fn read(platform: &impl Platform) -> Result<Controls, ApiError> {
        let config = platform.config();
        let signing_open_ms = settings::number::<i64>(config, settings::SIGNING_BREAKER_OPEN_MS)?;
        let polymarket_open_ms = settings::number::<i64>(config, settings::POLYMARKET_BREAKER_OPEN_MS)?;
        let args = vec![
            SCRIPT.into(),
            4i64.into(),
            EXEC_MODE.into(),
            SIGNING_BREAKER.into(),
            SYSTEM_HEALTH.into(),
            POLYMARKET_BREAKER.into(),
        ];
        let reply = platform.redis().execute("EVAL", &args)?;
        let text = |i: usize| reply.get(i).and_then(|v| v.text());
        let now = platform.clock().now_ms();
        let mode = ExecMode::resolve(text(0).as_deref(), config)?;
        let open = |state: Option<String>, opened_at: Option<String>, open_ms: i64| {
            state.as_deref() == Some("OPEN")
                && now - opened_at.and_then(|t| t.parse::<i64>().ok()).unwrap_or(now) < open_ms
        };
        let dynamic_down = text(3)
            .and_then(|doc| serde_json::from_str::<SystemHealth>(&doc).ok())
            .is_some_and(|h| h.services.dynamic.status == crate::health::ServiceStatus::Down);
        let verdict = if mode.emergency_stop {
            Verdict::EmergencyStop
        } else if mode.mode == Mode::Dry {
            Verdict::Dry
        } else if dynamic_down || open(text(1), text(2), signing_open_ms) {
            Verdict::SigningUnavailable
        } else {
            Verdict::Live
        };
        Ok(Controls { verdict, polymarket_open: open(text(4), text(5), polymarket_open_ms) })
    }
}
