// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Reject} from "./Reject.sol";
import {Checks} from "./Checks.sol";
import {Eip712} from "./Eip712.sol";
import {State, Witness} from "./Witness.sol";
import {MarketLeaf} from "./Leaves.sol";
import {OraclePrice} from "./Transitions.sol";

/// @title OraclePriceRule
/// @notice Sets a market's mark price and cumulative funding index from its oracle's signed report.
library OraclePriceRule {
    function execute(State memory s, OraclePrice memory o) internal pure returns (Reject) {
        (bool exists, MarketLeaf memory m) = Witness.market(s, o.marketId); // 1. load
        Reject r = Checks.marketExists(exists);
        if (r != Reject.None) return r;
        r = Checks.signedBy( // 2. authorise
            Eip712.oraclePriceDigest(s.domainSeparator, o.marketId, o.price, o.fundingIndex, o.timestamp),
            o.sig,
            m.oracle
        );
        if (r != Reject.None) return r;
        if (o.price == 0) return Reject.BAD_PRICE; // 3. validate
        if (o.timestamp <= m.lastOracleTs) return Reject.STALE_ORACLE;
        m.markPrice = o.price; // 4. apply
        m.fundingIndex = o.fundingIndex;
        m.lastOracleTs = o.timestamp;
        Witness.putMarket(s, o.marketId, m);
        return Reject.None;
    }
}
