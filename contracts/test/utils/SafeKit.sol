// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

import {Vm, VM_ADDRESS} from "./Vm.sol";

/// @notice The Safe 1.4.1 functions the tests drive (ABI of the npm artifact).
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
    function getStorageAt(uint256 offset, uint256 length) external view returns (bytes memory);
    function VERSION() external view returns (string memory);
}

interface ISafeProxyFactory {
    function createProxyWithNonce(address singleton, bytes memory initializer, uint256 saltNonce)
        external
        returns (address proxy);
}

/// @title SafeKit — a real Safe 1.4.1 for tests, from the `@safe-global/safe-contracts` npm artifacts
/// @notice Deploys the singleton and proxy factory from their published bytecode, creates
/// single-owner Safes through the factory, and runs owner-signed Safe transactions.
library SafeKit {
    Vm private constant vm = Vm(VM_ADDRESS);

    string private constant ARTIFACTS = "../tools/node_modules/@safe-global/safe-contracts/build/artifacts/contracts/";
    address private constant SENTINEL_MODULES = address(0x1);
    bytes32 private constant DOMAIN_TYPEHASH = keccak256("EIP712Domain(uint256 chainId,address verifyingContract)");
    bytes32 private constant SAFE_TX_TYPEHASH = keccak256(
        "SafeTx(address to,uint256 value,bytes data,uint8 operation,uint256 safeTxGas,uint256 baseGas,uint256 gasPrice,address gasToken,address refundReceiver,uint256 nonce)"
    );

    struct Deployment {
        address singleton;
        ISafeProxyFactory factory;
    }

    function deploy() internal returns (Deployment memory d) {
        d.singleton = deployArtifact("Safe.sol/Safe.json");
        d.factory = ISafeProxyFactory(deployArtifact("proxies/SafeProxyFactory.sol/SafeProxyFactory.json"));
        vm.label(d.singleton, "SafeSingleton");
        vm.label(address(d.factory), "SafeProxyFactory");
    }

    function deployArtifact(string memory relativePath) internal returns (address deployed) {
        string memory json = vm.readFile(string.concat(ARTIFACTS, relativePath));
        bytes memory code = vm.parseJsonBytes(json, ".bytecode");
        assembly ("memory-safe") {
            deployed := create(0, add(code, 0x20), mload(code))
        }
        require(deployed != address(0), "SafeKit: artifact deployment failed");
    }

    function createSafe(Deployment memory d, address owner, uint256 salt) internal returns (ISafeFull safe) {
        address[] memory owners = new address[](1);
        owners[0] = owner;
        bytes memory init = abi.encodeCall(
            ISafeFull.setup, (owners, 1, address(0), "", address(0), address(0), 0, payable(address(0)))
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

    /// @dev Safe 1.4.1's EIP-712 SafeTx hash for a plain call without refunds (what
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

    function sentinel() internal pure returns (address) {
        return SENTINEL_MODULES;
    }
}
