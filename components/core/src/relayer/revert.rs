//! Revert data in words, for `relayer_txs.error_reason` (the data itself is kept in
//! `revert_data`): `Error(string)`, `Panic(uint256)`, the AutomationModule's errors, else the
//! selector.

use alloy_primitives::hex;
use alloy_sol_types::{Panic, Revert, SolError};

use crate::automation_module::ModuleRevert;

pub fn describe_revert(data: &[u8]) -> String {
    if data.is_empty() {
        return "reverted without data".into();
    }
    if let Ok(revert) = Revert::abi_decode(data) {
        return format!("reverted: {}", clean(&revert.reason));
    }
    if let Ok(panic) = Panic::abi_decode(data) {
        return format!("panicked: code 0x{:x}", panic.code);
    }
    match ModuleRevert::decode(data) {
        ModuleRevert::Unrecognized { .. } => {
            format!("reverted with error 0x{}", hex::encode(&data[..data.len().min(4)]))
        }
        known => format!("reverted: {known}"),
    }
}

/// At most 200 printable characters of a contract's own text.
fn clean(reason: &str) -> String {
    reason.chars().filter(|c| !c.is_control()).take(200).collect()
}

#[cfg(test)]
mod tests {
    use alloy_sol_types::SolError;

    use super::*;

    #[test]
    fn reverts_are_described_by_their_kind() {
        let revert = Revert::from("GS013").abi_encode();
        assert_eq!(describe_revert(&revert), "reverted: GS013");
        let panic = Panic { code: alloy_primitives::U256::from(0x11) }.abi_encode();
        assert_eq!(describe_revert(&panic), "panicked: code 0x11");
        assert_eq!(describe_revert(&[]), "reverted without data");
        assert_eq!(describe_revert(&[0xde, 0xad, 0xbe, 0xef, 1]), "reverted with error 0xdeadbeef");
    }
}
