// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

/// @notice Work that needs a lot of gas (a settlement, say): it refuses to run with less.
contract GasHungryWorker {
    uint256 public constant NEEDS = 2_000_000;
    bool public done;

    function work() external {
        require(gasleft() >= NEEDS, "GasHungryWorker: out of gas");
        done = true;
    }
}

/// @notice A target that runs a sub-call and carries on whether or not it succeeded, as batching
/// and "try" helpers do: given too little gas it succeeds without having done its work.
contract FailureSwallowingTarget {
    GasHungryWorker public immutable worker;

    event SubcallFinished(bool success);

    constructor(GasHungryWorker worker_) {
        worker = worker_;
    }

    function run() external {
        (bool success,) = address(worker).call(abi.encodeCall(GasHungryWorker.work, ()));
        emit SubcallFinished(success);
    }
}

/// @notice Returns as many bytes as asked for.
contract ReturnDataBomb {
    function blast(uint256 size) external pure returns (bytes memory) {
        return new bytes(size);
    }
}
