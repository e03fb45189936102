//! The user's trading authority (runbook 000 "Key Lifecycle": `tradingAuthority.getAddress /
//! rotate / revoke`): a Dynamic server wallet, or — for accounts not yet migrated, and for new
//! accounts while `USE_SERVER_WALLETS=false` — a Phase 1 trading key.

mod admin;
mod legacy_key;
mod server_wallet;

pub use admin::handle_admin;
pub use server_wallet::{find_ready, find_revoked, get_or_create, revoke, rotate, ServerWallet};

use crate::api::ApiError;
use crate::ports::{Platform, SqlValue};
use crate::settings;

/// Who signs for a user.
#[derive(Clone, Debug, PartialEq)]
pub enum Authority {
    ServerWallet(ServerWallet),
    /// A `wallets` row of type TRADING_EOA whose key is still held encrypted.
    LegacyKey {
        wallet_id: String,
        address: String,
        encrypted_key: String,
    },
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

/// Where a user's trading authority stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Standing {
    Active(Authority),
    /// Their server wallet was revoked and not yet rotated: nothing signs for them.
    Revoked(ServerWallet),
}

/// The user's authority if they have one: a READY server wallet wins over a legacy key. A user
/// whose server wallet was revoked has none (not their Phase 1 key either) until an operator
/// rotates it.
pub fn find(platform: &impl Platform, user_id: &str) -> Result<Option<Authority>, ApiError> {
    Ok(match find_standing(platform, user_id)? {
        Some(Standing::Active(authority)) => Some(authority),
        Some(Standing::Revoked(_)) | None => None,
    })
}

fn find_standing(platform: &impl Platform, user_id: &str) -> Result<Option<Standing>, ApiError> {
    if let Some(wallet) = find_ready(platform.db(), user_id)? {
        return Ok(Some(Standing::Active(Authority::ServerWallet(wallet))));
    }
    if let Some(wallet) = find_revoked(platform.db(), user_id)? {
        return Ok(Some(Standing::Revoked(wallet)));
    }
    Ok(legacy_key::find(platform.db(), user_id)?.map(Standing::Active))
}

/// The user's standing, their authority created on first call: a server wallet unless
/// `use_server_wallets` is false, in which case a Phase 1 trading key. A revoked wallet is not
/// replaced here.
pub async fn standing(platform: &impl Platform, user_id: &str) -> Result<Standing, ApiError> {
    if let Some(standing) = find_standing(platform, user_id)? {
        return Ok(standing);
    }
    let authority = if use_server_wallets(platform)? {
        Authority::ServerWallet(get_or_create(platform, user_id).await?)
    } else {
        legacy_key::create(platform, user_id)?
    };
    Ok(Standing::Active(authority))
}

/// The user's authority, created on first call; CONFLICT for a user whose wallet was revoked.
pub async fn get_or_create_authority(platform: &impl Platform, user_id: &str) -> Result<Authority, ApiError> {
    match standing(platform, user_id).await? {
        Standing::Active(authority) => Ok(authority),
        Standing::Revoked(_) => Err(server_wallet::revoked_error()),
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
