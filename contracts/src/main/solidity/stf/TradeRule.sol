// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Reject} from "./Reject.sol";
import {Fixed} from "./Fixed.sol";
import {Margin} from "./Margin.sol";
import {Checks} from "./Checks.sol";
import {State, Witness} from "./Witness.sol";
import {PositionLeaf, OrderLeaf, MarketLeaf} from "./Leaves.sol";
import {Trade} from "./Transitions.sol";
import {PostOrderRule} from "./PostOrderRule.sol";
import {PegPrice} from "./PegPrice.sol";

/// @title TradeRule
/// @notice A fill of a maker order by a taker order at the maker's price: its fixed price, or for a
///         mark-pegged maker its pegged price at the mark; a book-pegged maker fills only through
///         TradeAtPrice (`fill` with an explicit price, checked against both limits).
library TradeRule {
    /// The two sides of a fill after settling funding and applying it.
    struct Fill {
        PositionLeaf makerBefore;
        PositionLeaf takerBefore;
        PositionLeaf makerAfter;
        PositionLeaf takerAfter;
        int256 fees;
    }

    /// What a fill names: the two orders, the size, and for TradeAtPrice the stated price.
    struct Request {
        uint64 makerId;
        uint64 takerId;
        uint64 size;
        uint64 explicitPrice;
        bool atPrice;
    }

    /// The loaded orders and market, and the price the fill happens at.
    struct Loaded {
        OrderLeaf maker;
        OrderLeaf taker;
        MarketLeaf m;
        int256 price;
    }

    /// @notice A fill at the maker's fixed or mark-pegged price (Trade, type 7).
    function execute(State memory s, Trade memory t) internal pure returns (Reject) {
        return fill(s, Request(t.makerId, t.takerId, t.size, 0, false));
    }

    /// @notice The checks and effects of a fill, in the twin order; `q.atPrice` says the transition
    ///         is a TradeAtPrice carrying `q.explicitPrice`.
    function fill(State memory s, Request memory q) internal pure returns (Reject) {
        Loaded memory o;
        bool makerExists;
        bool takerExists;
        (makerExists, o.maker) = Witness.order(s, q.makerId); // 1. load
        (takerExists, o.taker) = Witness.order(s, q.takerId);
        if (!makerExists || !takerExists) return Reject.ORDER_NOT_FOUND; // 2. authorise: posted = signature seen
        (, o.m) = Witness.market(s, o.maker.marketId);
        Reject r = _validate(o.maker, o.taker, o.m, q.size, q.atPrice, s.batchIndex); // 3. validate
        if (r != Reject.None) return r;
        (r, o.price) = _price(o.maker, o.taker, o.m, q.explicitPrice, q.atPrice);
        if (r != Reject.None) return r;
        if (q.size > o.maker.size - o.maker.filled || q.size > o.taker.size - o.taker.filled) return Reject.OVERFILL;

        Fill memory f; // 4. apply
        (r, f) = _fill(s, o.maker, o.taker, o.m, q.size, o.price);
        if (r != Reject.None) return r;

        r = _reduceOnly(o.maker, f.makerBefore, f.makerAfter); // 5. check flags and margin
        if (r == Reject.None) r = _reduceOnly(o.taker, f.takerBefore, f.takerAfter);
        if (r == Reject.None) r = _margin(f.makerBefore, f.makerAfter, o.m);
        if (r == Reject.None) r = _margin(f.takerBefore, f.takerAfter, o.m);
        if (r != Reject.None) return r;
        _write(s, q, o, f);
        return Reject.None;
    }

    function _write(State memory s, Request memory q, Loaded memory o, Fill memory f) private pure {
        o.maker.filled += q.size;
        o.taker.filled += q.size;
        Witness.putOrder(s, q.makerId, o.maker);
        Witness.putOrder(s, q.takerId, o.taker);
        Witness.putPosition(s, o.maker.trader, o.maker.marketId, f.makerAfter);
        Witness.putPosition(s, o.taker.trader, o.taker.marketId, f.takerAfter);
        o.m.feesAccrued = uint64(uint256(f.fees));
        Witness.putMarket(s, o.maker.marketId, o.m);
    }

    function _validate(
        OrderLeaf memory maker,
        OrderLeaf memory taker,
        MarketLeaf memory m,
        uint64 size,
        bool atPrice,
        uint64 batch
    ) private pure returns (Reject) {
        if (size == 0 || size % m.lotSize != 0) return Reject.SIZE_OFF_LOT;
        if (maker.marketId != taker.marketId) return Reject.MARKET_MISMATCH;
        if (maker.isBuy == taker.isBuy) return Reject.SAME_SIDE;
        if (maker.trader == taker.trader) return Reject.SELF_TRADE;
        Reject r = Checks.live(maker, m);
        if (r == Reject.None) r = Checks.live(taker, m);
        if (r == Reject.None) r = _inItsBatch(maker, batch);
        if (r == Reject.None) r = _inItsBatch(taker, batch);
        if (r != Reject.None) return r;
        if (taker.flags & PostOrderRule.POST_ONLY != 0) return Reject.POST_ONLY_WOULD_TAKE;
        if ((maker.peg == PostOrderRule.PEG_BOOK) != atPrice) return Reject.PRICE_RULE_MISMATCH;
        return Checks.hasMark(m);
    }

    /// An IOC or FOK order fills only in the batch whose PostOrder created it.
    function _inItsBatch(OrderLeaf memory o, uint64 batch) private pure returns (Reject) {
        return o.timeInForce != PostOrderRule.GTC && o.batchIndex != batch ? Reject.TIME_IN_FORCE_OVER : Reject.None;
    }

    /// The fill price: the stated one (on tick, within the maker's limit) or the maker's fixed or
    /// mark-pegged price; then the taker's limit (its price, or its mark-pegged price) must reach it.
    function _price(OrderLeaf memory maker, OrderLeaf memory taker, MarketLeaf memory m, uint64 explicitPrice, bool atPrice)
        private
        pure
        returns (Reject, int256 price)
    {
        if (atPrice) {
            price = int256(uint256(explicitPrice));
            if (price <= 0 || explicitPrice % m.tickSize != 0) return (Reject.PRICE_OFF_TICK, price);
            int256 makerLimit = int256(uint256(maker.price));
            if (maker.isBuy ? price > makerLimit : price < makerLimit) return (Reject.NOT_CROSSING, price);
        } else {
            price = _limit(maker, m);
            if (price == Fixed.OVERFLOW) return (Reject.OVERFLOW, price);
            if (price == PegPrice.NOT_POSITIVE) return (Reject.BAD_PRICE, price);
        }
        int256 takerLimit = _limit(taker, m);
        if (takerLimit == Fixed.OVERFLOW) return (Reject.OVERFLOW, price);
        if (takerLimit == PegPrice.NOT_POSITIVE) return (Reject.BAD_PRICE, price);
        if (taker.isBuy ? takerLimit < price : takerLimit > price) return (Reject.NOT_CROSSING, price);
        return (Reject.None, price);
    }

    /// An order's price: its signed price, or for a mark-pegged order its pegged price at the mark.
    function _limit(OrderLeaf memory o, MarketLeaf memory m) private pure returns (int256) {
        if (o.peg != PostOrderRule.PEG_MARK) return int256(uint256(o.price));
        return PegPrice.markPegged(
            o.isBuy, int256(uint256(o.price)), o.pegOffset, int256(uint256(m.markPrice)), int256(uint256(m.tickSize))
        );
    }

    function _fill(State memory s, OrderLeaf memory maker, OrderLeaf memory taker, MarketLeaf memory m, uint64 size, int256 price)
        private
        pure
        returns (Reject, Fill memory f)
    {
        Amounts memory a = _amounts(m, maker, size, price);
        bool mOk;
        bool tOk;
        (mOk, f.makerBefore) = Checks.settled(Witness.position(s, maker.trader, maker.marketId), m);
        (tOk, f.takerBefore) = Checks.settled(Witness.position(s, taker.trader, taker.marketId), m);
        if (a.notional == Fixed.OVERFLOW || !mOk || !tOk) return (Reject.OVERFLOW, f);
        (mOk, f.makerAfter) = _apply(f.makerBefore, a.signedSize, a.notional, a.makerFee);
        (tOk, f.takerAfter) = _apply(f.takerBefore, -a.signedSize, a.notional, a.takerFee);
        f.fees = Fixed.add(int256(uint256(m.feesAccrued)), Fixed.add(a.makerFee, a.takerFee));
        if (!mOk || !tOk || f.fees == Fixed.OVERFLOW) return (Reject.OVERFLOW, f);
        return (Reject.None, f);
    }

    /// The fill's notional at the maker's price, both fees, and the maker's signed size.
    struct Amounts {
        int256 notional;
        int256 makerFee;
        int256 takerFee;
        int256 signedSize;
    }

    function _amounts(MarketLeaf memory m, OrderLeaf memory maker, uint64 size, int256 price)
        private
        pure
        returns (Amounts memory a)
    {
        a.notional = Fixed.notional(int256(uint256(size)), int256(uint256(m.lotSize)), price);
        a.makerFee = Fixed.mulPpmUp(a.notional, int256(uint256(m.makerFeePpm)));
        a.takerFee = Fixed.mulPpmUp(a.notional, int256(uint256(m.takerFeePpm)));
        a.signedSize = maker.isBuy ? int256(uint256(size)) : -int256(uint256(size));
    }

    /// size += d; quote -= d*p + fee, where notional = |d|*p. ok = false on overflow.
    function _apply(PositionLeaf memory p, int256 signedSize, int256 notional, int256 fee)
        private
        pure
        returns (bool ok, PositionLeaf memory out)
    {
        int256 size = Fixed.add(p.size, signedSize);
        int256 cost = signedSize > 0 ? notional : -notional;
        int256 quote = Fixed.sub(p.quote, Fixed.add(cost, fee));
        if (size == Fixed.OVERFLOW || quote == Fixed.OVERFLOW) return (false, out);
        return (true, PositionLeaf(int64(size), int64(quote), p.fundingIndex));
    }

    function _reduceOnly(OrderLeaf memory o, PositionLeaf memory before, PositionLeaf memory afterFill)
        private
        pure
        returns (Reject)
    {
        bool reduceOnly = o.flags & PostOrderRule.REDUCE_ONLY != 0;
        return reduceOnly && (before.size == 0 || !Margin.reduces(before.size, afterFill.size))
            ? Reject.REDUCE_ONLY_WOULD_INCREASE
            : Reject.None;
    }

    function _margin(PositionLeaf memory before, PositionLeaf memory afterFill, MarketLeaf memory m)
        private
        pure
        returns (Reject)
    {
        return Checks.verdict(
            Margin.checkFill(
                before.size,
                before.quote,
                afterFill.size,
                afterFill.quote,
                int256(uint256(m.lotSize)),
                int256(uint256(m.markPrice)),
                int256(uint256(m.imfPpm)),
                int256(uint256(m.mmfPpm))
            )
        );
    }
}
