// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Reject} from "./Reject.sol";
import {Checks} from "./Checks.sol";
import {Eip712} from "./Eip712.sol";
import {State, Witness} from "./Witness.sol";
import {OrderHashLeaf, OrderLeaf, Leaves} from "./Leaves.sol";
import {Cancel} from "./Transitions.sol";

/// @title CancelRule
/// @notice Marks an order cancelled at its trader's signed request, naming it by its hash; a
///         never-posted order gets a tombstone, so it can never be posted afterwards.
library CancelRule {
    function execute(State memory s, Cancel memory c) internal pure returns (Reject) {
        (bool exists, OrderHashLeaf memory h) = Witness.orderHash(s, c.orderHash); // 1. load
        OrderLeaf memory o;
        if (exists && !Leaves.isTombstone(h)) (, o) = Witness.order(s, h.orderId);
        Reject r = Checks.signedBy(Eip712.cancelDigest(s.domainSeparator, c.owner, c.orderHash), c.sig, c.owner);
        if (r != Reject.None) return r; // 2. authorise
        if (exists && !Leaves.cancellableBy(h, o, c.owner)) return Reject.NOT_OWNER; // 3. validate
        if (exists && Leaves.cancelled(h, o)) return Reject.ORDER_CANCELLED;
        if (!exists) {
            // 4. apply
            Witness.putOrderHash(s, c.orderHash, Leaves.tombstone(c.owner));
        } else {
            o.cancelled = true;
            Witness.putOrder(s, h.orderId, o);
        }
        return Reject.None;
    }
}
