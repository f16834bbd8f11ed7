// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// Leaf values of docs/protocol.md section 3 ("Leaf values"): each is `abi.encode` of its static
/// tuple, the same bytes Java's `dev.clearline.engine.state.*Leaf.encode()` writes.

/// @notice BALANCE(owner): `(uint64 free, uint64 nonce)`.
struct BalanceLeaf {
    uint64 free;
    uint64 nonce;
}

/// @notice POSITION(owner, market): `(int64 size, int64 quote, int64 fundingIndex)`.
struct PositionLeaf {
    int64 size;
    int64 quote;
    int64 fundingIndex;
}

/// @notice ORDER(digest): what became of an order hash, the short id its PostOrder gave it (>= 1),
///         or a tombstone (orderId 0, the canceller). `(uint64 orderId, address cancelledBy)`, or, for
///         an order with an expiry, `(uint64 orderId, address cancelledBy, uint32 market, uint64 expiry)`
///         (what PruneOrderHash checks); market and expiry read 0 from the short form.
struct OrderHashLeaf {
    uint64 orderId;
    address cancelledBy;
    uint32 marketId;
    uint64 expiry;
}

/// @notice ORDER_STATE(orderId): `(address trader, uint32 market, bool isBuy, uint64 price, uint64 size,
///         uint8 flags, uint8 peg, int32 pegOffset, uint8 timeInForce, uint64 expiry, uint64 batchIndex,
///         uint64 filled, bool cancelled)`.
struct OrderLeaf {
    address trader;
    uint32 marketId;
    bool isBuy;
    uint64 price;
    uint64 size;
    uint8 flags;
    uint8 peg;
    int32 pegOffset;
    uint8 timeInForce;
    uint64 expiry;
    uint64 batchIndex;
    uint64 filled;
    bool cancelled;
}

/// @notice MARKET(market): `(uint64 tickSize, uint64 lotSize, uint32 imfPpm, uint32 mmfPpm,
///         uint32 makerFeePpm, uint32 takerFeePpm, uint32 liquidationFeePpm, address oracle, uint64 markPrice,
///         int64 fundingIndex, uint64 lastOracleTs, uint64 feesAccrued)`.
struct MarketLeaf {
    uint64 tickSize;
    uint64 lotSize;
    uint32 imfPpm;
    uint32 mmfPpm;
    uint32 makerFeePpm;
    uint32 takerFeePpm;
    uint32 liquidationFeePpm;
    address oracle;
    uint64 markPrice;
    int64 fundingIndex;
    uint64 lastOracleTs;
    uint64 feesAccrued;
}

/// @notice WITHDRAWAL(id): `(address recipient, uint64 amount)`.
struct WithdrawalLeaf {
    address recipient;
    uint64 amount;
}

/// @notice GLOBAL: `(uint64 nextWithdrawalId, uint64 priorityOpsConsumed, bytes32 priorityHash,
///         uint64 forcedRejections, uint64 orderCount)`.
struct GlobalLeaf {
    uint64 nextWithdrawalId;
    uint64 priorityOpsConsumed;
    bytes32 priorityHash;
    uint64 forcedRejections;
    uint64 orderCount;
}

