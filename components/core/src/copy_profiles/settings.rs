//! What a copy profile holds, and the rules every stored profile satisfies, whether it was just
//! created or is the result of a partial update.

use serde::Deserialize;

use super::market::normalize_markets;
use crate::api::{invalid, ApiError, ErrorCode};
use crate::evm::parse_address;
use crate::text_enum::text_enum;

text_enum! {
    /// How a copy order is sized.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum SizingMode {
        /// A fixed dollar amount per copied trade (`fixedAmountUsd`).
        FixedUsd = "FIXED_USD",
        /// The leader's size scaled by `ratioBps` (10000 = 1×, up to 100×).
        LeaderRatio = "LEADER_RATIO",
        /// `ratioBps` of the follower's balance (10000 = 100%).
        BalancePercent = "BALANCE_PERCENT",
    }
}

impl SizingMode {
    /// The `ratioBps` range this mode accepts; `None` when the mode takes a fixed amount.
    fn ratio_range(&self) -> Option<std::ops::RangeInclusive<i64>> {
        match self {
            SizingMode::FixedUsd => None,
            SizingMode::LeaderRatio => Some(1..=1_000_000),
            SizingMode::BalancePercent => Some(1..=10_000),
        }
    }
}

text_enum! {
    /// Whether the copy pipeline follows this profile.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum Status {
        Enabled = "ENABLED",
        Paused = "PAUSED",
    }
}

/// `paused_reason` of a profile the user paused: the only pause the user may lift.
pub const PAUSED_BY_USER: &str = "USER";

/// Largest price deviation guard: 100%.
const MAX_DEVIATION_BPS: i64 = 10_000;

/// A profile's settings, amounts in USDC base units, as the `copy_profiles` row holds them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub leader_address: String,
    /// What the pipeline follows: PAUSED while the user paused it or a hold covers it.
    pub status: Status,
    /// Why it is PAUSED: `USER`, a hold's reason, or none (the runbook's SQL paused it).
    pub paused_reason: Option<String>,
    /// The user's own switch, kept while a hold overrides it.
    pub paused_by_user: bool,
    pub sizing_mode: SizingMode,
    pub fixed_amount: Option<i64>,
    pub ratio_bps: Option<i64>,
    pub min_order_amount: Option<i64>,
    pub max_order_amount: Option<i64>,
    pub max_position_per_market: Option<i64>,
    pub max_daily_volume: Option<i64>,
    pub max_price_deviation_bps: Option<i64>,
    pub market_allowlist: Vec<String>,
    pub market_denylist: Vec<String>,
    pub buy_only: bool,
    pub binary_only: bool,
}

impl Settings {
    /// A new profile's defaults: ENABLED, no guards, any market, buys and sells, binary markets.
    pub fn new(leader_address: String, sizing_mode: SizingMode) -> Settings {
        Settings {
            leader_address,
            status: Status::Enabled,
            paused_reason: None,
            paused_by_user: false,
            sizing_mode,
            fixed_amount: None,
            ratio_bps: None,
            min_order_amount: None,
            max_order_amount: None,
            max_position_per_market: None,
            max_daily_volume: None,
            max_price_deviation_bps: None,
            market_allowlist: Vec::new(),
            market_denylist: Vec::new(),
            buy_only: false,
            binary_only: true,
        }
    }

    /// Whether a pause that is not the user's is in force: an operator's or the platform's
    /// (a hold's reason), or the runbook's SQL (no reason). Only an operator lifts it.
    pub fn held(&self) -> bool {
        self.status == Status::Paused && self.paused_reason.as_deref() != Some(PAUSED_BY_USER)
    }

