// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Transitions} from "../stf/Transitions.sol";

/// @title TransitionLayout
/// @notice What the L1 contracts need to know about transition encodings (docs/protocol.md
///         section 5): each type byte fixes the encoding's length (the STF's table), types 1 to 4 are priority
///         operations whose first field after the type byte is the u64 queue index, and a
///         Deposit (type 1) carries its u64 amount in its last 8 bytes.
library TransitionLayout {
    uint8 internal constant DEPOSIT = 1;
    uint8 internal constant MARKET_CONFIG = 2;
    uint8 internal constant FORCED_WITHDRAWAL = 3;
    uint8 internal constant FORCED_CANCEL = 4;
    /// @notice The shortest encoding in the table (PruneOrder, type 15): a batch of n bytes holds at
    ///         most n / MIN_LENGTH transitions. Keep it the table's minimum (TransitionLayoutTest).
    uint256 internal constant MIN_LENGTH = 7;

    /// @notice The encoded length of a transition of type `t`, or 0 for an unknown type: the
    ///         one-step verifier's own table, so the rollup accepts exactly what it can decode.
    function length(uint8 t) internal pure returns (uint256) {
        return Transitions.length(t);
    }

    /// @notice True for the priority operations (they come from the L1 queue).
    function isPriority(uint8 t) internal pure returns (bool) {
        return t >= DEPOSIT && t <= FORCED_CANCEL;
    }
}
