// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title Fixed
/// @notice The integer arithmetic of docs/protocol.md section 4, twin of Java's
///         `dev.clearline.engine.risk.Fixed`: sums are done in int256 and every result is checked
///         against the signed 64-bit bound [-(2^63-1), 2^63-1]. A result outside it becomes the
///         sentinel `OVERFLOW` (-2^63), which every later operation propagates, exactly as Java
///         propagates `Long.MIN_VALUE`; callers turn it into `Reject.OVERFLOW`.
library Fixed {
    int256 internal constant OVERFLOW = type(int64).min;
    int256 internal constant MAX = type(int64).max;
    int256 internal constant PPM = 1_000_000;

    function add(int256 a, int256 b) internal pure returns (int256) {
        if (a == OVERFLOW || b == OVERFLOW) return OVERFLOW;
        return _bound(a + b);
    }

    function sub(int256 a, int256 b) internal pure returns (int256) {
        if (a == OVERFLOW || b == OVERFLOW) return OVERFLOW;
        return _bound(a - b);
    }

    function mul(int256 a, int256 b) internal pure returns (int256) {
        if (a == OVERFLOW || b == OVERFLOW) return OVERFLOW;
        return _bound(a * b);
    }

    /// @notice ceil(a * ppm / 1e6) for 0 <= a, 0 <= ppm <= 1e6; never overflows (result <= a).
    function mulPpmUp(int256 a, int256 ppm) internal pure returns (int256) {
        if (a == OVERFLOW) return OVERFLOW;
        return (a * ppm + PPM - 1) / PPM;
    }

    /// @notice (size / lot) * price, signed; the division truncates toward zero as Java's does.
    function notional(int256 size, int256 lotSize, int256 price) internal pure returns (int256) {
        return mul(size / lotSize, price);
    }

    function abs(int256 a) internal pure returns (int256) {
        if (a == OVERFLOW) return OVERFLOW;
        return a < 0 ? -a : a;
    }

    function _bound(int256 r) private pure returns (int256) {
        return (r > MAX || r < -MAX) ? OVERFLOW : r;
    }
}
