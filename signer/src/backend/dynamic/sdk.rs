//! The seam to Dynamic's SDK: the five calls the backend makes, as a trait so the backend's
//! mapping can be tested without the network, and `SdkClient`, the real implementation.

use std::sync::Arc;

use alloy_consensus::TxEip1559;
use alloy_dyn_abi::TypedData;
use alloy_primitives::PrimitiveSignature;
use async_trait::async_trait;
use dynamic_waas_sdk::{
    run_recover_key_shares, DynamicWalletClient, DynamicWalletClientOpts, Error, Result, ServerKeyShare,
    ThresholdSignatureScheme, WalletProperties,
};
use dynamic_waas_sdk_evm::DynamicEvmWalletClient;
use tokio::sync::RwLock;

use crate::config::DynamicConfig;
use crate::secret::Secret;

#[async_trait]
pub trait DynamicSdk: Send + Sync {
    /// MPC key generation for a 2-of-2 EVM wallet, the server share backed up to Dynamic under
    /// `password`.
    async fn create_wallet(&self, password: &str) -> Result<(WalletProperties, Vec<ServerKeyShare>)>;

    /// The server shares from Dynamic's backup, decrypted with `password`.
    async fn recover_shares(
        &self,
        wallet: &WalletProperties,
        backup_ids: Vec<String>,
        password: &str,
    ) -> Result<Vec<ServerKeyShare>>;

    /// EIP-191; `0x` + r + s + v (27/28).
    async fn sign_message(&self, wallet: &WalletProperties, shares: &[ServerKeyShare], message: &str)
        -> Result<String>;

    /// EIP-712; `0x` + r + s + v (27/28).
    async fn sign_typed_data(
        &self,
        wallet: &WalletProperties,
        shares: &[ServerKeyShare],
        typed_data: &TypedData,
    ) -> Result<String>;

    async fn sign_transaction(
        &self,
        wallet: &WalletProperties,
        shares: &[ServerKeyShare],
        tx: TxEip1559,
    ) -> Result<PrimitiveSignature>;
}

/// Dynamic's SDK, authenticated with the API token on first use and again after Dynamic rejects
/// the session.
pub struct SdkClient {
    environment_id: String,
    api_key: Secret<String>,
    session: RwLock<Option<Arc<DynamicWalletClient>>>,
}

impl SdkClient {
    pub fn new(config: &DynamicConfig) -> SdkClient {
        SdkClient {
            environment_id: config.environment_id.clone(),
            api_key: config.api_key.clone(),
            session: RwLock::new(None),
        }
    }

    async fn client(&self) -> Result<Arc<DynamicWalletClient>> {
        if let Some(client) = self.session.read().await.as_ref() {
            return Ok(client.clone());
        }
        let mut session = self.session.write().await;
        if let Some(client) = session.as_ref() {
            return Ok(client.clone());
        }
        let mut client = DynamicWalletClient::new(DynamicWalletClientOpts::new(self.environment_id.clone()))?;
        client.authenticate_api_token(self.api_key.expose()).await?;
        let client = Arc::new(client);
        *session = Some(client.clone());
        Ok(client)
    }

    /// Forgets the session when Dynamic no longer accepts it, so the next call signs in again.
    async fn settle<T>(&self, result: Result<T>) -> Result<T> {
        if matches!(result, Err(Error::Http { status: 401, .. }) | Err(Error::Authentication(_))) {
            self.session.write().await.take();
        }
        result
    }
}

#[async_trait]
impl DynamicSdk for SdkClient {
    async fn create_wallet(&self, password: &str) -> Result<(WalletProperties, Vec<ServerKeyShare>)> {
        let client = self.client().await?;
        let evm = DynamicEvmWalletClient::new(&client);
        let result =
            evm.create_wallet_account(ThresholdSignatureScheme::TwoOfTwo, Some(password.to_owned()), true).await;
        self.settle(result).await
    }

    async fn recover_shares(
        &self,
        wallet: &WalletProperties,
        backup_ids: Vec<String>,
        password: &str,
    ) -> Result<Vec<ServerKeyShare>> {
        let client = self.client().await?;
        let result = run_recover_key_shares(&client, &wallet.wallet_id, backup_ids, password).await;
        self.settle(result).await
    }

    async fn sign_message(
        &self,
        wallet: &WalletProperties,
        shares: &[ServerKeyShare],
        message: &str,
    ) -> Result<String> {
        let client = self.client().await?;
        let result = DynamicEvmWalletClient::new(&client).sign_message(wallet, shares, message).await;
        self.settle(result).await
    }

    async fn sign_typed_data(
        &self,
        wallet: &WalletProperties,
        shares: &[ServerKeyShare],
        typed_data: &TypedData,
    ) -> Result<String> {
        let client = self.client().await?;
        let result = DynamicEvmWalletClient::new(&client).sign_typed_data(wallet, shares, typed_data).await;
        self.settle(result).await
    }

    async fn sign_transaction(
        &self,
        wallet: &WalletProperties,
        shares: &[ServerKeyShare],
        tx: TxEip1559,
    ) -> Result<PrimitiveSignature> {
        let client = self.client().await?;
        let result = DynamicEvmWalletClient::new(&client).sign_transaction(wallet, shares, tx).await;
        self.settle(result.map(|signed| *signed.signature())).await
    }
}
