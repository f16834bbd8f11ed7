// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Reject} from "./Reject.sol";
import {Fixed} from "./Fixed.sol";
import {Margin} from "./Margin.sol";
import {Checks} from "./Checks.sol";
import {Eip712} from "./Eip712.sol";
import {State, Witness} from "./Witness.sol";
import {BalanceLeaf, PositionLeaf, MarketLeaf} from "./Leaves.sol";
import {MarginMove} from "./Transitions.sol";

/// @title ReleaseRule
/// @notice Moves collateral from a position back to the free balance. A flat position may release
///         down to a zero quote; an open one must still meet its initial requirement at the mark.
library ReleaseRule {
    function execute(State memory s, MarginMove memory rel) internal pure returns (Reject) {
        BalanceLeaf memory b = Witness.balance(s, rel.owner); // 1. load
        (bool exists, MarketLeaf memory m) = Witness.market(s, rel.marketId);
        Reject r = Checks.signedBy( // 2. authorise
            Eip712.marginDigest(s.domainSeparator, Eip712.RELEASE_TYPEHASH, rel.owner, rel.marketId, rel.amount, rel.nonce),
            rel.sig,
            rel.owner
        );
        if (r == Reject.None) r = Checks.nonce(rel.nonce, b.nonce);
        if (r == Reject.None) r = Checks.marketExists(exists); // 3. validate
        if (r == Reject.None) r = Checks.positiveAmount(rel.amount);
        if (r != Reject.None) return r;
        (bool ok, PositionLeaf memory p) = Checks.settled(Witness.position(s, rel.owner, rel.marketId), m); // 4. apply
        int256 quote = ok ? Fixed.sub(p.quote, int256(uint256(rel.amount))) : Fixed.OVERFLOW;
        int256 free = Fixed.add(int256(uint256(b.free)), int256(uint256(rel.amount)));
        if (quote == Fixed.OVERFLOW || free == Fixed.OVERFLOW) return Reject.OVERFLOW;
        r = _margin(p, quote, m); // 5. check margin
        if (r != Reject.None) return r;
        Witness.putBalance(s, rel.owner, BalanceLeaf(uint64(uint256(free)), b.nonce + 1));
        p.quote = int64(quote);
        Witness.putPosition(s, rel.owner, rel.marketId, p);
        return Reject.None;
    }

    function _margin(PositionLeaf memory p, int256 quote, MarketLeaf memory m) private pure returns (Reject) {
        if (p.size == 0) return quote < 0 ? Reject.INSUFFICIENT_MARGIN : Reject.None;
        Reject r = Checks.hasMark(m);
        if (r != Reject.None) return r;
        int256 lot = int256(uint256(m.lotSize));
        int256 mark = int256(uint256(m.markPrice));
        int256 equity = Margin.equity(p.size, quote, lot, mark);
        int256 im = Margin.requirement(p.size, lot, mark, int256(uint256(m.imfPpm)));
        if (equity == Fixed.OVERFLOW || im == Fixed.OVERFLOW) return Reject.OVERFLOW;
        return equity < im ? Reject.INSUFFICIENT_MARGIN : Reject.None;
    }
}
