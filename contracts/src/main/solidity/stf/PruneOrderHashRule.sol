// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Reject} from "./Reject.sol";
import {Checks} from "./Checks.sol";
import {State, Witness} from "./Witness.sol";
import {OrderHashLeaf, MarketLeaf} from "./Leaves.sol";
import {PruneOrderHash} from "./Transitions.sol";

/// @title PruneOrderHashRule
/// @notice Deletes a posted order's ORDER_HASH leaf once its market's oracle time has passed the
///         order's expiry (both recorded in the leaf by its PostOrder). The leaf refuses a second
///         post of the signed order; past its expiry PostOrder refuses it as EXPIRED anyway, for
///         good, since a market's oracle time only moves forward. A tombstone and an order without
///         expiry keep their leaf.
library PruneOrderHashRule {
    function execute(State memory s, PruneOrderHash memory p) internal pure returns (Reject) {
        (bool exists, OrderHashLeaf memory h) = Witness.orderHash(s, p.orderHash); // 1. load
        if (!exists || h.orderId == 0) return Reject.ORDER_NOT_FOUND; // 3. validate
        (bool known, MarketLeaf memory m) = Witness.market(s, h.marketId);
        if (!known || !Checks.expired(h.expiry, m)) return Reject.NOT_EXPIRED;
        Witness.deleteOrderHash(s, p.orderHash); // 4. apply
        return Reject.None;
    }
}
