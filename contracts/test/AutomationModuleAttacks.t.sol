// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {AutomationModule} from "../src/AutomationModule.sol";
import {IAutomationModule} from "../src/interfaces/IAutomationModule.sol";
import {IERC20} from "../src/interfaces/IERC20.sol";
import {DelegatecallProbe, ReentrantTarget, ThirdPartyApprover} from "./mocks/AttackTargets.sol";
import {MockMarket} from "./mocks/MockMarket.sol";
import {ModuleTestBase} from "./utils/ModuleTestBase.sol";
import {ISafeFull, SafeKit} from "./utils/SafeKit.sol";

/// @notice What a compromised backend or relayer, holding the session key, would try.
contract AutomationModuleAttackTest is ModuleTestBase {
    uint256 private constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    // ---- Reentrancy

    function test_attack_aReentrantTargetCannotRunASecondAuthorizationInsideTheFirst() public {
        ReentrantTarget target = new ReentrantTarget();
        allowCall(address(target), ReentrantTarget.attack.selector);

        bytes memory innerData = transferData(recipient, PER_TRADE);
        uint256 deadline = block.timestamp + 60;
        IAutomationModule.SessionKeyExecution memory inner =
            executionOf(address(safe), address(collateral), 0, innerData, 2, deadline);
        target.arm(
            ReentrantTarget.Reentry({
                module: module, execution: inner, sessionKey: sessionKey, signature: sign(SESSION_KEY, inner)
            })
        );

        execute(address(target), abi.encodeCall(ReentrantTarget.attack, ()));
        vm.assertEq(
            target.lastRevert(), abi.encodeWithSelector(IAutomationModule.Reentrancy.selector), "inner call refused"
        );
        vm.assertEq(collateral.balanceOf(recipient), 0, "nothing moved");
        vm.assertFalse(module.isNonceUsed(address(safe), sessionKey, 2), "inner authorization not spent");
    }

    // ---- Approvals: outflow that happens later

    /// An approval lets the spender pull later, outside any execution the module can measure, so
    /// the module charges the allowance a call grants at the moment it is granted. A spender that
    /// pulls and is re-approved is charged again: in any day the key can hand out at most
    /// maxNotionalPerDay, whoever pulls it and whenever.
    function test_attack_approvalsThatArePulledLaterStayWithinTheDailyLimit() public {
        asOwner(address(collateral), abi.encodeCall(IERC20.approve, (address(market), 0)));
        uint256 pulled;
        for (uint256 i; i < 10; ++i) {
            execute(address(collateral), abi.encodeCall(IERC20.approve, (address(market), PER_TRADE)));
            market.pullLater(address(safe), PER_TRADE); // not through the module: unmeasurable
            pulled += PER_TRADE;
        }
        vm.assertEq(pulled, PER_DAY, "the whole day's budget went out through approvals");
        executeExpectingRevert(
            address(collateral),
            abi.encodeCall(IERC20.approve, (address(market), 1)),
            abi.encodeWithSelector(IAutomationModule.DailyNotionalExceeded.selector, PER_DAY + 1, PER_DAY)
        );
    }

    function test_attack_anUnlimitedApprovalIsRefused() public {
        asOwner(address(collateral), abi.encodeCall(IERC20.approve, (address(market), 0)));
        executeExpectingRevert(
            address(collateral),
            abi.encodeCall(IERC20.approve, (address(market), type(uint256).max)),
            abi.encodeWithSelector(IAutomationModule.TradeNotionalExceeded.selector, type(uint256).max, PER_TRADE)
        );
    }

    function test_attack_approvingAThirdPartyDirectlyIsRefused() public {
        executeExpectingRevert(
            address(collateral),
            abi.encodeCall(IERC20.approve, (stranger, PER_TRADE)),
            abi.encodeWithSelector(IAutomationModule.SpenderNotAllowed.selector, stranger)
        );
    }

    function test_attack_aTargetThatApprovesAThirdPartyGivesAwayOnlyItsOwnTokens() public {
        ThirdPartyApprover target = new ThirdPartyApprover(collateral);
        allowCall(address(target), ThirdPartyApprover.approveThirdParty.selector);
        execute(address(target), abi.encodeCall(ThirdPartyApprover.approveThirdParty, (stranger)));
        vm.assertEq(collateral.allowance(address(safe), stranger), 0, "the Safe granted nothing");
        vm.assertEq(collateral.allowance(address(target), stranger), type(uint256).max, "the target's own");
        vm.expectRevert(bytes("allowance"));
        vm.prank(stranger);
        // The call is expected to revert, so there is no return value to check.
        // forge-lint: disable-next-line(erc20-unchecked-transfer)
        collateral.transferFrom(address(safe), stranger, 1);
    }

    // ---- Delegatecall

    function test_attack_theSafeCannotBeToldToDelegatecall() public {
        DelegatecallProbe probe = new DelegatecallProbe();
        bytes memory hijack = abi.encodeCall(DelegatecallProbe.hijack, (stranger));
        // Operation.DelegateCall = 1, asked of the Safe itself: refused before the Safe is reached.
        executeExpectingRevert(
            address(safe),
            abi.encodeCall(ISafeFull.execTransactionFromModule, (address(probe), 0, hijack, 1)),
            abi.encodeWithSelector(IAutomationModule.SelfCallForbidden.selector, address(safe))
        );
        // Nor can the Safe be put on the allowlist to make that possible.
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.InvalidAddress.selector, address(safe)));
        vm.prank(address(safe));
        module.setCallAllowed(address(safe), ISafeFull.execTransactionFromModule.selector, true);
    }

    function test_attack_anAllowlistedTargetRunsByCallNeverInTheSafesContext() public {
        DelegatecallProbe probe = new DelegatecallProbe();
        allowCall(address(probe), DelegatecallProbe.hijack.selector);
        address singleton = SafeKit.singletonOf(safe);
        execute(address(probe), abi.encodeCall(DelegatecallProbe.hijack, (stranger)));
        vm.assertEq(probe.lastSelf(), address(probe), "ran in the probe's own context");
        vm.assertEq(SafeKit.singletonOf(safe), singleton, "Safe singleton intact");
        vm.assertEq(safe.getOwners().length, 1, "Safe owners intact");
        vm.assertEq(safe.getOwners()[0], owner, "Safe owner intact");
        vm.assertTrue(safe.isModuleEnabled(address(module)), "module still enabled");
    }

    function test_attack_aTargetCannotReconfigureTheModuleThroughTheSafe() public {
        executeExpectingRevert(
            address(module),
            abi.encodeCall(AutomationModule.registerSessionKey, (stranger, validUntil, PER_DAY, PER_DAY, 256)),
            abi.encodeWithSelector(IAutomationModule.SelfCallForbidden.selector, address(module))
        );
    }

    // ---- Signature malleability and encoding

    function test_attack_theHighSTwinOfAValidSignatureIsRejected() public {
        bytes memory data = transferData(recipient, USD);
        uint256 deadline = block.timestamp + 60;
        bytes memory sig = signExecution(SESSION_KEY, address(safe), address(collateral), 0, data, 1, deadline);
        (bytes32 r, bytes32 s, uint8 v) = split(sig);
        bytes memory twin = abi.encodePacked(r, bytes32(SECP256K1_N - uint256(s)), v == 27 ? uint8(28) : uint8(27));
        vm.expectRevert(IAutomationModule.SignatureMalleable.selector);
        module.executeFromSessionKey(
            executionOf(address(safe), address(collateral), 0, data, 1, deadline), sessionKey, twin
        );
        // The original still works once, and only once.
        module.executeFromSessionKey(
            executionOf(address(safe), address(collateral), 0, data, 1, deadline), sessionKey, sig
        );
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.NonceAlreadyUsed.selector, sessionKey, 1));
        module.executeFromSessionKey(
            executionOf(address(safe), address(collateral), 0, data, 1, deadline), sessionKey, sig
        );
    }

    function test_attack_otherSignatureEncodingsAreRejected() public {
        bytes memory data = transferData(recipient, USD);
        bytes memory sig = signExecution(SESSION_KEY, address(safe), address(collateral), 0, data, 1, block.timestamp);
        (bytes32 r, bytes32 s, uint8 v) = split(sig);

        // EIP-2098 compact form (64 bytes) and a padded form.
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.InvalidSignatureLength.selector, 64));
        submitTransfer(data, abi.encodePacked(r, bytes32(uint256(s) | (uint256(v - 27) << 255))));
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.InvalidSignatureLength.selector, 66));
        submitTransfer(data, abi.encodePacked(sig, uint8(0)));

        // v as a raw recovery id (0/1), Safe's eth_sign style (v + 4), and out of range.
        uint8[3] memory badV = [v - 27, v + 4, 29];
        for (uint256 i; i < badV.length; ++i) {
            vm.expectRevert(IAutomationModule.InvalidSignature.selector);
            submitTransfer(data, abi.encodePacked(r, s, badV[i]));
        }
        // A signature that recovers to no address at all.
        vm.expectRevert(IAutomationModule.InvalidSignature.selector);
        submitTransfer(data, abi.encodePacked(r, bytes32(0), v));
    }

    function submitTransfer(bytes memory data, bytes memory signature) private {
        module.executeFromSessionKey(
            executionOf(address(safe), address(collateral), 0, data, 1, block.timestamp), sessionKey, signature
        );
    }

    // ---- Domain separation

    function test_attack_aSignatureForAnotherChainIsRejected() public {
        bytes memory data = transferData(recipient, USD);
        uint256 deadline = block.timestamp + 60;
        vm.chainId(1);
        bytes memory mainnetSig = signExecution(SESSION_KEY, address(safe), address(collateral), 0, data, 1, deadline);
        vm.chainId(POLYGON);
        vm.expectRevert(IAutomationModule.InvalidSignature.selector);
        module.executeFromSessionKey(
            executionOf(address(safe), address(collateral), 0, data, 1, deadline), sessionKey, mainnetSig
        );

        // And a Polygon signature dies with the chain id it was made for (after a fork).
        bytes memory polygonSig = signExecution(SESSION_KEY, address(safe), address(collateral), 0, data, 1, deadline);
        vm.chainId(80002);
        vm.expectRevert(IAutomationModule.InvalidSignature.selector);
        module.executeFromSessionKey(
            executionOf(address(safe), address(collateral), 0, data, 1, deadline), sessionKey, polygonSig
        );
    }

    function test_attack_aSignatureForAnotherModuleIsRejected() public {
        AutomationModule other = new AutomationModule(address(collateral));
        bytes memory data = transferData(recipient, USD);
        uint256 deadline = block.timestamp + 60;
        bytes32 otherDigest =
            other.executionDigest(executionOf(address(safe), address(collateral), 0, data, 1, deadline));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(SESSION_KEY, otherDigest);
        vm.expectRevert(IAutomationModule.InvalidSignature.selector);
        module.executeFromSessionKey(
            executionOf(address(safe), address(collateral), 0, data, 1, deadline), sessionKey, abi.encodePacked(r, s, v)
        );
    }

    function test_attack_aSignatureForAnotherSafeIsRejected() public {
        ISafeFull other = SafeKit.createSafe(safeDeployment, owner, 2);
        bytes memory data = transferData(recipient, USD);
        uint256 deadline = block.timestamp + 60;
        bytes memory sigForOther = signExecution(SESSION_KEY, address(other), address(collateral), 0, data, 1, deadline);
        vm.expectRevert(IAutomationModule.InvalidSignature.selector);
        module.executeFromSessionKey(
            executionOf(address(safe), address(collateral), 0, data, 1, deadline), sessionKey, sigForOther
        );
    }

    function test_attack_changingAnySignedFieldInvalidatesTheSignature() public {
        bytes memory data = transferData(recipient, USD);
        uint256 deadline = block.timestamp + 60;
        bytes memory sig = signExecution(SESSION_KEY, address(safe), address(collateral), 0, data, 1, deadline);
        vm.expectRevert(IAutomationModule.InvalidSignature.selector);
        module.executeFromSessionKey(
            executionOf(address(safe), address(collateral), 0, transferData(recipient, 2 * USD), 1, deadline),
            sessionKey,
            sig
        );
        vm.expectRevert(IAutomationModule.InvalidSignature.selector);
        module.executeFromSessionKey(
            executionOf(address(safe), address(collateral), 0, data, 2, deadline), sessionKey, sig
        );
        vm.expectRevert(IAutomationModule.InvalidSignature.selector);
        module.executeFromSessionKey(
            executionOf(address(safe), address(collateral), 0, data, 1, deadline + 1), sessionKey, sig
        );
        allowCall(address(market), IERC20.transfer.selector);
        vm.expectRevert(IAutomationModule.InvalidSignature.selector);
        module.executeFromSessionKey(executionOf(address(safe), address(market), 0, data, 1, deadline), sessionKey, sig);
        IAutomationModule.SessionKeyExecution memory moreGas =
            executionOf(address(safe), address(collateral), 0, data, 1, deadline);
        moreGas.minGas = 1;
        vm.expectRevert(IAutomationModule.InvalidSignature.selector);
        module.executeFromSessionKey(moreGas, sessionKey, sig);
        // A changed epoch is named as such: it is checked before the signature.
        IAutomationModule.SessionKeyExecution memory laterEpoch =
            executionOf(address(safe), address(collateral), 0, data, 1, deadline);
        laterEpoch.epoch = 1;
        vm.expectRevert(abi.encodeWithSelector(IAutomationModule.StaleAuthorization.selector, 1, 0));
        module.executeFromSessionKey(laterEpoch, sessionKey, sig);
    }

    function split(bytes memory sig) private pure returns (bytes32 r, bytes32 s, uint8 v) {
        assembly ("memory-safe") {
            r := mload(add(sig, 0x20))
            s := mload(add(sig, 0x40))
            v := byte(0, mload(add(sig, 0x60)))
        }
    }
}
