// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {Fixed} from "./Fixed.sol";

/// @title PegPrice
/// @notice The price of a mark-pegged order, twin of Java's `dev.clearline.engine.risk.PegPrice`:
///         raw = mark + offset * tick, rounded to the tick away from the other side (down for a
///         buy, up for a sell), then clamped to the order's limit.
library PegPrice {
    /// @notice Returned when a buy's pegged price is below one tick.
    int256 internal constant NOT_POSITIVE = 0;

    /// @return the price, NOT_POSITIVE, or Fixed.OVERFLOW
    function markPegged(bool isBuy, int256 limit, int256 offset, int256 mark, int256 tick) internal pure returns (int256) {
        int256 raw = Fixed.add(mark, Fixed.mul(offset, tick));
        if (raw == Fixed.OVERFLOW) return Fixed.OVERFLOW;
        if (isBuy) {
            if (raw < tick) return NOT_POSITIVE;
            int256 floor = raw / tick * tick;
            return limit < floor ? limit : floor;
        }
        if (raw <= limit) return limit;
        int256 down = raw / tick * tick;
        return down == raw ? raw : Fixed.add(down, tick);
    }
}
