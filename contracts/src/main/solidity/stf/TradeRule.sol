// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Reject} from "./Reject.sol";
import {Fixed} from "./Fixed.sol";
import {Margin} from "./Margin.sol";
import {Checks} from "./Checks.sol";
import {State, Witness} from "./Witness.sol";
import {PositionLeaf, OrderLeaf, MarketLeaf, Leaves} from "./Leaves.sol";
import {Trade} from "./Transitions.sol";
import {PostOrderRule} from "./PostOrderRule.sol";

/// @title TradeRule
/// @notice A fill of a maker order by a taker order at the maker's price.
library TradeRule {
    /// The two sides of a fill after settling funding and applying it.
    struct Fill {
        PositionLeaf makerBefore;
        PositionLeaf takerBefore;
        PositionLeaf makerAfter;
        PositionLeaf takerAfter;
        int256 fees;
    }

    function execute(State memory s, Trade memory t) internal pure returns (Reject) {
        (bool makerExists, OrderLeaf memory maker) = Witness.order(s, t.makerHash); // 1. load
        (bool takerExists, OrderLeaf memory taker) = Witness.order(s, t.takerHash);
        if (!makerExists || !takerExists) return Reject.ORDER_NOT_FOUND; // 2. authorise: posted = signature seen
        if (Leaves.isTombstone(maker) || Leaves.isTombstone(taker)) return Reject.ORDER_CANCELLED;
        (, MarketLeaf memory m) = Witness.market(s, maker.marketId);
        Reject r = _validate(maker, taker, m, t.size); // 3. validate
        if (r != Reject.None) return r;

        Fill memory f; // 4. apply
        (r, f) = _fill(s, maker, taker, m, t.size);
        if (r != Reject.None) return r;

        r = _reduceOnly(maker, f.makerBefore, f.makerAfter); // 5. check flags and margin
        if (r == Reject.None) r = _reduceOnly(taker, f.takerBefore, f.takerAfter);
        if (r == Reject.None) r = _margin(f.makerBefore, f.makerAfter, m);
        if (r == Reject.None) r = _margin(f.takerBefore, f.takerAfter, m);
        if (r != Reject.None) return r;

        maker.filled += t.size;
        taker.filled += t.size;
        Witness.putOrder(s, t.makerHash, maker);
        Witness.putOrder(s, t.takerHash, taker);
        Witness.putPosition(s, maker.trader, maker.marketId, f.makerAfter);
        Witness.putPosition(s, taker.trader, taker.marketId, f.takerAfter);
        m.feesAccrued = uint64(uint256(f.fees));
        Witness.putMarket(s, maker.marketId, m);
        return Reject.None;
    }

    function _validate(OrderLeaf memory maker, OrderLeaf memory taker, MarketLeaf memory m, uint64 size)
        private
        pure
        returns (Reject)
    {
        if (size == 0 || size % m.lotSize != 0) return Reject.SIZE_OFF_LOT;
        if (maker.marketId != taker.marketId) return Reject.MARKET_MISMATCH;
        if (maker.isBuy == taker.isBuy) return Reject.SAME_SIDE;
        if (maker.trader == taker.trader) return Reject.SELF_TRADE;
        Reject r = Checks.live(maker, m);
        if (r == Reject.None) r = Checks.live(taker, m);
        if (r != Reject.None) return r;
        if (taker.flags & PostOrderRule.POST_ONLY != 0) return Reject.POST_ONLY_WOULD_TAKE;
        bool crosses = taker.isBuy ? taker.price >= maker.price : taker.price <= maker.price;
        if (!crosses) return Reject.NOT_CROSSING;
        if (size > maker.size - maker.filled || size > taker.size - taker.filled) return Reject.OVERFILL;
        return Checks.hasMark(m);
    }

    function _fill(State memory s, OrderLeaf memory maker, OrderLeaf memory taker, MarketLeaf memory m, uint64 size)
        private
        pure
        returns (Reject, Fill memory f)
    {
        Amounts memory a = _amounts(m, maker, size);
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

    function _amounts(MarketLeaf memory m, OrderLeaf memory maker, uint64 size) private pure returns (Amounts memory a) {
        a.notional = Fixed.notional(int256(uint256(size)), int256(uint256(m.lotSize)), int256(uint256(maker.price)));
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
