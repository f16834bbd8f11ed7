// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Reject} from "./Reject.sol";
import {Fixed} from "./Fixed.sol";
import {Margin} from "./Margin.sol";
import {Checks} from "./Checks.sol";
import {State, Witness} from "./Witness.sol";
import {BalanceLeaf, PositionLeaf, MarketLeaf} from "./Leaves.sol";
import {Liquidate} from "./Transitions.sol";

/// @title LiquidateRule
/// @notice Moves a position below maintenance, whole (size and quote, so its equity or bad debt),
///         into the insurance fund's position in the same market.
library LiquidateRule {
    /// @notice The insurance fund's reserved owner (docs/protocol.md section 3).
    address internal constant INSURANCE_FUND = 0x00000000000000000000000000000000000000f1;

    function execute(State memory s, Liquidate memory l) internal pure returns (Reject) {
        (bool exists, MarketLeaf memory m) = Witness.market(s, l.marketId); // 1. load
        Reject r = Checks.marketExists(exists);
        if (r != Reject.None) return r;
        if (l.owner == INSURANCE_FUND) return Reject.NOT_LIQUIDATABLE; // 3. validate
        r = Checks.hasMark(m);
        if (r != Reject.None) return r;
        (bool pOk, PositionLeaf memory p) = Checks.settled(Witness.position(s, l.owner, l.marketId), m);
        (bool fOk, PositionLeaf memory fund) = Checks.settled(Witness.position(s, INSURANCE_FUND, l.marketId), m);
        if (!pOk || !fOk) return Reject.OVERFLOW;
        r = _belowMaintenance(p, m);
        if (r != Reject.None) return r;
        return _apply(s, l, m, p, fund); // 4. apply
    }

    /// The owner's position, less the liquidation fee (which feeds the fund's free balance), moves
    /// whole into the fund's position.
    function _apply(State memory s, Liquidate memory l, MarketLeaf memory m, PositionLeaf memory p, PositionLeaf memory fund)
        private
        pure
        returns (Reject)
    {
        BalanceLeaf memory fundBalance = Witness.balance(s, INSURANCE_FUND);
        int256[4] memory v; // fund free, quote left, fund size, fund quote
        int256 fee = _fee(p, m);
        v[0] = Fixed.add(int256(uint256(fundBalance.free)), fee);
        v[1] = Fixed.sub(p.quote, fee);
        v[2] = Fixed.add(fund.size, p.size);
        v[3] = Fixed.add(fund.quote, v[1]);
        if (v[0] == Fixed.OVERFLOW || v[1] == Fixed.OVERFLOW || v[2] == Fixed.OVERFLOW || v[3] == Fixed.OVERFLOW) {
            return Reject.OVERFLOW;
        }
        Witness.putPosition(s, l.owner, l.marketId, PositionLeaf(0, 0, m.fundingIndex));
        Witness.putPosition(s, INSURANCE_FUND, l.marketId, PositionLeaf(int64(v[2]), int64(v[3]), m.fundingIndex));
        Witness.putBalance(s, INSURANCE_FUND, BalanceLeaf(uint64(uint256(v[0])), fundBalance.nonce));
        return Reject.None;
    }

    /// min(ceil(|notional| * liquidationFee), max(0, equity)): never more than the position holds.
    function _fee(PositionLeaf memory p, MarketLeaf memory m) private pure returns (int256) {
        int256 lot = int256(uint256(m.lotSize));
        int256 mark = int256(uint256(m.markPrice));
        int256 equity = Margin.equity(p.size, p.quote, lot, mark);
        int256 fee = Margin.requirement(p.size, lot, mark, int256(uint256(m.liquidationFeePpm)));
        int256 cap = equity > 0 ? equity : int256(0);
        return fee < cap ? fee : cap;
    }

    function _belowMaintenance(PositionLeaf memory p, MarketLeaf memory m) private pure returns (Reject) {
        Margin.Verdict v = Margin.liquidatable(
            p.size, p.quote, int256(uint256(m.lotSize)), int256(uint256(m.markPrice)), int256(uint256(m.mmfPpm))
        );
        if (v == Margin.Verdict.OK) return Reject.None;
        if (v == Margin.Verdict.INSUFFICIENT) return Reject.NOT_LIQUIDATABLE;
        return Reject.OVERFLOW;
    }
}
