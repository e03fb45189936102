//! The installation SafeTx (runbook "Module Installation Flow"): one MultiSend that enables the
//! module and gives it the configuration Mirror's module transactions need — the contracts a
//! session key may approve (every exchange and adapter), the call allowlist for redeeming and
//! withdrawing, and whatever pUSD / CTF approvals the Safe still lacks. Copy-trading orders are
//! off-chain signatures the CLOB settles, so no trading call is allowlisted (docs/architecture.md §7).

use alloy_primitives::{Address, FixedBytes};
use alloy_sol_types::{sol, SolCall};

use super::config::AutomationConfig;
use crate::automation_module::IAutomationModule::{
    setApprovedOperatorCall, setCallAllowedCall, setCallPermissionCall, CallPermission,
};
use crate::safe_tx::{enableModuleCall, transferCall, Call};

sol! {
    function redeemPositions(address collateralToken, bytes32 parentCollectionId, bytes32 conditionId, uint256[] indexSets);
}

/// `NegRiskAdapter.redeemPositions(bytes32,uint256[])`: the neg-risk adapter's name for it.
fn neg_risk_redeem_selector() -> FixedBytes<4> {
    FixedBytes(alloy_primitives::keccak256("redeemPositions(bytes32,uint256[])")[..4].try_into().expect("4 bytes"))
}

/// The calls, in order: enable (unless the Safe already has the module), approved operators,
/// allowlist entries, missing approvals.
pub fn install_calls(
    config: &AutomationConfig,
    safe: Address,
    module_enabled: bool,
    missing_approvals: Vec<Call>,
) -> Vec<Call> {
    let module = config.module;
    let mut calls = Vec::new();
    if !module_enabled {
        calls.push(Call { to: safe, data: enableModuleCall { module }.abi_encode().into() });
    }
    let setup = &config.setup;
    let mut operators: Vec<Address> = Vec::new();
    for operator in setup.collateral_spenders.iter().chain(&setup.ctf_operators) {
        if !operators.contains(operator) {
            operators.push(*operator);
        }
    }
    for operator in &operators {
        let data = setApprovedOperatorCall { operator: *operator, approved: true }.abi_encode();
        calls.push(Call { to: module, data: data.into() });
    }
    // The CTF holds no approval from the Safe: an unscoped entry. The adapters are approved
    // operators, so the module admits them only caller-bound: they take the Safe's outcome
    // tokens during the call and pay the collateral back to the Safe.
    let unscoped = |target: Address, selector: FixedBytes<4>| Call {
        to: module,
        data: setCallAllowedCall { target, selector, allowed: true }.abi_encode().into(),
    };
    let caller_bound = |target: Address, selector: FixedBytes<4>| Call {
        to: module,
        data: setCallPermissionCall {
            target,
            selector,
            permission: CallPermission { allowed: true, callerBound: true, arguments: Vec::new() },
        }
        .abi_encode()
        .into(),
    };
    calls.push(unscoped(setup.ctf, redeemPositionsCall::SELECTOR.into()));
    for adapter in &config.redeem_adapters {
        calls.push(caller_bound(*adapter, redeemPositionsCall::SELECTOR.into()));
    }
    calls.push(caller_bound(config.neg_risk_adapter, neg_risk_redeem_selector()));
    // Withdrawals: pUSD `transfer`, whose recipient the module holds to the withdrawal allowlist.
    calls.push(unscoped(setup.collateral, transferCall::SELECTOR.into()));
    calls.extend(missing_approvals);
    calls
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::SafeFactory;
    use std::time::Duration;

    fn config() -> AutomationConfig {
        AutomationConfig {
            module: Address::repeat_byte(0x0d),
            redeem_adapters: vec![Address::repeat_byte(0xa1), Address::repeat_byte(0xa2)],
            neg_risk_adapter: Address::repeat_byte(0xad),
            setup: crate::trading_account::SetupConfig {
                factory: SafeFactory::POLYGON,
                multisend: Address::repeat_byte(0x4d),
                collateral: Address::repeat_byte(0xc0),
                ctf: Address::repeat_byte(0xc7),
                collateral_spenders: vec![Address::repeat_byte(0xe1), Address::repeat_byte(0xad)],
                ctf_operators: vec![Address::repeat_byte(0xe1), Address::repeat_byte(0xa1), Address::repeat_byte(0xa2)],
                chain_id: 137,
                rpc_url: "http://rpc".into(),
                rpc_timeout: Duration::from_secs(1),
            },
        }
    }

    #[test]
    fn enables_first_then_operators_once_each_then_the_allowlist() {
        let safe = Address::repeat_byte(0x5a);
        let calls = install_calls(&config(), safe, false, Vec::new());
        assert_eq!(calls[0], Call { to: safe, data: enableModuleCall { module: config().module }.abi_encode().into() });
        let operators: Vec<Address> = calls
            .iter()
            .filter_map(|c| setApprovedOperatorCall::abi_decode(&c.data).ok())
            .map(|c| c.operator)
            .collect();
        let expected = [0xe1, 0xad, 0xa1, 0xa2].map(Address::repeat_byte).to_vec();
        assert_eq!(operators, expected, "spenders and operators, each once");
        let allowed: Vec<(Address, bool)> = calls
            .iter()
            .filter_map(|c| {
                setCallAllowedCall::abi_decode(&c.data)
                    .map(|e| (e.target, false))
                    .or_else(|_| {
                        setCallPermissionCall::abi_decode(&c.data).map(|e| (e.target, e.permission.callerBound))
                    })
                    .ok()
            })
            .collect();
        let bound = |b: u8| (Address::repeat_byte(b), true);
        assert_eq!(
            allowed,
            vec![
                (Address::repeat_byte(0xc7), false),
                bound(0xa1),
                bound(0xa2),
                bound(0xad),
                (Address::repeat_byte(0xc0), false)
            ]
        );
        assert!(calls.iter().skip(1).all(|c| c.to == config().module), "every other call configures the module");
    }

    #[test]
    fn a_safe_that_has_the_module_is_only_configured_and_missing_approvals_come_last() {
        let approval = Call { to: Address::repeat_byte(0xc0), data: vec![1, 2, 3].into() };
        let calls = install_calls(&config(), Address::repeat_byte(0x5a), true, vec![approval.clone()]);
        assert!(calls.iter().all(|c| enableModuleCall::abi_decode(&c.data).is_err()));
        assert_eq!(calls.last(), Some(&approval));
    }

    #[test]
    fn the_redeem_selectors_are_the_ctfs_and_the_neg_risk_adapters() {
        // `cast sig` of each signature.
        assert_eq!(redeemPositionsCall::SELECTOR, alloy_primitives::hex!("01b7037c"));
        assert_eq!(neg_risk_redeem_selector().0, alloy_primitives::hex!("dbeccb23"));
    }
}
