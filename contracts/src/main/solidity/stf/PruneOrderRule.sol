// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Reject} from "./Reject.sol";
import {State, Witness} from "./Witness.sol";
import {PruneOrder} from "./Transitions.sol";

/// @title PruneOrderRule
/// @notice Deletes an order's ORDER leaf once the exchange is done with it. No signature: the
///         operator could always decline to fill the order, which is all a missing leaf does (a
///         fill or cancel naming the id is refused from then on). The ORDER_HASH leaf stays, so the
///         signed order is never posted again and its filled size never starts over.
library PruneOrderRule {
    function execute(State memory s, PruneOrder memory p) internal pure returns (Reject) {
        (bool exists,) = Witness.order(s, p.orderId); // 1. load
        if (!exists) return Reject.ORDER_NOT_FOUND; // 3. validate
        Witness.deleteOrder(s, p.orderId); // 4. apply
        return Reject.None;
    }
}
