//! What every Safe automation request works from: the configuration, the user's Safe and its
//! `safe_automations` row, and the Safe as the chain shows it now (one JSON-RPC batch).

use alloy_primitives::Address;

use super::chain::{read_safe, SafeView};
use super::config::AutomationConfig;
use super::store::{self, AutomationRow};
use super::user_safe;
use crate::api::{ApiError, ErrorCode};
use crate::ports::{Http, Platform};
use crate::relayer::rpc::Rpc;

pub struct SafeContext<'a, H: Http> {
    pub user_id: &'a str,
    pub config: AutomationConfig,
    pub rpc: Rpc<'a, H>,
    pub automation: AutomationRow,
    pub safe: Address,
    pub chain: SafeView,
}

/// Whether a request may create the `safe_automations` row (only enabling does).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Create,
    Existing,
}

impl<'a, H: Http> SafeContext<'a, H> {
    pub async fn load<P: Platform<Http = H>>(platform: &'a P, user_id: &'a str, row: Row) -> Result<Self, ApiError> {
        let config = AutomationConfig::from_config(platform.config())?;
        let safe = user_safe(platform.db(), user_id)?;
        let automation = match row {
            Row::Create => {
                store::open(platform.db(), user_id, &format!("{safe:#x}"), &format!("{:#x}", config.module))?
            }
            Row::Existing => store::find(platform.db(), user_id)?.ok_or_else(|| {
                ApiError::new(ErrorCode::Conflict, "automation is not enabled: POST /safe-automation/enable first")
            })?,
        };
        if automation.safe_address != format!("{safe:#x}") {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!(
                    "automation was set up for Safe {}, and the account now trades from {safe:#x}",
                    automation.safe_address
                ),
            ));
        }
        let rpc = Rpc::new(platform.http(), &config.setup.rpc_url, config.setup.rpc_timeout);
        let chain = read_safe(&rpc, safe, config.module).await?;
        Ok(SafeContext { user_id, config, rpc, automation, safe, chain })
    }

    /// Refuses work that needs the module until it is installed.
    pub fn require_installed(&self) -> Result<(), ApiError> {
        if self.automation.module_installed {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::Conflict,
                "the AutomationModule is not installed on this Safe yet: finish POST /safe-automation/enable",
            ))
        }
    }
}
