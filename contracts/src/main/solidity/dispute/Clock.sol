// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @notice A dispute's pair of chess clocks in one word.
///
///   255      193 192 191            128 127             64 63               0
///   +----------+---+------------------+-----------------+------------------+
///   |  unused  | s | proposer left (s)| challenger left | turn started at  |
///   +----------+---+------------------+-----------------+------------------+
///
/// `s` (bit 192) is the side to move: 0 the proposer, 1 the challenger. The side to move has
/// `left - (now - startedAt)` seconds; the other side's budget is frozen until its turn.
type Clock is uint256;

using ClockLib for Clock global;

library ClockLib {
    uint8 internal constant PROPOSER = 0;
    uint8 internal constant CHALLENGER = 1;

    uint256 private constant MASK64 = type(uint64).max;

    /// @notice Both sides with `budget` seconds, `side` to move from `nowTs`.
    function start(uint64 budget, uint8 side, uint256 nowTs) internal pure returns (Clock) {
        return Clock.wrap((uint256(side) << 192) | (uint256(budget) << 128) | (uint256(budget) << 64) | uint64(nowTs));
    }

    function sideToMove(Clock c) internal pure returns (uint8) {
        return uint8((Clock.unwrap(c) >> 192) & 1);
    }

    function startedAt(Clock c) internal pure returns (uint64) {
        return uint64(Clock.unwrap(c) & MASK64);
    }

    /// @notice Seconds `side` had left when its clock last stopped (or when the current turn began).
    function budgetOf(Clock c, uint8 side) internal pure returns (uint64) {
        return uint64((Clock.unwrap(c) >> (side == PROPOSER ? 128 : 64)) & MASK64);
    }

    /// @notice Seconds the side to move has left at `nowTs` (zero when run out).
    function timeLeft(Clock c, uint256 nowTs) internal pure returns (uint256) {
        uint256 spent = nowTs - c.startedAt();
        uint256 budget = c.budgetOf(c.sideToMove());
        return spent >= budget ? 0 : budget - spent;
    }

    /// @notice The side to move has run out of time at `nowTs`.
    function expired(Clock c, uint256 nowTs) internal pure returns (bool) {
        return c.timeLeft(nowTs) == 0;
    }

    /// @notice Stops the mover's clock at `nowTs` (charging the time spent) and starts `next`'s.
    function handOver(Clock c, uint8 next, uint256 nowTs) internal pure returns (Clock) {
        uint8 mover = c.sideToMove();
        uint256 left = c.timeLeft(nowTs);
        uint256 p = mover == PROPOSER ? left : c.budgetOf(PROPOSER);
        uint256 ch = mover == CHALLENGER ? left : c.budgetOf(CHALLENGER);
        return Clock.wrap((uint256(next) << 192) | (p << 128) | (ch << 64) | uint64(nowTs));
    }
}
