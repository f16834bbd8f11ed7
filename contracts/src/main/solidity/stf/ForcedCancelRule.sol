// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Reject} from "./Reject.sol";
import {Checks} from "./Checks.sol";
import {State, Witness} from "./Witness.sol";
import {GlobalLeaf, OrderLeaf, Leaves} from "./Leaves.sol";
import {ForcedCancel} from "./Transitions.sol";

/// @title ForcedCancelRule
/// @notice Cancels an order of the L1 sender: a posted one is marked cancelled, a never-posted one
///         gets a tombstone. Another trader's order or one already cancelled only consumes the op.
library ForcedCancelRule {
    function execute(State memory s, ForcedCancel memory f, bytes calldata encoded) internal pure returns (Reject) {
        GlobalLeaf memory g = Witness.global(s); // 1. load
        (bool exists, OrderLeaf memory o) = Witness.order(s, f.orderHash);
        Reject r = Checks.nextPriorityOp(g, f.op); // 2. authorise
        if (r != Reject.None) return r;
        if (exists && (o.trader != f.owner || o.cancelled)) {
            // 3. validate
            Witness.putGlobal(s, Checks.consume(g, encoded, true));
            return Reject.None;
        }
        if (exists) o.cancelled = true; // 4. apply
        else o = Leaves.tombstone(f.owner);
        Witness.putOrder(s, f.orderHash, o);
        Witness.putGlobal(s, Checks.consume(g, encoded, false));
        return Reject.None;
    }
}