    /// The user sets their own switch. While a hold stands it keeps the profile PAUSED with the
    /// hold's reason, and resuming is refused (409); the user's choice is kept either way.
    pub fn set_status_by_user(&mut self, status: Status) -> Result<(), ApiError> {
        let held = self.held();
        if held && status == Status::Enabled {
            let by = self.paused_reason.as_deref().unwrap_or("an operator");
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!("profile was paused by the platform ({by}); only an operator can resume it"),
            ));
        }
        if !held {
            self.status = status;
            self.paused_reason = (status == Status::Paused).then(|| PAUSED_BY_USER.to_string());
        }
        self.paused_by_user = status == Status::Paused;
        Ok(())
    }

    /// The settings if every rule holds, with the leader address and condition ids lowercased
    /// (the copy pipeline matches them against the Data API's lowercase values). `own` are the
    /// caller's own addresses, lowercase: following yourself is refused.
    pub fn validated(mut self, own: &[String]) -> Result<Settings, ApiError> {
        let leader = parse_address("leaderAddress", &self.leader_address)?;
        if leader.is_zero() {
            return Err(invalid("leaderAddress", "is the zero address, which no one trades from"));
        }
        self.leader_address = format!("{leader:#x}");
        if own.contains(&self.leader_address) {
            return Err(invalid("leaderAddress", "is one of your own addresses: you cannot copy yourself"));
        }
        match (self.sizing_mode.ratio_range(), self.fixed_amount, self.ratio_bps) {
            (None, None, _) => return Err(invalid("fixedAmountUsd", "is required when sizingMode is FIXED_USD")),
            (None, Some(_), Some(_)) => {
                return Err(invalid("ratioBps", "is only for LEADER_RATIO and BALANCE_PERCENT"))
            }
            (Some(_), Some(_), _) => return Err(invalid("fixedAmountUsd", "is only for sizingMode FIXED_USD")),
            (Some(_), None, None) => {
                return Err(invalid(
                    "ratioBps",
                    &format!("is required when sizingMode is {}", self.sizing_mode.as_str()),
                ))
            }
            (Some(range), None, Some(bps)) if !range.contains(&bps) => {
                let message = format!("must be {} to {} for {}", range.start(), range.end(), self.sizing_mode.as_str());
                return Err(invalid("ratioBps", &message));
            }
            _ => {}
        }
        if let (Some(min), Some(max)) = (self.min_order_amount, self.max_order_amount) {
            if min > max {
                return Err(invalid("minOrderUsd", "must not exceed maxOrderUsd"));
            }
        }
        if let Some(bps) = self.max_price_deviation_bps {
            if !(0..=MAX_DEVIATION_BPS).contains(&bps) {
                return Err(invalid("maxPriceDeviationBps", "must be 0 to 10000"));
            }
        }
        self.market_allowlist = normalize_markets("marketAllowlist", &self.market_allowlist)?;
        self.market_denylist = normalize_markets("marketDenylist", &self.market_denylist)?;
        if let Some(both) = self.market_denylist.iter().find(|m| self.market_allowlist.contains(m)) {
            return Err(invalid("marketDenylist", &format!("`{both}` is also in marketAllowlist")));
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_bodies_spell_modes_and_statuses_as_stored() {
        for mode in SizingMode::ALL {
            assert_eq!(serde_json::from_value::<SizingMode>(mode.as_str().into()).unwrap(), *mode);
        }
        for status in Status::ALL {
            assert_eq!(serde_json::from_value::<Status>(status.as_str().into()).unwrap(), *status);
        }
    }

    // EIP-55's own example of a checksummed address.
    const LEADER: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

    fn fixed(units: i64) -> Settings {
        Settings { fixed_amount: Some(units), ..Settings::new(LEADER.into(), SizingMode::FixedUsd) }
    }

    fn ratio(mode: SizingMode, bps: i64) -> Settings {
        Settings { ratio_bps: Some(bps), ..Settings::new(LEADER.into(), mode) }
    }

    fn rejected(settings: Settings) -> String {
        settings.validated(&[]).unwrap_err().message
    }

    #[test]
    fn leader_address_is_stored_lowercase() {
        let valid = fixed(5_000_000).validated(&[]).unwrap();
        assert_eq!(valid.leader_address, LEADER.to_ascii_lowercase());
    }

    #[test]
    fn each_sizing_mode_takes_only_its_own_parameter_in_range() {
        assert!(ratio(SizingMode::LeaderRatio, 1_000_000).validated(&[]).is_ok());
        assert!(ratio(SizingMode::BalancePercent, 10_000).validated(&[]).is_ok());
        assert!(rejected(ratio(SizingMode::LeaderRatio, 1_000_001)).starts_with("`ratioBps`"));
        assert!(rejected(ratio(SizingMode::BalancePercent, 10_001)).starts_with("`ratioBps`"));
        assert!(rejected(ratio(SizingMode::LeaderRatio, 0)).starts_with("`ratioBps`"));
        assert!(rejected(Settings::new(LEADER.into(), SizingMode::FixedUsd)).starts_with("`fixedAmountUsd`"));
        assert!(rejected(Settings::new(LEADER.into(), SizingMode::LeaderRatio)).starts_with("`ratioBps`"));
        assert!(rejected(Settings { ratio_bps: Some(5), ..fixed(1) }).starts_with("`ratioBps`"));
        assert!(rejected(Settings { fixed_amount: Some(5), ..ratio(SizingMode::LeaderRatio, 5) })
            .starts_with("`fixedAmountUsd`"));
    }

    #[test]
    fn guards_must_be_consistent() {
        assert!(rejected(Settings { min_order_amount: Some(2), max_order_amount: Some(1), ..fixed(1) })
            .starts_with("`minOrderUsd`"));
        assert!(rejected(Settings { max_price_deviation_bps: Some(10_001), ..fixed(1) })
            .starts_with("`maxPriceDeviationBps`"));
        let both = Settings { market_allowlist: vec!["a".into()], market_denylist: vec!["a".into()], ..fixed(1) };
        assert!(rejected(both).starts_with("`marketDenylist`"));
    }

    #[test]
    fn the_zero_address_cannot_be_followed() {
        let zero = Settings { leader_address: format!("0x{}", "0".repeat(40)), ..fixed(1) };
        assert!(rejected(zero).starts_with("`leaderAddress`"));
    }

    #[test]
    fn own_address_cannot_be_followed() {
        let err = fixed(1).validated(&[LEADER.to_ascii_lowercase()]).unwrap_err();
        assert!(err.message.starts_with("`leaderAddress`"));
    }

    #[test]
    fn only_a_users_own_pause_can_be_lifted_by_the_user() {
        let mut by_user = fixed(1);
        by_user.set_status_by_user(Status::Paused).unwrap();
        assert_eq!(by_user.paused_reason.as_deref(), Some(PAUSED_BY_USER));
        by_user.set_status_by_user(Status::Enabled).unwrap();
        assert_eq!((by_user.status, by_user.paused_reason), (Status::Enabled, None));

        let mut by_admin = Settings { status: Status::Paused, paused_reason: Some("ADMIN".into()), ..fixed(1) };
        assert_eq!(by_admin.set_status_by_user(Status::Enabled).unwrap_err().code, ErrorCode::Conflict);
        assert_eq!(by_admin.status, Status::Paused);
    }

    /// An operator's pause, a revocation's, or the runbook's SQL (no reason) stands whatever the
    /// user writes: pausing again records the user's wish and keeps the hold's reason.
    #[test]
    fn a_hold_stands_whatever_the_user_writes() {
        for reason in [Some("INCIDENT"), Some("SERVER_WALLET_REVOKED"), None] {
            let held = Settings { status: Status::Paused, paused_reason: reason.map(String::from), ..fixed(1) };
            let mut paused = held.clone();
            paused.set_status_by_user(Status::Paused).unwrap();
            assert_eq!(
                (paused.status, paused.paused_reason.as_deref(), paused.paused_by_user),
                (Status::Paused, reason, true)
            );
            let mut resumed = paused.clone();
            assert_eq!(resumed.set_status_by_user(Status::Enabled).unwrap_err().code, ErrorCode::Conflict);
            assert_eq!(resumed, paused, "a refused resume changes nothing");
        }
    }
}
