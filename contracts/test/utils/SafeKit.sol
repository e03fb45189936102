// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {Vm, VM_ADDRESS} from "./Vm.sol";

/// @notice The Safe functions the tests drive (the same in the 1.3.0 and 1.4.1 npm artifacts).
interface ISafeFull {
    function setup(
        address[] calldata owners,
        uint256 threshold,
        address to,
        bytes calldata data,
        address fallbackHandler,
        address paymentToken,
        uint256 payment,
        address payable paymentReceiver
    ) external;
    function execTransaction(
        address to,
        uint256 value,
        bytes calldata data,
        uint8 operation,
        uint256 safeTxGas,
        uint256 baseGas,
        uint256 gasPrice,
        address gasToken,
        address payable refundReceiver,
        bytes memory signatures
    ) external payable returns (bool success);
    function getTransactionHash(
        address to,
        uint256 value,
        bytes calldata data,
        uint8 operation,
        uint256 safeTxGas,
        uint256 baseGas,
        uint256 gasPrice,
        address gasToken,
        address refundReceiver,
        uint256 nonce
    ) external view returns (bytes32);
    function nonce() external view returns (uint256);
    function enableModule(address module) external;
    function disableModule(address prevModule, address module) external;
    function isModuleEnabled(address module) external view returns (bool);
    function getOwners() external view returns (address[] memory);
    function getThreshold() external view returns (uint256);
    function addOwnerWithThreshold(address owner, uint256 threshold) external;
    function execTransactionFromModule(address to, uint256 value, bytes calldata data, uint8 operation)
        external
        returns (bool success);
    function setFallbackHandler(address handler) external;
    function setGuard(address guard) external;
    function getStorageAt(uint256 offset, uint256 length) external view returns (bytes memory);
    function VERSION() external view returns (string memory);
}

interface ISafeProxyFactory {
    function createProxyWithNonce(address singleton, bytes memory initializer, uint256 saltNonce)
        external
        returns (address proxy);
}

