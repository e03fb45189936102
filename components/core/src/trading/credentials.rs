//! CLOB API credentials: derived once per signer through L1 auth (a ClobAuth signature by the
//! user's authority, through the signing pipeline), kept sealed in `clob_credentials` (secret
//! and passphrase encrypted, bound to the signer's address), cached for the invocation.

use alloy_primitives::Address;

use super::{Account, Session, TradingError};
use crate::api::ApiError;
use crate::orders::{clob_auth_hash, clob_auth_typed_data, l1_headers, safe_message_typed_data, ApiCredentials};
use crate::ports::{Db, Platform, SqlValue};
use crate::sealed;
use crate::settings;
use crate::signing::signer_client::SignPayload;
use crate::trading_authority::Authority;

/// The nonce Mirror derives keys with: one key per signer.
const KEY_NONCE: u64 = 0;

const FIND_SQL: &str = "SELECT api_key, enc_secret, enc_passphrase FROM clob_credentials WHERE signer_address = $1";

const STORE_SQL: &str = "\
INSERT INTO clob_credentials (user_id, signer_address, api_key, enc_secret, enc_passphrase)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (signer_address) DO NOTHING";

impl<P: Platform> Session<'_, P> {
    /// The account's stored credentials, if any. One Postgres round trip (cached after).
    pub fn stored_credentials(&mut self, account: &Account) -> Result<Option<ApiCredentials>, ApiError> {
        let address = account.key_owner;
        if let Some(found) = self.credentials.get(&address) {
            return Ok(Some(found.clone()));
        }
        let identity = identity(&address);
        let rows = self.platform.db().query(FIND_SQL, &[SqlValue::Text(identity.clone())])?;
        let Some(row) = rows.first() else { return Ok(None) };
        let key = settings::text(self.platform.config(), settings::TRADING_KEY_ENCRYPTION_KEY)?;
        let open = |column: &str| -> Result<String, ApiError> {
            match row.get(column)? {
                SqlValue::Bytes(sealed_value) => {
                    let plain = sealed::open(&key, &identity, sealed_value)?;
                    String::from_utf8(plain).map_err(|_| {
                        ApiError::new(crate::api::ErrorCode::InternalError, "stored CLOB secret is unreadable")
                    })
                }
                _ => Err(ApiError::new(crate::api::ErrorCode::InternalError, "stored CLOB secret is unreadable")),
            }
        };
        let api_key = row.text("api_key")?;
        let found = ApiCredentials { api_key, secret: open("enc_secret")?, passphrase: open("enc_passphrase")? };
        self.credentials.insert(address, found.clone());
        Ok(Some(found))
    }

    /// The account's credentials, derived on first use unless `read_only` (DRY mode signs
    /// nothing, so it cannot derive them).
    pub async fn credentials(
        &mut self,
        user_id: &str,
        authority: &Authority,
        account: &Account,
        read_only: bool,
    ) -> Result<Option<ApiCredentials>, TradingError> {
        if let Some(found) = self.stored_credentials(account)? {
            return Ok(Some(found));
        }
        if read_only {
            return Ok(None);
        }
        self.guard()?;
        let address = account.key_owner;
        let timestamp = self.now_secs();
        let chain_id = self.chain.id();
        let payload = if account.key_signed_through_contract() {
            let digest = clob_auth_hash(address, timestamp, KEY_NONCE, chain_id);
            SignPayload::TypedData(safe_message_typed_data(address, chain_id, digest))
        } else {
            SignPayload::TypedData(clob_auth_typed_data(address, timestamp, KEY_NONCE, chain_id))
        };
        let job = crate::signing::SigningJob { user_id, authority, purpose: "CLOB_AUTH", payload: &payload };
        let signed = crate::signing::sign(self.platform, job).await.map_err(TradingError::Signing)?;
        let signature = signed.signature.parse().map_err(|_| {
            TradingError::Invalid(ApiError::new(
                crate::api::ErrorCode::InternalError,
                "the signer returned a malformed signature",
            ))
        })?;
        let headers = l1_headers(address, &signature, timestamp, KEY_NONCE);
        let result = self.clob.create_or_derive_api_key(headers).await;
        self.observe(&result);
        let derived = result.map_err(TradingError::Clob)?;
        self.store(user_id, &address, &derived)?;
        Ok(self.stored_credentials(account)?)
    }

    fn store(&self, user_id: &str, address: &Address, credentials: &ApiCredentials) -> Result<(), ApiError> {
        let key = settings::text(self.platform.config(), settings::TRADING_KEY_ENCRYPTION_KEY)?;
        let identity = identity(address);
        let seal = |value: &str| -> Result<SqlValue, ApiError> {
            let nonce: [u8; 12] = self.platform.random().bytes(12).try_into().map_err(|_| {
                ApiError::new(crate::api::ErrorCode::InternalError, "the random source gave a short nonce")
            })?;
            Ok(SqlValue::Bytes(sealed::seal(&key, &identity, value.as_bytes(), nonce)?))
        };
        self.platform.db().execute(
            STORE_SQL,
            &[
                SqlValue::Text(user_id.into()),
                SqlValue::Text(identity.clone()),
                SqlValue::Text(credentials.api_key.clone()),
                seal(&credentials.secret)?,
                seal(&credentials.passphrase)?,
            ],
        )?;
        Ok(())
    }
}

/// The row identity the secrets are bound to: the signer's lower-case address.
fn identity(address: &Address) -> String {
    format!("{address:#x}")
}