/// @title Leaves
/// @notice Decoders of the leaf values. A value is only trusted once the step's multi-proof shows
///         it under the pre-state root, so decoding never reverts on content: words are read and
///         narrowed, and a value of the wrong length is refused by `Witness` before it gets here.
library Leaves {
    uint256 internal constant BALANCE_BYTES = 64;
    uint256 internal constant POSITION_BYTES = 96;
    uint256 internal constant ORDER_HASH_BYTES = 64;
    uint256 internal constant ORDER_HASH_EXPIRING_BYTES = 128;
    uint256 internal constant ORDER_BYTES = 416;
    uint256 internal constant MARKET_BYTES = 384;
    uint256 internal constant GLOBAL_BYTES = 160;

    function decodeBalance(bytes memory v) internal pure returns (BalanceLeaf memory b) {
        b.free = uint64(_word(v, 0));
        b.nonce = uint64(_word(v, 1));
    }

    function decodePosition(bytes memory v) internal pure returns (PositionLeaf memory p) {
        p.size = int64(int256(_word(v, 0)));
        p.quote = int64(int256(_word(v, 1)));
        p.fundingIndex = int64(int256(_word(v, 2)));
    }

    function decodeOrder(bytes memory v) internal pure returns (OrderLeaf memory o) {
        o.trader = address(uint160(_word(v, 0)));
        o.marketId = uint32(_word(v, 1));
        o.isBuy = _word(v, 2) != 0;
        o.price = uint64(_word(v, 3));
        o.size = uint64(_word(v, 4));
        o.flags = uint8(_word(v, 5));
        o.peg = uint8(_word(v, 6));
        o.pegOffset = int32(int256(_word(v, 7)));
        o.timeInForce = uint8(_word(v, 8));
        o.expiry = uint64(_word(v, 9));
        o.batchIndex = uint64(_word(v, 10));
        o.filled = uint64(_word(v, 11));
        o.cancelled = _word(v, 12) != 0;
    }

    function decodeOrderHash(bytes memory v) internal pure returns (OrderHashLeaf memory h) {
        h.orderId = uint64(_word(v, 0));
        h.cancelledBy = address(uint160(_word(v, 1)));
        if (v.length == ORDER_HASH_EXPIRING_BYTES) {
            h.expiry = uint64(_word(v, 3));
            if (h.expiry != 0) h.marketId = uint32(_word(v, 2)); // as Java: no expiry, no market
        }
    }

    /// @notice The leaf's bytes: the short form without an expiry, as Java's `OrderHashLeaf.encode`.
    function encodeOrderHash(OrderHashLeaf memory h) internal pure returns (bytes memory) {
        if (h.expiry == 0) return abi.encode(h.orderId, h.cancelledBy);
        return abi.encode(h);
    }

    function decodeMarket(bytes memory v) internal pure returns (MarketLeaf memory m) {
        m.tickSize = uint64(_word(v, 0));
        m.lotSize = uint64(_word(v, 1));
        m.imfPpm = uint32(_word(v, 2));
        m.mmfPpm = uint32(_word(v, 3));
        m.makerFeePpm = uint32(_word(v, 4));
        m.takerFeePpm = uint32(_word(v, 5));
        m.liquidationFeePpm = uint32(_word(v, 6));
        m.oracle = address(uint160(_word(v, 7)));
        m.markPrice = uint64(_word(v, 8));
        m.fundingIndex = int64(int256(_word(v, 9)));
        m.lastOracleTs = uint64(_word(v, 10));
        m.feesAccrued = uint64(_word(v, 11));
    }

    function decodeGlobal(bytes memory v) internal pure returns (GlobalLeaf memory g) {
        g.nextWithdrawalId = uint64(_word(v, 0));
        g.priorityOpsConsumed = uint64(_word(v, 1));
        g.priorityHash = bytes32(_word(v, 2));
        g.forcedRejections = uint64(_word(v, 3));
        g.orderCount = uint64(_word(v, 4));
    }

    /// @notice The tombstone a cancel of a never-posted order writes under its hash.
    function tombstone(address canceller) internal pure returns (OrderHashLeaf memory h) {
        h.cancelledBy = canceller;
    }

    function isTombstone(OrderHashLeaf memory h) internal pure returns (bool) {
        return h.orderId == 0;
    }

    /// @notice Whose the hash is: a posted order's trader, or a tombstone's canceller.
    function cancellableBy(OrderHashLeaf memory h, OrderLeaf memory posted, address who) internal pure returns (bool) {
        return (h.orderId == 0 ? h.cancelledBy : posted.trader) == who;
    }

    /// @notice A tombstone, or a posted order already cancelled.
    function cancelled(OrderHashLeaf memory h, OrderLeaf memory posted) internal pure returns (bool) {
        return h.orderId == 0 || posted.cancelled;
    }

    function _word(bytes memory v, uint256 i) private pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := mload(add(add(v, 32), mul(i, 32)))
        }
    }
}
