// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Reject} from "./Reject.sol";
import {Checks} from "./Checks.sol";
import {State, Witness} from "./Witness.sol";
import {GlobalLeaf, MarketLeaf} from "./Leaves.sol";
import {MarketConfig} from "./Transitions.sol";

/// @title MarketConfigRule
/// @notice Creates or changes a market from a governance priority op. Bad parameters consume the op
///         and count a forced rejection instead of invalidating the batch.
library MarketConfigRule {
    uint32 internal constant MAX_FEE_PPM = 100_000;
    uint32 internal constant PPM = 1_000_000;

    function execute(State memory s, MarketConfig memory c, bytes calldata encoded) internal pure returns (Reject) {
        GlobalLeaf memory g = Witness.global(s); // 1. load
        (bool exists, MarketLeaf memory m) = Witness.market(s, c.marketId);
        Reject r = Checks.nextPriorityOp(g, c.op); // 2. authorise
        if (r != Reject.None) return r;
        if (!_valid(c, exists, m)) {
            // 3. validate
            Witness.putGlobal(s, Checks.consume(g, encoded, true));
            return Reject.None;
        }
        if (!exists) {
            // 4. apply: a new market has no mark, index, time or fees yet
            m.markPrice = 0;
            m.fundingIndex = 0;
            m.lastOracleTs = 0;
            m.feesAccrued = 0;
        }
        m.tickSize = c.tickSize;
        m.lotSize = c.lotSize;
        m.imfPpm = c.imfPpm;
        m.mmfPpm = c.mmfPpm;
        m.makerFeePpm = c.makerFeePpm;
        m.takerFeePpm = c.takerFeePpm;
        m.liquidationFeePpm = c.liquidationFeePpm;
        m.oracle = c.oracle;
        Witness.putMarket(s, c.marketId, m);
        Witness.putGlobal(s, Checks.consume(g, encoded, false));
        return Reject.None;
    }

    /// Lot size is fixed at creation: positions are multiples of it and funding divides by it.
    function _valid(MarketConfig memory c, bool exists, MarketLeaf memory existing) private pure returns (bool) {
        return c.marketId > 0 && c.tickSize > 0 && c.lotSize > 0 && c.mmfPpm > 0 && c.mmfPpm < c.imfPpm
            && c.imfPpm <= PPM && c.makerFeePpm <= MAX_FEE_PPM && c.takerFeePpm <= MAX_FEE_PPM
            && c.liquidationFeePpm <= c.mmfPpm && c.oracle != address(0) && (!exists || existing.lotSize == c.lotSize);
    }
}
