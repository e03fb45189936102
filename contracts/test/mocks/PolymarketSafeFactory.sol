// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

interface ISafeSetup {
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
}

/// @notice A stand-in for Polymarket's Safe factory on Polygon (0xaacFeEa0…541b), with its
/// interface and rules as Polymarket publishes them (Polymarket/proxy-factories): the owner signs
/// EIP-712 `CreateProxy(address paymentToken,uint256 payment,address paymentReceiver)` under
/// `{name: "Polymarket Contract Proxy Factory", chainId, verifyingContract: factory}`, anyone may
/// submit it, and the owner's 1-of-1 Safe is created with CREATE2 at salt
/// `keccak256(abi.encode(owner))` from `proxyCreationCode ‖ abi.encode(masterCopy)`. Polygon's
/// deployment compiled the proxy itself, so its init code hash differs from any build here: the
/// proxy creation code is a constructor argument (Safe 1.3.0's `GnosisSafeProxy` from npm), and
/// Mirror takes the factory address and init code hash as variables.
contract PolymarketSafeFactory {
    event ProxyCreation(address proxy, address owner);

    struct Sig {
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    bytes32 public constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,uint256 chainId,address verifyingContract)");
    bytes32 public constant CREATE_PROXY_TYPEHASH =
        keccak256("CreateProxy(address paymentToken,uint256 payment,address paymentReceiver)");
    string public constant NAME = "Polymarket Contract Proxy Factory";

    address public immutable masterCopy;
    address public immutable fallbackHandler;
    bytes32 public immutable domainSeparator;
    bytes public proxyCreationCode;

    constructor(address masterCopy_, address fallbackHandler_, bytes memory proxyCreationCode_) {
        masterCopy = masterCopy_;
        fallbackHandler = fallbackHandler_;
        proxyCreationCode = proxyCreationCode_;
        domainSeparator = keccak256(abi.encode(DOMAIN_TYPEHASH, keccak256(bytes(NAME)), block.chainid, address(this)));
    }

    function getContractBytecode() public view returns (bytes memory) {
        return abi.encodePacked(proxyCreationCode, abi.encode(masterCopy));
    }

    function getSalt(address user) public pure returns (bytes32) {
        return keccak256(abi.encode(user));
    }

    function computeProxyAddress(address user) external view returns (address) {
        bytes32 codeHash = keccak256(getContractBytecode());
        return
            address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), getSalt(user), codeHash)))));
    }

    function createProxy(address paymentToken, uint256 payment, address payable paymentReceiver, Sig calldata createSig)
        external
    {
        bytes32 structHash = keccak256(abi.encode(CREATE_PROXY_TYPEHASH, paymentToken, payment, paymentReceiver));
        address owner = ecrecover(
            keccak256(abi.encodePacked(hex"1901", domainSeparator, structHash)), createSig.v, createSig.r, createSig.s
        );
        require(owner != address(0), "invalid signature");
        bytes memory deployment = getContractBytecode();
        bytes32 salt = getSalt(owner);
        address proxy;
        assembly {
            proxy := create2(0x0, add(0x20, deployment), mload(deployment), salt)
        }
        require(proxy != address(0), "create2 call failed");
        address[] memory owners = new address[](1);
        owners[0] = owner;
        ISafeSetup(proxy).setup(owners, 1, address(0), "", fallbackHandler, paymentToken, payment, paymentReceiver);
        emit ProxyCreation(proxy, owner);
    }
}
