// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {SafeKit} from "./SafeKit.sol";

/// @notice The Gnosis Conditional Tokens functions the tests use (Polymarket's CTF, ERC-1155).
interface IConditionalTokens {
    function prepareCondition(address oracle, bytes32 questionId, uint256 outcomeSlotCount) external;
    function getConditionId(address oracle, bytes32 questionId, uint256 outcomeSlotCount)
        external
        pure
        returns (bytes32);
    function getCollectionId(bytes32 parentCollectionId, bytes32 conditionId, uint256 indexSet)
        external
        view
        returns (bytes32);
    function getPositionId(address collateralToken, bytes32 collectionId) external pure returns (uint256);
    function splitPosition(
        address collateralToken,
        bytes32 parentCollectionId,
        bytes32 conditionId,
        uint256[] calldata partition,
        uint256 amount
    ) external;
    function mergePositions(
        address collateralToken,
        bytes32 parentCollectionId,
        bytes32 conditionId,
        uint256[] calldata partition,
        uint256 amount
    ) external;
    function balanceOf(address owner, uint256 id) external view returns (uint256);
    function setApprovalForAll(address operator, bool approved) external;
    function isApprovedForAll(address owner, address operator) external view returns (bool);
    function safeTransferFrom(address from, address to, uint256 id, uint256 value, bytes calldata data) external;
    function safeBatchTransferFrom(
        address from,
        address to,
        uint256[] calldata ids,
        uint256[] calldata values,
        bytes calldata data
    ) external;
}

/// @title ConditionalTokensKit — the real Conditional Tokens contract, from its npm artifact
/// @notice Deploys `ConditionalTokens` from `@gnosis.pm/conditional-tokens-contracts` (the
/// contract Polymarket's CTF is) and derives a binary market's YES and NO position ids.
library ConditionalTokensKit {
    string private constant ARTIFACT =
        "../tools/node_modules/@gnosis.pm/conditional-tokens-contracts/build/contracts/ConditionalTokens.json";

    struct Market {
        bytes32 conditionId;
        uint256 yes;
        uint256 no;
    }

    function deploy() internal returns (IConditionalTokens) {
        return IConditionalTokens(SafeKit.deployArtifact(ARTIFACT));
    }

    /// @notice Prepares a YES/NO condition resolved by `oracle` and returns its position ids.
    function binaryMarket(IConditionalTokens ctf, address collateral, address oracle, bytes32 questionId)
        internal
        returns (Market memory m)
    {
        ctf.prepareCondition(oracle, questionId, 2);
        m.conditionId = ctf.getConditionId(oracle, questionId, 2);
        m.yes = ctf.getPositionId(collateral, ctf.getCollectionId(bytes32(0), m.conditionId, 1));
        m.no = ctf.getPositionId(collateral, ctf.getCollectionId(bytes32(0), m.conditionId, 2));
    }

    function binaryPartition() internal pure returns (uint256[] memory partition) {
        partition = new uint256[](2);
        partition[0] = 1;
        partition[1] = 2;
    }
}
