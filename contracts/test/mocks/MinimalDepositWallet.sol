// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.30;

/// @notice The smallest wallet that validates orders the way a Polymarket deposit wallet does:
/// ERC-1271 through ERC-7739 nested typed data (Solady's `TypedDataSign`, the layout
/// clob-client-v2 and py-clob-client-v2 sign). The fake CLOB asks it, on anvil, whether a
/// POLY_1271 order's signature holds. Its bytecode is committed for the Rust suites
/// (tests/fakes/fixtures/minimal_deposit_wallet.hex; scripts/test-contracts.sh checks it is current).
contract MinimalDepositWallet {
    bytes4 private constant MAGIC = 0x1626ba7e;
    bytes4 private constant REFUSED = 0xffffffff;
    bytes32 private constant NAME_HASH = keccak256("DepositWallet");
    bytes32 private constant VERSION_HASH = keccak256("1");

    address public immutable owner;

    constructor(address owner_) {
        owner = owner_;
    }

    /// @param signature owner's 65-byte signature ‖ app domain separator ‖ contents hash ‖
    /// contents type ‖ uint16 length of the contents type.
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (signature.length < 65 + 64 + 2) return REFUSED;
        uint256 typeLength = uint16(bytes2(signature[signature.length - 2:]));
        if (signature.length != 65 + 64 + typeLength + 2) return REFUSED;
        bytes32 appSeparator = bytes32(signature[65:97]);
        bytes32 contents = bytes32(signature[97:129]);
        bytes calldata contentsType = signature[129:129 + typeLength];
        if (keccak256(abi.encodePacked(hex"1901", appSeparator, contents)) != hash) return REFUSED;
        bytes32 digest = keccak256(abi.encodePacked(hex"1901", appSeparator, _structHash(contents, contentsType)));
        return _recover(digest, signature[0:65]) == owner ? MAGIC : REFUSED;
    }

    function _structHash(bytes32 contents, bytes calldata contentsType) private view returns (bytes32) {
        uint256 nameEnd = 0;
        while (nameEnd < contentsType.length && contentsType[nameEnd] != "(") {
            nameEnd++;
        }
        bytes32 typeHash = keccak256(
            abi.encodePacked(
                "TypedDataSign(",
                contentsType[0:nameEnd],
                " contents,string name,string version,uint256 chainId,address verifyingContract,bytes32 salt)",
                contentsType
            )
        );
        return
            keccak256(abi.encode(typeHash, contents, NAME_HASH, VERSION_HASH, block.chainid, address(this), bytes32(0)));
    }

    function _recover(bytes32 digest, bytes calldata signature) private pure returns (address) {
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        // Lower-half s only, as OpenZeppelin and Solady require.
        if (uint256(s) > 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0) return address(0);
        return ecrecover(digest, v, r, s);
    }
}
