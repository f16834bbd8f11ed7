// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Reject} from "./Reject.sol";
import {Fixed} from "./Fixed.sol";
import {Checks} from "./Checks.sol";
import {Eip712} from "./Eip712.sol";
import {State, Witness} from "./Witness.sol";
import {BalanceLeaf, PositionLeaf, MarketLeaf} from "./Leaves.sol";
import {MarginMove} from "./Transitions.sol";

/// @title AllocateRule
/// @notice Moves collateral from the free balance into one isolated position.
library AllocateRule {
    function execute(State memory s, MarginMove memory a) internal pure returns (Reject) {
        BalanceLeaf memory b = Witness.balance(s, a.owner); // 1. load
        (bool exists, MarketLeaf memory m) = Witness.market(s, a.marketId);
        Reject r = Checks.signedBy( // 2. authorise
            Eip712.marginDigest(s.domainSeparator, Eip712.ALLOCATE_TYPEHASH, a.owner, a.marketId, a.amount, a.nonce),
            a.sig,
            a.owner
        );
        if (r == Reject.None) r = Checks.nonce(a.nonce, b.nonce);
        if (r == Reject.None) r = Checks.marketExists(exists); // 3. validate
        if (r == Reject.None) r = Checks.positiveAmount(a.amount);
        if (r == Reject.None && b.free < a.amount) r = Reject.INSUFFICIENT_BALANCE;
        if (r != Reject.None) return r;
        (bool ok, PositionLeaf memory p) = Checks.settled(Witness.position(s, a.owner, a.marketId), m); // 4. apply
        int256 quote = ok ? Fixed.add(p.quote, int256(uint256(a.amount))) : Fixed.OVERFLOW;
        if (quote == Fixed.OVERFLOW) return Reject.OVERFLOW;
        Witness.putBalance(s, a.owner, BalanceLeaf(b.free - a.amount, b.nonce + 1));
        p.quote = int64(quote);
        Witness.putPosition(s, a.owner, a.marketId, p);
        return Reject.None;
    }
}