/// @title SafeKit — real Safes for tests, from the published npm artifacts
/// @notice Deploys the singleton, proxy factory and compatibility fallback handler of Safe 1.4.1
/// (npm safe-global/safe-contracts) or Safe 1.3.0 (npm gnosis.pm/safe-contracts, the version
/// Polymarket's Safes run) from their published bytecode, creates single-owner Safes through the
/// factory with that handler (so they accept ERC-1155 outcome tokens, as Polymarket's do), and runs
/// owner-signed Safe transactions. Both versions share the SafeTx hash and the functions used here.
library SafeKit {
    Vm private constant vm = Vm(VM_ADDRESS);

    enum Version {
        V1_4_1,
        V1_3_0
    }

    string private constant ARTIFACTS_141 =
        "../tools/node_modules/@safe-global/safe-contracts/build/artifacts/contracts/";
    string private constant ARTIFACTS_130 =
        "../tools/node_modules/@gnosis.pm/safe-contracts/build/artifacts/contracts/";
    address private constant SENTINEL_MODULES = address(0x1);
    bytes32 private constant DOMAIN_TYPEHASH = keccak256("EIP712Domain(uint256 chainId,address verifyingContract)");
    bytes32 private constant SAFE_TX_TYPEHASH = keccak256(
        "SafeTx(address to,uint256 value,bytes data,uint8 operation,uint256 safeTxGas,uint256 baseGas,uint256 gasPrice,address gasToken,address refundReceiver,uint256 nonce)"
    );

    struct Deployment {
        Version version;
        address singleton;
        ISafeProxyFactory factory;
        address fallbackHandler;
    }

    function deploy(Version version) internal returns (Deployment memory d) {
        d.version = version;
        if (version == Version.V1_4_1) {
            d.singleton = deployArtifact(string.concat(ARTIFACTS_141, "Safe.sol/Safe.json"));
            d.factory = ISafeProxyFactory(
                deployArtifact(string.concat(ARTIFACTS_141, "proxies/SafeProxyFactory.sol/SafeProxyFactory.json"))
            );
        } else {
            d.singleton = deployArtifact(string.concat(ARTIFACTS_130, "GnosisSafe.sol/GnosisSafe.json"));
            d.factory = ISafeProxyFactory(
                deployArtifact(
                    string.concat(ARTIFACTS_130, "proxies/GnosisSafeProxyFactory.sol/GnosisSafeProxyFactory.json")
                )
            );
        }
        d.fallbackHandler = deployArtifact(
            string.concat(
                version == Version.V1_4_1 ? ARTIFACTS_141 : ARTIFACTS_130,
                "handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json"
            )
        );
        vm.label(d.singleton, "SafeSingleton");
        vm.label(address(d.factory), "SafeProxyFactory");
        vm.label(d.fallbackHandler, "SafeFallbackHandler");
    }

    /// @notice Deploys the creation bytecode (`.bytecode`) of a Hardhat or Truffle artifact.
    function deployArtifact(string memory path) internal returns (address deployed) {
        bytes memory code = vm.parseJsonBytes(vm.readFile(path), ".bytecode");
        assembly ("memory-safe") {
            deployed := create(0, add(code, 0x20), mload(code))
        }
        require(deployed != address(0), "SafeKit: artifact deployment failed");
    }

    function versionString(Version version) internal pure returns (string memory) {
        return version == Version.V1_4_1 ? "1.4.1" : "1.3.0";
    }

    function createSafe(Deployment memory d, address owner, uint256 salt) internal returns (ISafeFull safe) {
        address[] memory owners = new address[](1);
        owners[0] = owner;
        bytes memory init = abi.encodeCall(
            ISafeFull.setup, (owners, 1, address(0), "", d.fallbackHandler, address(0), 0, payable(address(0)))
        );
        safe = ISafeFull(d.factory.createProxyWithNonce(d.singleton, init, salt));
    }

    /// @notice Runs `to.call(data)` as a Safe transaction signed by the owner's key (threshold 1).
    function execAsOwner(ISafeFull safe, uint256 ownerKey, address to, bytes memory data) internal {
        bytes memory signature = ownerSignature(safe, ownerKey, to, data);
        bool ok = safe.execTransaction(to, 0, data, 0, 0, 0, 0, address(0), payable(address(0)), signature);
        require(ok, "SafeKit: Safe transaction failed");
    }

    function ownerSignature(ISafeFull safe, uint256 ownerKey, address to, bytes memory data)
        internal
        view
        returns (bytes memory)
    {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ownerKey, safeTxHash(safe, to, data, safe.nonce()));
        return abi.encodePacked(r, s, v);
    }

    /// @dev The EIP-712 SafeTx hash of Safe 1.3.0 and 1.4.1 for a plain call without refunds (what
    /// `getTransactionHash` returns; spelled out because that call is too wide for the stack).
    function safeTxHash(ISafeFull safe, address to, bytes memory data, uint256 nonce) internal view returns (bytes32) {
        bytes32 domain = keccak256(abi.encode(DOMAIN_TYPEHASH, block.chainid, address(safe)));
        bytes32 structHash = keccak256(
            bytes.concat(
                abi.encode(SAFE_TX_TYPEHASH, to, uint256(0), keccak256(data), uint8(0)),
                abi.encode(uint256(0), uint256(0), uint256(0), address(0), address(0), nonce)
            )
        );
        return keccak256(abi.encodePacked(hex"1901", domain, structHash));
    }

    function enableModule(ISafeFull safe, uint256 ownerKey, address module) internal {
        execAsOwner(safe, ownerKey, address(safe), abi.encodeCall(ISafeFull.enableModule, (module)));
    }

    /// @dev The Safe's first storage slot holds its singleton (implementation) address.
    function singletonOf(ISafeFull safe) internal view returns (address) {
        return abi.decode(safe.getStorageAt(0, 1), (address));
    }

    /// @dev FallbackManager's slot: keccak256("fallback_manager.handler.address").
    function fallbackHandlerOf(ISafeFull safe) internal view returns (address) {
        return abi.decode(safe.getStorageAt(uint256(keccak256("fallback_manager.handler.address")), 1), (address));
    }

    function sentinel() internal pure returns (address) {
        return SENTINEL_MODULES;
    }
}
