// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Reject} from "./Reject.sol";
import {Checks} from "./Checks.sol";
import {Eip712} from "./Eip712.sol";
import {State, Witness} from "./Witness.sol";
import {OrderLeaf, Leaves} from "./Leaves.sol";
import {Cancel} from "./Transitions.sol";

/// @title CancelRule
/// @notice Marks an order cancelled at its trader's signed request; a never-posted order gets a
///         tombstone, so it can never be posted afterwards.
library CancelRule {
    function execute(State memory s, Cancel memory c) internal pure returns (Reject) {
        (bool exists, OrderLeaf memory o) = Witness.order(s, c.orderHash); // 1. load
        Reject r = Checks.signedBy(Eip712.cancelDigest(s.domainSeparator, c.owner, c.orderHash), c.sig, c.owner);
        if (r != Reject.None) return r; // 2. authorise
        if (exists && o.trader != c.owner) return Reject.NOT_OWNER; // 3. validate
        if (exists && o.cancelled) return Reject.ORDER_CANCELLED;
        if (exists) o.cancelled = true; // 4. apply
        else o = Leaves.tombstone(c.owner);
        Witness.putOrder(s, c.orderHash, o);
        return Reject.None;
    }
}
