// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Reject} from "./Reject.sol";
import {Fixed} from "./Fixed.sol";
import {Margin} from "./Margin.sol";
import {Checks} from "./Checks.sol";
import {State, Witness} from "./Witness.sol";
import {PositionLeaf, MarketLeaf} from "./Leaves.sol";
import {Deleverage} from "./Transitions.sol";
import {LiquidateRule} from "./LiquidateRule.sol";

/// @title DeleverageRule
/// @notice Closes part of the insurance fund's position with negative equity against an opposite
///         position at the fund's bankruptcy price; the counterparty must stay above maintenance.
library DeleverageRule {
    function execute(State memory s, Deleverage memory d) internal pure returns (Reject) {
        (bool exists, MarketLeaf memory m) = Witness.market(s, d.marketId); // 1. load
        Reject r = Checks.marketExists(exists);
        if (r != Reject.None) return r;
        if (d.counterparty == LiquidateRule.INSURANCE_FUND) return Reject.SELF_TRADE; // 3. validate
        r = Checks.hasMark(m);
        if (r != Reject.None) return r;
        (bool fOk, PositionLeaf memory fund) = Checks.settled(Witness.position(s, LiquidateRule.INSURANCE_FUND, d.marketId), m);
        (bool cOk, PositionLeaf memory cp) = Checks.settled(Witness.position(s, d.counterparty, d.marketId), m);
        if (!fOk || !cOk) return Reject.OVERFLOW;
        r = _validate(fund, cp, m, d.size);
        if (r != Reject.None) return r;
        PositionLeaf memory fundAfter;
        PositionLeaf memory cpAfter;
        (r, fundAfter, cpAfter) = _apply(fund, cp, m, d.size); // 4. apply
        if (r == Reject.None) r = _margin(cpAfter, m); // 5. margin
        if (r != Reject.None) return r;
        Witness.putPosition(s, LiquidateRule.INSURANCE_FUND, d.marketId, fundAfter);
        Witness.putPosition(s, d.counterparty, d.marketId, cpAfter);
        return Reject.None;
    }

    function _apply(PositionLeaf memory fund, PositionLeaf memory cp, MarketLeaf memory m, uint64 size64)
        private
        pure
        returns (Reject, PositionLeaf memory fundAfter, PositionLeaf memory cpAfter)
    {
        int256 lot = int256(uint256(m.lotSize));
        int256 value = Fixed.notional(int256(uint256(size64)), lot, bankruptcyPrice(fund.size, fund.quote, lot));
        if (value == Fixed.OVERFLOW) return (Reject.OVERFLOW, fundAfter, cpAfter);
        int256 dir = fund.size > 0 ? int256(1) : int256(-1); // the fund sells a long, buys back a short
        int256 size = int256(uint256(size64));
        bool a;
        bool b;
        (a, fundAfter) = _move(fund, -dir * size, dir * value);
        (b, cpAfter) = _move(cp, dir * size, -dir * value);
        return (a && b ? Reject.None : Reject.OVERFLOW, fundAfter, cpAfter);
    }

    function _margin(PositionLeaf memory cpAfter, MarketLeaf memory m) private pure returns (Reject) {
        int256 lot = int256(uint256(m.lotSize));
        int256 mark = int256(uint256(m.markPrice));
        int256 excess = Fixed.sub(
            Margin.equity(cpAfter.size, cpAfter.quote, lot, mark),
            Margin.requirement(cpAfter.size, lot, mark, int256(uint256(m.mmfPpm)))
        );
        if (excess == Fixed.OVERFLOW) return Reject.OVERFLOW;
        return excess < 0 ? Reject.INSUFFICIENT_MARGIN : Reject.None;
    }

    /// @notice The price per lot at which the position's equity is zero: -floor(quote / lots) for a
    ///         long, floor(quote / lots) for a short (Java `Margin.bankruptcyPrice`).
    function bankruptcyPrice(int256 size, int256 quote, int256 lotSize) internal pure returns (int256) {
        int256 lots = (size < 0 ? -size : size) / lotSize;
        int256 q = _floorDiv(quote, lots);
        return size > 0 ? -q : q;
    }

    function _validate(PositionLeaf memory fund, PositionLeaf memory cp, MarketLeaf memory m, uint64 size)
        private
        pure
        returns (Reject)
    {
        int256 fundEquity = Margin.equity(fund.size, fund.quote, int256(uint256(m.lotSize)), int256(uint256(m.markPrice)));
        if (fundEquity == Fixed.OVERFLOW) return Reject.OVERFLOW;
        if (fund.size == 0 || fundEquity >= 0) return Reject.NOT_DELEVERAGEABLE;
        if (size == 0 || size % m.lotSize != 0) return Reject.SIZE_OFF_LOT;
        if (cp.size == 0 || (cp.size > 0) == (fund.size > 0)) return Reject.SAME_SIDE;
        int256 s = int256(uint256(size));
        if (s > Fixed.abs(fund.size) || s > Fixed.abs(cp.size)) return Reject.OVERFILL;
        return Reject.None;
    }

    function _move(PositionLeaf memory p, int256 sizeDelta, int256 quoteDelta) private pure returns (bool, PositionLeaf memory out) {
        int256 size = Fixed.add(p.size, sizeDelta);
        int256 quote = Fixed.add(p.quote, quoteDelta);
        if (size == Fixed.OVERFLOW || quote == Fixed.OVERFLOW) return (false, out);
        return (true, PositionLeaf(int64(size), int64(quote), p.fundingIndex));
    }

    function _floorDiv(int256 a, int256 b) private pure returns (int256 q) {
        q = a / b;
        if ((a % b != 0) && ((a < 0) != (b < 0))) q -= 1;
    }
}
