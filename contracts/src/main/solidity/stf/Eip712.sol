// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Order} from "./Transitions.sol";

/// @title Eip712
/// @notice The digests Clearline signs, built on-chain exactly as Java's
///         `dev.clearline.engine.order.Eip712` builds them (docs/protocol.md section 3):
///         keccak(0x19 || 0x01 || domainSeparator || keccak(abi.encode(typeHash, fields...))).
library Eip712 {
    bytes32 internal constant ORDER_TYPEHASH = keccak256(
        "Order(address trader,uint32 market,bool isBuy,uint64 price,uint64 size,uint64 displaySize,uint8 timeInForce,uint8 flags,uint8 peg,int32 pegOffset,uint64 expiry,uint64 nonce,uint64 margin)"
    );
    bytes32 internal constant CANCEL_TYPEHASH = keccak256("Cancel(address owner,bytes32 orderHash)");
    bytes32 internal constant ALLOCATE_TYPEHASH =
        keccak256("Allocate(address owner,uint32 market,uint64 amount,uint64 nonce)");
    bytes32 internal constant RELEASE_TYPEHASH =
        keccak256("Release(address owner,uint32 market,uint64 amount,uint64 nonce)");
    bytes32 internal constant WITHDRAW_TYPEHASH =
        keccak256("Withdraw(address owner,address recipient,uint64 amount,uint64 nonce)");
    bytes32 internal constant ORACLE_PRICE_TYPEHASH =
        keccak256("OraclePrice(uint32 market,uint64 price,int64 fundingIndex,uint64 timestamp)");

    /// @notice The order's digest, which is also its identity (the ORDER leaf's key material).
    function orderDigest(bytes32 domainSeparator, Order memory o) internal pure returns (bytes32) {
        return _digest(domainSeparator, keccak256(abi.encode(ORDER_TYPEHASH, o)));
    }

    function cancelDigest(bytes32 domainSeparator, address owner, bytes32 orderHash) internal pure returns (bytes32) {
        return _digest(domainSeparator, keccak256(abi.encode(CANCEL_TYPEHASH, owner, orderHash)));
    }

    /// @param typeHash ALLOCATE_TYPEHASH or RELEASE_TYPEHASH
    function marginDigest(bytes32 domainSeparator, bytes32 typeHash, address owner, uint32 marketId, uint64 amount, uint64 nonce)
        internal
        pure
        returns (bytes32)
    {
        return _digest(domainSeparator, keccak256(abi.encode(typeHash, owner, marketId, amount, nonce)));
    }

    function withdrawDigest(bytes32 domainSeparator, address owner, address recipient, uint64 amount, uint64 nonce)
        internal
        pure
        returns (bytes32)
    {
        return _digest(domainSeparator, keccak256(abi.encode(WITHDRAW_TYPEHASH, owner, recipient, amount, nonce)));
    }

    function oraclePriceDigest(bytes32 domainSeparator, uint32 marketId, uint64 price, int64 fundingIndex, uint64 timestamp)
        internal
        pure
        returns (bytes32)
    {
        return _digest(
            domainSeparator, keccak256(abi.encode(ORACLE_PRICE_TYPEHASH, marketId, price, fundingIndex, timestamp))
        );
    }

    function _digest(bytes32 domainSeparator, bytes32 structHash) private pure returns (bytes32) {
        return keccak256(abi.encodePacked(hex"1901", domainSeparator, structHash));
    }
}
