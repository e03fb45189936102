//! Phase 1 trading keys in `wallets` (type TRADING_EOA, `enc_priv_key`).

use super::{text, Authority};
use crate::api::ApiError;
use crate::ports::{Db, Platform};
use crate::settings;
use crate::signing::local_key::LocalKey;

pub fn find(db: &impl Db, user_id: &str) -> Result<Option<Authority>, ApiError> {
    let rows = db
        .query(
            "SELECT id, address, enc_priv_key FROM wallets
             WHERE user_id = $1 AND type = 'TRADING_EOA' AND enc_priv_key IS NOT NULL",
            &[text(user_id)],
        )
        .map_err(ApiError::from)?;
    let Some(row) = rows.first() else { return Ok(None) };
    Ok(Some(Authority::LegacyKey {
        wallet_id: row.text("id")?,
        address: row.text("address")?,
        encrypted_key: row.text("enc_priv_key")?,
    }))
}

/// A new random trading key, stored encrypted; racing calls keep the first (unique user, type).
pub fn create(platform: &impl Platform, user_id: &str) -> Result<Authority, ApiError> {
    let encryption_key = settings::text(platform.config(), settings::TRADING_KEY_ENCRYPTION_KEY)?;
    let secret: [u8; 32] = platform.random().bytes(32).try_into().expect("32 random bytes");
    let nonce: [u8; 12] = platform.random().bytes(12).try_into().expect("12 random bytes");
    let key = LocalKey::from_secret(&secret)?;
    let encrypted = LocalKey::encrypt(&secret, &encryption_key, nonce)?;
    platform
        .db()
        .execute(
            "WITH w AS (
               INSERT INTO wallets (user_id, type, address, enc_priv_key) VALUES ($1, 'TRADING_EOA', $2, $3)
               ON CONFLICT (user_id, type) DO NOTHING RETURNING id, user_id, address
             )
             INSERT INTO audit_logs (user_id, action, details)
             SELECT user_id, 'TRADING_KEY_CREATED', jsonb_build_object('walletId', id, 'address', address) FROM w",
            &[text(user_id), text(&key.address().to_checksum(None)), text(&encrypted)],
        )
        .map_err(ApiError::from)?;
    find(platform.db(), user_id)?.ok_or_else(|| {
        ApiError::new(crate::api::ErrorCode::Conflict, "this account's Phase 1 trading key has been destroyed")
    })
}
