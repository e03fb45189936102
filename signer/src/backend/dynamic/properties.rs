//! The Dynamic backend's wallet properties: `{"backend":"dynamic","wallet":{...}}` where `wallet`
//! is Dynamic's `WalletProperties` in the Node SDK's camelCase form (wallet id, address, threshold
//! scheme, derivation path, and the ids of the key-share backups Dynamic holds). No key material.

use std::str::FromStr;

use alloy_primitives::Address;
use dynamic_waas_sdk::{BackupLocation, WalletProperties};
use serde_json::{json, Map, Value};

use crate::backend::BackendError;

const BACKEND_TAG: &str = "dynamic";
const EVM_CHAIN: &str = "EVM";

pub fn to_json(wallet: &WalletProperties) -> Result<Value, BackendError> {
    let node_json = wallet
        .to_node_json()
        .map_err(|_| BackendError::Failed("could not encode Dynamic's wallet properties".into()))?;
    let wallet: Value = serde_json::from_str(&node_json)
        .map_err(|_| BackendError::Failed("could not encode Dynamic's wallet properties".into()))?;
    Ok(json!({ "backend": BACKEND_TAG, "wallet": wallet }))
}

/// The wallet's Dynamic properties, checked against the wallet id and address the request names.
pub fn open(
    properties: &Map<String, Value>,
    wallet_id: &str,
    address: Address,
) -> Result<WalletProperties, BackendError> {
    match properties.get("backend").and_then(Value::as_str) {
        Some(BACKEND_TAG) => {}
        Some(other) => {
            return Err(BackendError::InvalidProperties(format!(
                "belong to the `{other}` backend; this signer runs the `dynamic` backend"
            )))
        }
        None => return Err(BackendError::InvalidProperties("missing `backend`".into())),
    }
    if let Some(unknown) = properties.keys().find(|k| !["backend", "wallet"].contains(&k.as_str())) {
        return Err(BackendError::InvalidProperties(format!("unknown field `{unknown}`")));
    }
    let wallet = properties.get("wallet").ok_or_else(|| BackendError::InvalidProperties("missing `wallet`".into()))?;
    let wallet = WalletProperties::from_node_json(&wallet.to_string())
        .map_err(|_| BackendError::InvalidProperties("`wallet` is not Dynamic's WalletProperties".into()))?;
    if wallet.chain_name != EVM_CHAIN {
        return Err(BackendError::InvalidProperties("`wallet` is not an EVM wallet".into()));
    }
    if wallet.wallet_id != wallet_id {
        return Err(BackendError::WalletMismatch("walletProperties belong to another walletId".into()));
    }
    if wallet_address(&wallet)? != address {
        return Err(BackendError::WalletMismatch("address is not the address of this wallet".into()));
    }
    Ok(wallet)
}

pub fn wallet_address(wallet: &WalletProperties) -> Result<Address, BackendError> {
    Address::from_str(&wallet.account_address)
        .map_err(|_| BackendError::InvalidProperties("`wallet.accountAddress` is not an address".into()))
}

/// The ids of the key-share backups Dynamic holds for this wallet.
pub fn dynamic_backup_ids(wallet: &WalletProperties) -> Result<Vec<String>, BackendError> {
    let ids: Vec<String> = wallet
        .external_server_key_shares_backup_info
        .iter()
        .flat_map(|info| info.backups.get(BackupLocation::Dynamic.as_wire_str()))
        .flatten()
        .map(|backup| backup.key_share_id.clone())
        .collect();
    if ids.is_empty() {
        return Err(BackendError::InvalidProperties(
            "name no key-share backup held by Dynamic; this signer only signs for wallets backed up to Dynamic".into(),
        ));
    }
    Ok(ids)
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use dynamic_waas_sdk::{BackupLocationInfo, KeyShareBackupInfo};

    pub const WALLET_ID: &str = "8b1c9f0e-5c3a-4f6e-9d2b-0a1b2c3d4e5f";

    /// What `create_wallet_account(TwoOfTwo, Some(password), true)` returns, for `address`.
    pub fn backed_up_wallet(address: Address) -> WalletProperties {
        let backups = [(
            "dynamic".to_string(),
            vec![BackupLocationInfo { location: BackupLocation::Dynamic, key_share_id: "ks-server-1".into() }],
        )]
        .into_iter()
        .collect();
        WalletProperties::new("EVM", WALLET_ID, address.to_checksum(None))
            .with_derivation_path(vec![44, 60, 0, 0, 0])
            .with_backup_info(KeyShareBackupInfo { password_encrypted: true, backups })
    }

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().expect("object").clone()
    }

    const ADDRESS: Address = Address::repeat_byte(0xab);

    #[test]
    fn properties_round_trip_in_the_node_sdk_form() {
        let wallet = backed_up_wallet(ADDRESS);
        let json = to_json(&wallet).unwrap();
        assert_eq!(json["backend"], "dynamic");
        assert_eq!(json["wallet"]["walletId"], WALLET_ID);
        assert_eq!(json["wallet"]["accountAddress"], ADDRESS.to_checksum(None));
        assert_eq!(json["wallet"]["thresholdSignatureScheme"], "TWO_OF_TWO");
        assert_eq!(open(&object(json), WALLET_ID, ADDRESS).unwrap(), wallet);
    }

    #[test]
    fn another_wallet_id_or_address_is_a_mismatch() {
        let props = object(to_json(&backed_up_wallet(ADDRESS)).unwrap());
        assert!(matches!(open(&props, "another-wallet", ADDRESS), Err(BackendError::WalletMismatch(_))));
        let other = Address::repeat_byte(0xcd);
        assert!(matches!(open(&props, WALLET_ID, other), Err(BackendError::WalletMismatch(_))));
    }

    #[test]
    fn foreign_or_malformed_properties_are_refused() {
        let local = object(json!({ "backend": "local", "keyVersion": 1, "nonce": "0x", "ciphertext": "0x" }));
        let err = open(&local, WALLET_ID, ADDRESS).err().unwrap();
        assert!(matches!(err, BackendError::InvalidProperties(m) if m.contains("`local`")));
        let mut extra = object(to_json(&backed_up_wallet(ADDRESS)).unwrap());
        extra.insert("shares".into(), json!(["secret"]));
        assert!(matches!(open(&extra, WALLET_ID, ADDRESS), Err(BackendError::InvalidProperties(_))));
        let drifted = object(json!({ "backend": "dynamic", "wallet": { "walletId": WALLET_ID, "surprise": 1 } }));
        assert!(matches!(open(&drifted, WALLET_ID, ADDRESS), Err(BackendError::InvalidProperties(_))));
    }

    #[test]
    fn backup_ids_come_from_dynamics_backup_only() {
        assert_eq!(dynamic_backup_ids(&backed_up_wallet(ADDRESS)).unwrap(), vec!["ks-server-1".to_string()]);
        let unbacked = WalletProperties::new("EVM", WALLET_ID, ADDRESS.to_checksum(None));
        assert!(matches!(dynamic_backup_ids(&unbacked), Err(BackendError::InvalidProperties(_))));
    }
}
