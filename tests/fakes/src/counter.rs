//! A contract for relayer tests to send to: every call that lands leaves a mark (slot 0 counts
//! them), and one selector reverts with a reason, so a test can tell a mined success, a mined
//! revert and a transaction that never landed apart. Hand-assembled runtime bytecode, to be placed
//! with `Anvil::set_code`: there is no Solidity compiler in the test environment.

/// Calldata starting with these four bytes makes the counter revert.
pub const REVERTING_SELECTOR: [u8; 4] = [0xde, 0xad, 0xbe, 0xef];

/// The reason of that revert, ABI-encoded as `Error(string)`.
pub const REVERT_REASON: &str = "relayer test revert";

/// Runtime bytecode: calldata of at least 4 bytes starting with `REVERTING_SELECTOR` reverts with
/// `Error(REVERT_REASON)`; any other call, empty calldata included, adds 1 to slot 0 and stops.
///
/// ```text
/// 00  PUSH1 4  CALLDATASIZE  LT  PUSH1 0x16  JUMPI      ; calldatasize < 4 → increment
/// 07  PUSH1 0  CALLDATALOAD  PUSH1 0xe0  SHR            ; first 4 bytes of calldata
/// 0d  PUSH4 0xdeadbeef  EQ  PUSH1 0x21  JUMPI           ; the selector → revert
/// 16  JUMPDEST                                          ; increment:
/// 17  PUSH1 0  SLOAD  PUSH1 1  ADD  PUSH1 0  SSTORE  STOP
/// 21  JUMPDEST                                          ; revert:
/// 22  PUSH4 0x08c379a0  PUSH1 0xe0  SHL  PUSH1 0  MSTORE ; mem[0..4]    Error(string) selector
/// 2d  PUSH1 0x20  PUSH1 0x04  MSTORE                    ; mem[4..36]   offset of the string
/// 32  PUSH1 19  PUSH1 0x24  MSTORE                      ; mem[36..68]  its length
/// 37  PUSH19 "relayer test revert"  PUSH1 0x68  SHL     ; left-aligned (shifted 13 bytes)
/// 4e  PUSH1 0x44  MSTORE                                ; mem[68..100] its bytes, zero-padded
/// 51  PUSH1 0x64  PUSH1 0  REVERT                       ; revert with mem[0..100]
/// ```
pub fn counter_contract() -> Vec<u8> {
    const _: () = assert!(REVERT_REASON.len() == 19, "PUSH19, the shift and the length word assume 19 bytes");
    let [s0, s1, s2, s3] = REVERTING_SELECTOR;
    [
        &[0x60, 0x04, 0x36, 0x10, 0x60, 0x16, 0x57][..],
        &[0x60, 0x00, 0x35, 0x60, 0xe0, 0x1c],
        &[0x63, s0, s1, s2, s3, 0x14, 0x60, 0x21, 0x57],
        &[0x5b],
        &[0x60, 0x00, 0x54, 0x60, 0x01, 0x01, 0x60, 0x00, 0x55, 0x00],
        &[0x5b],
        &[0x63, 0x08, 0xc3, 0x79, 0xa0, 0x60, 0xe0, 0x1b, 0x60, 0x00, 0x52],
        &[0x60, 0x20, 0x60, 0x04, 0x52],
        &[0x60, 0x13, 0x60, 0x24, 0x52],
        &[0x72],
        REVERT_REASON.as_bytes(),
        &[0x60, 0x68, 0x1b],
        &[0x60, 0x44, 0x52],
        &[0x60, 0x64, 0x60, 0x00, 0xfd],
    ]
    .concat()
}
