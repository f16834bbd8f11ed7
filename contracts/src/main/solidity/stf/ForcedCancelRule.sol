// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Reject} from "./Reject.sol";
import {Checks} from "./Checks.sol";
import {State, Witness} from "./Witness.sol";
import {GlobalLeaf, OrderHashLeaf, OrderLeaf, Leaves} from "./Leaves.sol";
import {ForcedCancel} from "./Transitions.sol";

/// @title ForcedCancelRule
/// @notice Cancels an order of the L1 sender, named by its hash: a posted one is marked cancelled,
///         a never-posted one gets a tombstone. Another trader's order or one already cancelled only
///         consumes the op.
library ForcedCancelRule {
    function execute(State memory s, ForcedCancel memory f, bytes calldata encoded) internal pure returns (Reject) {
        GlobalLeaf memory g = Witness.global(s); // 1. load
        (bool exists, OrderHashLeaf memory h) = Witness.orderHash(s, f.orderHash);
        OrderLeaf memory o;
        if (exists && !Leaves.isTombstone(h)) (, o) = Witness.order(s, h.orderId);
        Reject r = Checks.nextPriorityOp(g, f.op); // 2. authorise
        if (r != Reject.None) return r;
        if (exists && (!Leaves.cancellableBy(h, o, f.owner) || Leaves.cancelled(h, o))) {
            // 3. validate
            Witness.putGlobal(s, Checks.consume(g, encoded, true));
            return Reject.None;
        }
        if (!exists) {
            // 4. apply
            Witness.putOrderHash(s, f.orderHash, Leaves.tombstone(f.owner));
        } else {
            o.cancelled = true;
            Witness.putOrder(s, h.orderId, o);
        }
        Witness.putGlobal(s, Checks.consume(g, encoded, false));
        return Reject.None;
    }
}
