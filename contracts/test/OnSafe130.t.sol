// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {AssetRulesTest} from "./AssetRules.t.sol";
import {AuthorizationsTest} from "./Authorizations.t.sol";
import {AutomationModuleConfigTest, AutomationModuleExecutionTest} from "./AutomationModule.t.sol";
import {AutomationModuleAttackTest} from "./AutomationModuleAttacks.t.sol";
import {CallPermissionsTest} from "./CallPermissions.t.sol";
import {AuthorizationAttackTest} from "./attacks/AuthorizationAttacks.t.sol";
import {CallShapeAttackTest} from "./attacks/CallShapeAttacks.t.sol";
import {OtherTokenAttackTest} from "./attacks/OtherTokenAttacks.t.sol";
import {OutcomeTokenAttackTest} from "./attacks/OutcomeTokenAttacks.t.sol";
import {SafeInternalsAttackTest} from "./attacks/SafeInternalsAttacks.t.sol";
import {SpenderAttackTest} from "./attacks/SpenderAttacks.t.sol";
import {StandingApprovalAttackTest} from "./attacks/StandingApprovalAttacks.t.sol";
import {SafeKit} from "./utils/SafeKit.sol";

// Every unit and attack suite again, on Safe 1.3.0 (npm gnosis.pm/safe-contracts): the version
// Polymarket's Safes run. Same tests, another singleton, proxy factory and fallback handler.

contract AssetRulesTestOnSafe130 is AssetRulesTest {
    function safeVersion() internal pure override returns (SafeKit.Version) {
        return SafeKit.Version.V1_3_0;
    }
}

contract AuthorizationsTestOnSafe130 is AuthorizationsTest {
    function safeVersion() internal pure override returns (SafeKit.Version) {
        return SafeKit.Version.V1_3_0;
    }
}

contract AutomationModuleConfigTestOnSafe130 is AutomationModuleConfigTest {
    function safeVersion() internal pure override returns (SafeKit.Version) {
        return SafeKit.Version.V1_3_0;
    }
}

contract AutomationModuleExecutionTestOnSafe130 is AutomationModuleExecutionTest {
    function safeVersion() internal pure override returns (SafeKit.Version) {
        return SafeKit.Version.V1_3_0;
    }
}

contract AutomationModuleAttackTestOnSafe130 is AutomationModuleAttackTest {
    function safeVersion() internal pure override returns (SafeKit.Version) {
        return SafeKit.Version.V1_3_0;
    }
}

contract CallPermissionsTestOnSafe130 is CallPermissionsTest {
    function safeVersion() internal pure override returns (SafeKit.Version) {
        return SafeKit.Version.V1_3_0;
    }
}

contract AuthorizationAttackTestOnSafe130 is AuthorizationAttackTest {
    function safeVersion() internal pure override returns (SafeKit.Version) {
        return SafeKit.Version.V1_3_0;
    }
}

contract CallShapeAttackTestOnSafe130 is CallShapeAttackTest {
    function safeVersion() internal pure override returns (SafeKit.Version) {
        return SafeKit.Version.V1_3_0;
    }
}

contract OtherTokenAttackTestOnSafe130 is OtherTokenAttackTest {
    function safeVersion() internal pure override returns (SafeKit.Version) {
        return SafeKit.Version.V1_3_0;
    }
}

contract OutcomeTokenAttackTestOnSafe130 is OutcomeTokenAttackTest {
    function safeVersion() internal pure override returns (SafeKit.Version) {
        return SafeKit.Version.V1_3_0;
    }
}

contract SafeInternalsAttackTestOnSafe130 is SafeInternalsAttackTest {
    function safeVersion() internal pure override returns (SafeKit.Version) {
        return SafeKit.Version.V1_3_0;
    }
}

contract SpenderAttackTestOnSafe130 is SpenderAttackTest {
    function safeVersion() internal pure override returns (SafeKit.Version) {
        return SafeKit.Version.V1_3_0;
    }
}

contract StandingApprovalAttackTestOnSafe130 is StandingApprovalAttackTest {
    function safeVersion() internal pure override returns (SafeKit.Version) {
        return SafeKit.Version.V1_3_0;
    }
}
