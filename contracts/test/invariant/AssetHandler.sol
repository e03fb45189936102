// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {IAutomationModule} from "../../src/interfaces/IAutomationModule.sol";
import {IERC20} from "../../src/interfaces/IERC20.sol";
import {TestCollateral} from "../mocks/TestCollateral.sol";
import {IConditionalTokens} from "../utils/ConditionalTokensKit.sol";
import {Vm, VM_ADDRESS} from "../utils/Vm.sol";

/// @notice Drives the same session key at the Safe's other assets: the CTF's outcome tokens and
/// USDC.e, both unmeasured, with everything a compromised backend could submit for them
/// (transfers and batch transfers to a withdrawal recipient or a stranger, approvals and
/// revocations for the exchange or a stranger), while the stranger takes whatever it was let take.
/// The invariants read the balances: nothing may end up anywhere but the Safe and the recipient.
contract AssetHandler {
    Vm private constant vm = Vm(VM_ADDRESS);

    struct Context {
        IAutomationModule module;
        address safe;
        IConditionalTokens ctf;
        uint256 yes;
        uint256 no;
        TestCollateral usdce;
        uint256 sessionPrivateKey;
        address recipient;
        address stranger;
        address exchange;
    }

    Context private c;
    address private immutable sessionKey;
    /// Far from SessionKeyHandler's nonces, so the two never spend each other's.
    uint256 private nextNonce = 1 << 128;

    uint256 public successes;
    uint256 public rejections;

    constructor(Context memory context) {
        c = context;
        sessionKey = vm.addr(context.sessionPrivateKey);
    }

    // ---- Actions through the module

    function transferOutcome(uint256 amountSeed, bool batch, bool toStranger) external {
        address to = toStranger ? c.stranger : c.recipient;
        uint256 yesHeld = c.ctf.balanceOf(c.safe, c.yes);
        uint256 amount = uint256(keccak256(abi.encode(amountSeed))) % (yesHeld + 1);
        if (!batch) {
            submit(address(c.ctf), abi.encodeCall(IConditionalTokens.safeTransferFrom, (c.safe, to, c.yes, amount, "")));
            return;
        }
        uint256[] memory ids = new uint256[](2);
        uint256[] memory amounts = new uint256[](2);
        (ids[0], ids[1]) = (c.yes, c.no);
        (amounts[0], amounts[1]) = (amount, c.ctf.balanceOf(c.safe, c.no));
        submit(address(c.ctf), abi.encodeCall(IConditionalTokens.safeBatchTransferFrom, (c.safe, to, ids, amounts, "")));
    }

    function approveOutcomes(bool forStranger, bool approved) external {
        address operator = forStranger ? c.stranger : c.exchange;
        submit(address(c.ctf), abi.encodeCall(IConditionalTokens.setApprovalForAll, (operator, approved)));
    }

    function transferOther(uint256 amountSeed, bool toStranger) external {
        uint256 amount = uint256(keccak256(abi.encode(amountSeed))) % (c.usdce.balanceOf(c.safe) + 1);
        submit(address(c.usdce), abi.encodeCall(IERC20.transfer, (toStranger ? c.stranger : c.recipient, amount)));
    }

    function approveOther(uint256 amount, bool forStranger) external {
        submit(address(c.usdce), abi.encodeCall(IERC20.approve, (forStranger ? c.stranger : c.exchange, amount)));
    }

    // ---- The stranger, outside the module, takes what it was let take

    function strangerTakesOutcomes() external {
        uint256[] memory ids = new uint256[](2);
        uint256[] memory amounts = new uint256[](2);
        (ids[0], ids[1]) = (c.yes, c.no);
        (amounts[0], amounts[1]) = (c.ctf.balanceOf(c.safe, c.yes), c.ctf.balanceOf(c.safe, c.no));
        vm.prank(c.stranger);
        try c.ctf.safeBatchTransferFrom(c.safe, c.stranger, ids, amounts, "") {} catch {}
    }

    function strangerTakesOther() external {
        uint256 amount = c.usdce.allowance(c.safe, c.stranger);
        uint256 held = c.usdce.balanceOf(c.safe);
        vm.prank(c.stranger);
        try c.usdce.transferFrom(c.safe, c.stranger, amount < held ? amount : held) {} catch {}
    }

    // ---- Submission

    function submit(address to, bytes memory data) private {
        (uint256 validUntil,,,,,, uint256 epoch) = c.module.getSessionKey(c.safe, sessionKey);
        IAutomationModule.SessionKeyExecution memory e = IAutomationModule.SessionKeyExecution({
            safe: c.safe,
            to: to,
            value: 0,
            data: data,
            nonce: nextNonce++,
            deadline: block.timestamp + 300 < validUntil ? block.timestamp + 300 : validUntil,
            minGas: 0,
            epoch: epoch
        });
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(c.sessionPrivateKey, c.module.executionDigest(e));
        try c.module.executeFromSessionKey(e, sessionKey, abi.encodePacked(r, s, v)) {
            ++successes;
        } catch {
            ++rejections;
        }
    }
}
