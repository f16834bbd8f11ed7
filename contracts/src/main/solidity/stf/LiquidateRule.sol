// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Reject} from "./Reject.sol";
import {Fixed} from "./Fixed.sol";
import {Margin} from "./Margin.sol";
import {Checks} from "./Checks.sol";
import {State, Witness} from "./Witness.sol";
import {PositionLeaf, MarketLeaf} from "./Leaves.sol";
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
        int256 size = Fixed.add(fund.size, p.size); // 4. apply
        int256 quote = Fixed.add(fund.quote, p.quote);
        if (size == Fixed.OVERFLOW || quote == Fixed.OVERFLOW) return Reject.OVERFLOW;
        Witness.putPosition(s, l.owner, l.marketId, PositionLeaf(0, 0, m.fundingIndex));
        Witness.putPosition(s, INSURANCE_FUND, l.marketId, PositionLeaf(int64(size), int64(quote), m.fundingIndex));
        return Reject.None;
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
