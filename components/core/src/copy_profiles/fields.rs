//! The JSON body of `POST /copy-profiles` and `PATCH /copy-profiles/{id}`: the same fields,
//! all optional for a patch. A guard or sizing parameter set to `null` is cleared; the other
//! fields cannot be null.

use serde::{Deserialize, Deserializer};

use super::settings::{Settings, SizingMode, Status};
use crate::api::{invalid, ApiError};
use crate::money::UsdText;

/// The fields a request sets; absent ones keep their value (or default, on create).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProfileFields {
    #[serde(default, deserialize_with = "present")]
    pub leader_address: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub sizing_mode: Option<SizingMode>,
    #[serde(default, deserialize_with = "present")]
    pub fixed_amount_usd: Option<Option<UsdText>>,
    #[serde(default, deserialize_with = "present")]
    pub ratio_bps: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    pub min_order_usd: Option<Option<UsdText>>,
    #[serde(default, deserialize_with = "present")]
    pub max_order_usd: Option<Option<UsdText>>,
    #[serde(default, deserialize_with = "present")]
    pub max_position_per_market_usd: Option<Option<UsdText>>,
    #[serde(default, deserialize_with = "present")]
    pub max_daily_volume_usd: Option<Option<UsdText>>,
    #[serde(default, deserialize_with = "present")]
    pub max_price_deviation_bps: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    pub market_allowlist: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    pub market_denylist: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    pub buy_only: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    pub binary_only: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    pub status: Option<Status>,
}

/// A field that is in the body, whatever its value: `null` reaches `T` (and is an error unless
/// `T` is itself an `Option`), so "absent" and "null" stay distinct.
fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

impl ProfileFields {
    /// A new profile's settings (not yet validated): `leaderAddress` and `sizingMode` are
    /// required.
    pub fn into_new(self) -> Result<Settings, ApiError> {
        let leader = self.leader_address.clone().ok_or_else(|| invalid("leaderAddress", "is required"))?;
        let mode = self.sizing_mode.ok_or_else(|| invalid("sizingMode", "is required"))?;
        self.apply_to(Settings::new(leader, mode))
    }

    /// `current` with these fields changed (not yet validated). Switching the sizing mode
    /// drops the old mode's parameter, so the new one must come with its own.
    pub fn apply_to(self, mut settings: Settings) -> Result<Settings, ApiError> {
        let units = |field: &str, value: Option<UsdText>| value.map(|v| v.to_units(field)).transpose();
        if let Some(leader) = self.leader_address {
            settings.leader_address = leader;
        }
        if let Some(mode) = self.sizing_mode {
            if mode != settings.sizing_mode {
                settings.fixed_amount = None;
                settings.ratio_bps = None;
            }
            settings.sizing_mode = mode;
        }
        if let Some(amount) = self.fixed_amount_usd {
            settings.fixed_amount = units("fixedAmountUsd", amount)?;
        }
        if let Some(bps) = self.ratio_bps {
            settings.ratio_bps = bps;
        }
        if let Some(amount) = self.min_order_usd {
            settings.min_order_amount = units("minOrderUsd", amount)?;
        }
        if let Some(amount) = self.max_order_usd {
            settings.max_order_amount = units("maxOrderUsd", amount)?;
        }
        if let Some(amount) = self.max_position_per_market_usd {
            settings.max_position_per_market = units("maxPositionPerMarketUsd", amount)?;
        }
        if let Some(amount) = self.max_daily_volume_usd {
            settings.max_daily_volume = units("maxDailyVolumeUsd", amount)?;
        }
        if let Some(bps) = self.max_price_deviation_bps {
            settings.max_price_deviation_bps = bps;
        }
        if let Some(markets) = self.market_allowlist {
            settings.market_allowlist = markets;
        }
        if let Some(markets) = self.market_denylist {
            settings.market_denylist = markets;
        }
        if let Some(buy_only) = self.buy_only {
            settings.buy_only = buy_only;
        }
        if let Some(binary_only) = self.binary_only {
            settings.binary_only = binary_only;
        }
        if let Some(status) = self.status {
            settings.set_status_by_user(status)?;
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::parse_json;

    const LEADER: &str = "0x00000000000000000000000000000000000000aa";

    fn fields(json: &str) -> Result<ProfileFields, String> {
        parse_json(json.as_bytes()).map_err(|e| e.message)
    }

    #[test]
    fn a_new_profile_converts_amounts_to_base_units() {
        let body = format!(
            r#"{{"leaderAddress":"{LEADER}","sizingMode":"FIXED_USD","fixedAmountUsd":"12.5","maxOrderUsd":100}}"#
        );
        let settings = fields(&body).unwrap().into_new().unwrap();
        assert_eq!((settings.fixed_amount, settings.max_order_amount), (Some(12_500_000), Some(100_000_000)));
        assert!(settings.binary_only && !settings.buy_only);
    }

    #[test]
    fn null_clears_a_guard_but_is_refused_where_a_value_is_required() {
        let current = Settings { max_order_amount: Some(1), ..Settings::new(LEADER.into(), SizingMode::LeaderRatio) };
        let cleared = fields(r#"{"maxOrderUsd":null}"#).unwrap().apply_to(current).unwrap();
        assert_eq!(cleared.max_order_amount, None);
        assert!(fields(r#"{"buyOnly":null}"#).unwrap_err().starts_with("`buyOnly`"));
        assert!(fields(r#"{"leaderAddress":null}"#).unwrap_err().starts_with("`leaderAddress`"));
    }

    #[test]
    fn switching_sizing_mode_drops_the_old_parameter() {
        let current = Settings { fixed_amount: Some(5), ..Settings::new(LEADER.into(), SizingMode::FixedUsd) };
        let switched = fields(r#"{"sizingMode":"LEADER_RATIO","ratioBps":5000}"#).unwrap().apply_to(current).unwrap();
        assert_eq!((switched.fixed_amount, switched.ratio_bps), (None, Some(5000)));
    }

    #[test]
    fn bad_fields_are_named() {
        assert!(fields(r#"{"ratioBps":"many"}"#).unwrap_err().starts_with("`ratioBps`"));
        assert!(fields(r#"{"sizingMode":"ALL_IN"}"#).unwrap_err().starts_with("`sizingMode`"));
        assert!(fields(r#"{"fixedAmountUsd":true}"#).unwrap_err().starts_with("`fixedAmountUsd`"));
        assert!(fields(r#"{"colour":"red"}"#).unwrap_err().contains("unknown field `colour`"));
        let missing = fields(r#"{"sizingMode":"FIXED_USD"}"#).unwrap().into_new().unwrap_err();
        assert!(missing.message.starts_with("`leaderAddress`"));
    }
}
