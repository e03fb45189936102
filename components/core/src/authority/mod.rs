//! The user's trading authority (runbook 000 "Key Lifecycle": `tradingAuthority.getAddress /
//! rotate / revoke`): a Dynamic server wallet, or — for accounts not yet migrated, and for new
//! accounts while `USE_SERVER_WALLETS=false` — a Phase 1 trading key.

mod admin;
mod legacy_key;
mod server_wallet;

pub use admin::handle_admin;
pub use server_wallet::{find_ready, get_or_create, revoke, rotate, ServerWallet};

use crate::api::ApiError;
use crate::ports::{Platform, SqlValue};
use crate::settings;

/// Who signs for a user.
#[derive(Clone, Debug, PartialEq)]
pub enum Authority {
    ServerWallet(ServerWallet),
    /// A `wallets` row of type TRADING_EOA whose key is still held encrypted.
    LegacyKey { wallet_id: String, address: String, encrypted_key: String },
}

impl Authority {
    pub fn address(&self) -> &str {
        match self {
            Authority::ServerWallet(w) => &w.wallet.address,
            Authority::LegacyKey { address, .. } => address,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Authority::ServerWallet(_) => "SERVER_WALLET",
            Authority::LegacyKey { .. } => "LEGACY_TRADING_KEY",
        }
    }
}

/// The user's authority if they have one: a READY server wallet wins over a legacy key.
pub fn find(platform: &impl Platform, user_id: &str) -> Result<Option<Authority>, ApiError> {
    if let Some(wallet) = find_ready(platform.db(), user_id)? {
        return Ok(Some(Authority::ServerWallet(wallet)));
    }
    legacy_key::find(platform.db(), user_id)
}

/// The user's authority, created on first call: a server wallet unless `use_server_wallets` is
/// false, in which case a Phase 1 trading key.
pub async fn get_or_create_authority(platform: &impl Platform, user_id: &str) -> Result<Authority, ApiError> {
    if let Some(authority) = find(platform, user_id)? {
        return Ok(authority);
    }
    if use_server_wallets(platform)? {
        Ok(Authority::ServerWallet(get_or_create(platform, user_id).await?))
    } else {
        legacy_key::create(platform, user_id)
    }
}

fn use_server_wallets(platform: &impl Platform) -> Result<bool, ApiError> {
    match settings::text(platform.config(), settings::USE_SERVER_WALLETS)?.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(crate::ports::ConfigError::Invalid {
            name: settings::USE_SERVER_WALLETS.into(),
            reason: "must be `true` or `false`".into(),
        }
        .into()),
    }
}

fn text(s: &str) -> SqlValue {
    SqlValue::Text(s.to_string())
}
