// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Reject} from "./Reject.sol";
import {Fixed} from "./Fixed.sol";
import {Checks} from "./Checks.sol";
import {Eip712} from "./Eip712.sol";
import {State, Witness} from "./Witness.sol";
import {BalanceLeaf, PositionLeaf, OrderHashLeaf, OrderLeaf, MarketLeaf, GlobalLeaf, Leaves} from "./Leaves.sol";
import {Order, PostOrder} from "./Transitions.sol";

/// @title PostOrderRule
/// @notice Brings a signed order into the tree, the only place an order's signature is checked, and
///         gives it the next short id (GLOBAL.orderCount + 1). Moves the order's margin from the free
///         balance into its isolated position.
library PostOrderRule {
    uint8 internal constant POST_ONLY = 1;
    uint8 internal constant REDUCE_ONLY = 2;
    uint8 internal constant MARKET = 4;
    uint8 internal constant KNOWN_FLAGS = 7;
    uint8 internal constant GTC = 0;
    uint8 internal constant PEG_NONE = 0;
    uint8 internal constant PEG_MARK = 1;
    uint8 internal constant PEG_BOOK = 2;
    /// @notice Short order ids are 48-bit in Trade encodings.
    uint64 internal constant MAX_ORDER_ID = 2 ** 48 - 1;

    function execute(State memory s, PostOrder memory p) internal pure returns (Reject) {
        Order memory o = p.order; // 1. load
        bytes32 hash = Eip712.orderDigest(s.domainSeparator, o);
        (bool exists, MarketLeaf memory m) = Witness.market(s, o.marketId);
        GlobalLeaf memory g = Witness.global(s);
        Reject r = Checks.signedBy(hash, p.sig, o.trader); // 2. authorise
        if (r == Reject.None) r = Checks.marketExists(exists); // 3. validate
        if (r == Reject.None) r = _priorLeaf(s, hash, o);
        if (r == Reject.None) r = fields(o, m);
        if (r == Reject.None && Checks.expired(o.expiry, m)) r = Reject.EXPIRED;
        if (r == Reject.None && g.orderCount >= MAX_ORDER_ID) r = Reject.OVERFLOW;
        if (r != Reject.None) return r;
        // 4. apply: margin into the position (checked before any write: a rejection must not need
        // the witness of leaves it would have written), then the order under the next short id
        if (o.margin != 0) {
            r = _moveMargin(s, o, m);
            if (r != Reject.None) return r;
        }
        uint64 id = g.orderCount + 1;
        Witness.putOrderHash(s, hash, OrderHashLeaf(id, address(0), o.marketId, o.expiry));
        Witness.putOrder(s, id, _leaf(o, s.batchIndex));
        g.orderCount = id;
        Witness.putGlobal(s, g);
        return Reject.None;
    }

    /// @notice The static checks an order must pass against its market.
    function fields(Order memory o, MarketLeaf memory m) internal pure returns (Reject) {
        bool isMarket = o.flags & MARKET != 0;
        bool postOnly = o.flags & POST_ONLY != 0;
        if (
            o.size == 0 || o.price == 0 || o.displaySize > o.size || o.flags & ~KNOWN_FLAGS != 0
                || (isMarket && o.timeInForce == GTC) || (postOnly && (isMarket || o.timeInForce != GTC))
                || (o.peg == PEG_NONE ? o.pegOffset != 0 : isMarket)
        ) return Reject.BAD_ORDER_FIELDS;
        if (o.price % m.tickSize != 0) return Reject.PRICE_OFF_TICK;
        if (o.size % m.lotSize != 0 || o.displaySize % m.lotSize != 0) return Reject.SIZE_OFF_LOT;
        return Reject.None;
    }

    /// A hash already in the tree cannot be posted again: ORDER_CANCELLED when its trader cancelled
    /// it before it was posted; another trader's tombstone does not bind this order.
    function _priorLeaf(State memory s, bytes32 hash, Order memory o) private pure returns (Reject) {
        (bool exists, OrderHashLeaf memory prior) = Witness.orderHash(s, hash);
        if (!exists) return Reject.None;
        if (Leaves.isTombstone(prior)) return prior.cancelledBy == o.trader ? Reject.ORDER_CANCELLED : Reject.None;
        return Reject.DUPLICATE_ORDER;
    }

    function _leaf(Order memory o, uint64 batchIndex) private pure returns (OrderLeaf memory l) {
        l.trader = o.trader;
        l.marketId = o.marketId;
        l.isBuy = o.isBuy;
        l.price = o.price;
        l.size = o.size;
        l.flags = o.flags;
        l.peg = o.peg;
        l.pegOffset = o.pegOffset;
        l.timeInForce = o.timeInForce;
        l.expiry = o.expiry;
        l.batchIndex = batchIndex;
    }

    function _moveMargin(State memory s, Order memory o, MarketLeaf memory m) private pure returns (Reject) {
        BalanceLeaf memory b = Witness.balance(s, o.trader);
        if (b.free < o.margin) return Reject.INSUFFICIENT_BALANCE;
        (bool ok, PositionLeaf memory pos) = Checks.settled(Witness.position(s, o.trader, o.marketId), m);
        int256 quote = ok ? Fixed.add(pos.quote, int256(uint256(o.margin))) : Fixed.OVERFLOW;
        if (quote == Fixed.OVERFLOW) return Reject.OVERFLOW;
        Witness.putBalance(s, o.trader, BalanceLeaf(b.free - o.margin, b.nonce));
        pos.quote = int64(quote);
        Witness.putPosition(s, o.trader, o.marketId, pos);
        return Reject.None;
    }
}
