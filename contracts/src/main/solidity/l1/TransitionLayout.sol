// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title TransitionLayout
/// @notice What the L1 contracts need to know about transition encodings (docs/protocol.md
///         section 5): each type byte fixes the encoding's length, types 1 to 4 are priority
///         operations whose first field after the type byte is the u64 queue index, and a
///         Deposit (type 1) carries its u64 amount in its last 8 bytes.
library TransitionLayout {
    uint8 internal constant DEPOSIT = 1;
    uint8 internal constant MARKET_CONFIG = 2;
    uint8 internal constant FORCED_WITHDRAWAL = 3;
    uint8 internal constant FORCED_CANCEL = 4;

    /// @notice The encoded length of a transition of type `t`, or 0 for an unknown type.
    function length(uint8 t) internal pure returns (uint256) {
        // Index = type; one byte per entry (every length is below 256). Type 0 is unknown.
        // types:      0   1   2   3   4   5   6    7   8    9    10   11   12
        // lengths:    0   45  73  45  69  94  141  73  118  106  106  122  25
        bytes13 table = 0x002d492d455e8d49766a6a7a19;
        if (t > 12) return 0;
        return uint8(table[t]);
    }

    /// @notice True for the priority operations (they come from the L1 queue).
    function isPriority(uint8 t) internal pure returns (bool) {
        return t >= DEPOSIT && t <= FORCED_CANCEL;
    }
}
